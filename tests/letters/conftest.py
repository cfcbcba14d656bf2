from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from .helpers import make_application, make_award

# the layout tests' measuring helpers keep pytest's assertion messages
pytest.register_assert_rewrite("tests.letters.layout")


@pytest.fixture(autouse=True)
def _private_storage(private_storage, settings):
    """tests/conftest.py's private storage, and the site's address that letters print (their verification
    link and QR code)."""
    settings.SITE_URL = "https://portal.example.cn"


@pytest.fixture
def programme(catalogue):
    return catalogue["hp-data-trading"]


@pytest.fixture
def voucher_programme(catalogue):
    return catalogue["hp-compute-voucher"]


@pytest.fixture
def application_a(programme, enterprise_a, owner_a):
    return make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a)


@pytest.fixture
def award_a(application_a):
    return make_award(application=application_a, amount="123456.78")


PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")


def pdf_text(data: bytes) -> str:
    """The letter's text, without its page numbers (— 1 —), so a sentence read across a page break is whole."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(PAGE_NUMBER.sub("", page.extract_text()) for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())
