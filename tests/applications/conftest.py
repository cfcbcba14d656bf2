"""Fixtures of the applicant's journey: programmes with an open window, crafted files, drafts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.services import application_create, attachment_add
from vouchers.models import ApplicationWindow

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


OFD = zip_bytes(
    {
        "OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
        b'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
        b"</ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": b"<ofd:Document/>",
    }
)
DOCX_LIKE = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _private_storage_for_every_test(private_storage):
    """Every test here stores its files in the private directory of tests/conftest.py's fixture."""
    return private_storage


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def compute(catalogue):
    """hp-compute-voucher with a window open now."""
    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme,
        name="2026年第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    return programme


DRAFT_DATA = {
    "title": "大模型推理算力采购",
    "description": "租用区内智算中心算力用于开源模型本地部署。",
    "contract_numbers": "HT-2026-001",
    "invoice_numbers": "26442000000012345678",
    "inputs": {"eligible_cost": "300000.00"},
}


@pytest.fixture
def draft_a(compute, owner_a):
    return application_create(actor=owner_a, programme=compute, data=DRAFT_DATA).application


def attach_all(app, actor) -> None:
    for material in app.programme.materials:
        attachment_add(
            actor=actor, application=app, material=material["code"], upload=upload(f"{material['code']}.pdf", PDF)
        )


@pytest.fixture
def complete_a(draft_a, owner_a):
    attach_all(draft_a, owner_a)
    draft_a.refresh_from_db()
    return draft_a
