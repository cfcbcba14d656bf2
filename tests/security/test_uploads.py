"""Uploads validated at every entry point (a cross-check of the applicant's and the redemption
tests): a file whose content is not what its name says is refused with a field message (400), and
nothing is stored, neither a row nor a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .harness import Session, request_as

pytestmark = pytest.mark.django_db

DISGUISED = {
    "html": b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200,
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
}


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("证明材料.pdf", content, content_type="application/pdf")


def _entry_points(cast):
    voucher = cast.voucher
    invoice = {
        "voucher_code": voucher.code,
        "holder_credit_code": cast.enterprise_a.credit_code,
        "invoice_number": "INV20269999",
        "invoice_date": str(voucher.issued_on),
        "amount": "10.00",
    }
    return [
        (
            "owner_a",
            reverse("applications:attachment_upload", args=[cast.a_draft.pk]),
            False,
            "file",
            {"material": "business_license"},
        ),
        (
            "owner_a",
            f"/api/v1/applications/{cast.a_draft.pk}/attachments/",
            True,
            "file",
            {"material": "business_license"},
        ),
        ("provider", reverse("vouchers:provider_home"), False, "invoice_file", invoice),
        ("provider", "/api/v1/redemptions/", True, "invoice_file", invoice),
    ]


def _files() -> set[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_every_upload_refuses_content_that_is_not_what_it_claims(world, kind):
    session: Session = world.session
    for role, url, api, field, data in _entry_points(world.cast):
        files_before = _files()
        obs = request_as(
            session,
            role,
            "POST",
            url,
            api=api,
            json=False,
            baseline=world.baseline,
            always_diff=True,
            data={**data, field: _upload(DISGUISED[kind])},
        )
        assert obs.status == 400, (url, obs.status, obs.body[:300])
        assert "PDF" in obs.body, (url, obs.body[:300])  # the message names the accepted types
        assert obs.changed == [], (url, obs.changed)
        assert _files() == files_before, url
