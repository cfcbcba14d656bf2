"""Issue 17: "替换已上传的文件" offers only the files of the material chosen above it. Without
JavaScript every file is offered under its material's heading and the portal refuses a file of
another material (tests/applications/test_uploads.py); in the browser the other materials' files
are not offered at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import Application
from tests.factories import PASSWORD

from .helpers import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERED_JS = """() => [...document.querySelectorAll('#id_replaces option')]
    .filter(o => o.value && !o.disabled && !o.parentElement.disabled && !o.parentElement.hidden)
    .map(o => o.textContent.trim())"""


@pytest.fixture
def draft(catalogue, owner_a) -> Application:
    from applications.services import application_create, attachment_add
    from vouchers.models import ApplicationWindow

    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )
    app = application_create(
        actor=owner_a, programme=programme, data={"title": "替换文件", "inputs": {"eligible_cost": "300000.00"}}
    ).application
    files = (("business_license", "营业执照.pdf"), ("contract", "合同一.pdf"), ("contract", "合同二.pdf"))
    for material, name in files:
        upload = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
        attachment_add(actor=owner_a, application=app, material=material, upload=upload)
    return app


def test_only_the_chosen_materials_files_are_offered_for_replacing(actors, owner_a, draft):
    ent = actors("enterprise")
    ent.login(owner_a.email, PASSWORD)
    page = ent.go(f"/applications/{draft.pk}/")
    assert page.evaluate(OFFERED_JS) == []  # no material chosen: nothing to replace yet
    page.select_option("#id_material", "contract")
    assert sorted(page.evaluate(OFFERED_JS)) == ["合同一.pdf", "合同二.pdf"]
    page.select_option("#id_replaces", label="合同二.pdf")
    page.select_option("#id_material", "business_license")  # a choice of another material is undone
    assert page.evaluate(OFFERED_JS) == ["营业执照.pdf"] and page.input_value("#id_replaces") == ""
    page.select_option("#id_material", "invoice")
    assert page.evaluate(OFFERED_JS) == []
    ent.assert_clean()
