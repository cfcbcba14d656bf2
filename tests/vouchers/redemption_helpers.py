"""Vouchers, providers and invoices for the redemption tests (plain functions; each test file wraps
them in its fixtures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tests.factories import make_uscc
from tests.letters.helpers import make_application, make_award
from vouchers.models import ComputeProvider, ProviderMember, Voucher
from vouchers.services.redemption import redemption_create, voucher_issue

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def invoice_pdf(name: str = "invoice.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def issue_voucher(*, programme, enterprise, created_by, amount: str = "500000.00") -> Voucher:
    application = make_application(
        enterprise=enterprise, programme=programme, created_by=created_by, title="大模型推理算力采购"
    )
    award = make_award(application=application, amount=amount)
    with transaction.atomic():
        return voucher_issue(award=award)


def make_provider(
    *,
    user=None,
    n: int = 1,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    credit_code: str | None = None,
) -> ComputeProvider:
    provider = ComputeProvider.objects.create(
        name=f"黄埔智算中心{n}号有限公司",
        credit_code=credit_code or make_uscc(900000 + n),
        services="智能算力租赁、模型云部署、API调用",
        valid_from=valid_from or dt.date(2025, 7, 1),
        valid_to=valid_to,
    )
    if user is not None:
        ProviderMember.objects.create(provider=provider, user=user)
    return provider


def redeem(
    *,
    actor,
    voucher: Voucher,
    amount="1000.00",
    invoice_number: str = "25442000000012345678",
    invoice_date: dt.date | None = None,
    holder: str | None = None,
    file=None,
):
    return redemption_create(
        actor=actor,
        voucher_code=voucher.code,
        holder_credit_code=holder if holder is not None else voucher.enterprise.credit_code,
        invoice_number=invoice_number,
        invoice_date=invoice_date or timezone.localdate(),
        amount=amount,
        invoice_file=file or invoice_pdf(),
    )


ZERO = Decimal("0.00")
