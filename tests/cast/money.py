"""The cast's money: the compute provider, A's voucher and a pending redemption, and A's payments
(receiving accounts, staged and lump awards, batches, acceptance, a clawback)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from portal.models import Role
from tests.factories import UserFactory

from .base import PDF, _code, _upload


def _voucher(o: dict, users: dict) -> None:
    """The compute provider of the catalogue with the cast's provider user (and a declared relation
    with enterprise B), A's voucher from the approved award, and a pending redemption of part of it."""
    from vouchers.models import ComputeProvider, ProviderMember, Redemption, Voucher

    admin = users["admin"]
    today = timezone.localdate()
    try:
        from vouchers.services import redemption as svc
    except ImportError:  # before the redemption services exist
        svc = None
    fields = dict(
        name="广州智算云服务有限公司",
        credit_code=_code(31),
        services="智能算力租赁",
        district="黄埔区/广州开发区",
        valid_from=today - dt.timedelta(days=365),
    )
    if svc is not None:
        provider = svc.provider_save(actor=admin, **fields)
        o["provider_member"] = svc.provider_member_link(actor=admin, provider=provider, user=users["provider"])
        o["provider_relation"] = svc.provider_relation_declare(
            actor=admin, provider=provider, enterprise_credit_code=o["enterprise_b"].credit_code, kind="shareholding"
        )
    else:
        provider = ComputeProvider.objects.create(**fields)
        o["provider_member"] = ProviderMember.objects.create(provider=provider, user=users["provider"])
    o["compute_provider"] = provider
    award = o["award"]
    voucher = Voucher.objects.filter(award=award).first()
    if voucher is None and svc is not None:
        voucher = svc.voucher_issue(award=award)
    if voucher is None:
        voucher = Voucher.objects.create(
            code="HPV-2026-000001",
            award=award,
            enterprise=award.enterprise,
            programme=award.programme,
            face_value=award.amount,
            balance=award.amount,
            issued_on=today,
            expires_on=today + dt.timedelta(days=365),
        )
    if svc is not None:
        redemption = svc.redemption_create(
            actor=users["provider"],
            voucher_code=voucher.code,
            holder_credit_code=voucher.enterprise.credit_code,
            invoice_number="INV20260001",
            invoice_date=today,
            amount="1000.00",
            invoice_file=_upload("invoice.pdf"),
        )
    else:
        redemption = Redemption(
            voucher=voucher,
            provider=provider,
            invoice_number="INV20260001",
            invoice_date=today,
            amount=Decimal("1000.00"),
            original_name="invoice.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            created_by=users["provider"],
        )
        redemption.invoice_file.save("invoice.pdf", ContentFile(PDF), save=False)
        redemption.save()
        Voucher.objects.filter(pk=voucher.pk).update(balance=voucher.balance - redemption.amount)
    voucher.refresh_from_db()
    o["voucher"] = voucher
    o["redemption"] = redemption


def _payments(o: dict, users: dict) -> None:
    """Money after the decision, for enterprise A: its verified receiving account and a change waiting
    for verification; a staged award (hp-transformation-center) whose first tranche is in a draft batch
    prepared by another administrator (so the cast's administrator may approve it) and whose second
    waits on a submitted acceptance report; a lump award (hp-model-genai-filing) paid in a closed batch
    and partly clawed back (owed)."""
    from vouchers.models import BudgetPool, Programme
    from vouchers.services import accounts, clawbacks, payments
    from vouchers.services.acceptance import AcceptanceUpload, acceptance_report_submit
    from vouchers.services.budget import award_commit, award_reserve

    admin, owner_a = users["admin"], users["owner_a"]
    finance = UserFactory(role=Role.BUREAU_ADMIN, email="finance@example.cn", is_staff=True)
    enterprise = o["enterprise_a"]
    today = timezone.localdate()
    account = accounts.account_submit(
        actor=owner_a,
        enterprise=enterprise,
        account_name=enterprise.name,
        bank_name="中国工商银行",
        branch_name="广州开发区支行",
        account_number="44050112345678901234",
    )
    o["receiving_account"] = accounts.account_verify(actor=admin, account=account)
    o["account_pending"] = accounts.account_submit(
        actor=owner_a,
        enterprise=enterprise,
        account_name=enterprise.name,
        bank_name="中国建设银行",
        branch_name="科学城支行",
        account_number="11112222333344445555",
    )
    awards = {}
    for n, (code, amount, tranches) in enumerate(
        (
            ("hp-transformation-center", "300000", [{"amount": "100000"}, {"amount": "200000"}]),
            ("hp-model-genai-filing", "100000", None),
        ),
        start=31,
    ):
        programme = Programme.objects.get(code=code)
        BudgetPool.objects.get_or_create(
            programme=programme, fiscal_year=today.year, defaults={"amount": Decimal("10000000")}
        )
        app = Application.objects.create(
            reference=f"GZAI-{today.year}-9{n:05d}",
            enterprise=enterprise,
            programme=programme,
            state=State.APPROVED,
            title=f"{programme.name_zh}项目",
            created_by=owner_a,
            submitted_at=timezone.now(),
        )
        [award] = award_reserve(
            actor=admin,
            application=app,
            decided_on=today,
            parameters={},
            explanation=[],
            idempotency_key=f"cast:{app.pk}",
            lines=[{"enterprise_id": enterprise.pk, "line": "", "amount": Decimal(amount)}],
        )
        award = award_commit(actor=admin, award=award)
        payments.award_schedules_create(
            actor=admin, awards=[award], tranches=tranches, document_number=f"穗开经信批字〔{today.year}〕{n}号"
        )
        awards[code] = award
    staged, lump = awards["hp-transformation-center"], awards["hp-model-genai-filing"]
    o["payment_award"] = staged
    o["tranche_waiting"] = staged.tranches.get(seq=2)
    o["acceptance"] = acceptance_report_submit(
        actor=owner_a,
        tranche=o["tranche_waiting"],
        summary="促进中心建设完成，已通过第三方验收（验收报告 YS-2026-01）。",
        files=[
            AcceptanceUpload(
                file=ContentFile(PDF),
                extension="pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                name="验收报告.pdf",
            )
        ],
    )
    o["acceptance_file"] = o["acceptance"].files.get()
    o["payment_batch"] = payments.batch_prepare(actor=finance, tranche_ids=[staged.tranches.get(seq=1).pk])
    paid = payments.batch_approve(
        actor=admin, batch=payments.batch_prepare(actor=finance, tranche_ids=[lump.tranches.get().pk])
    )
    o["payment_batch_paid"] = payments.batch_results_record(
        actor=admin,
        batch=paid,
        results=[payments.LineResult(seq=1, paid=True, paid_on=today, voucher_number="GK-CAST-1")],
    )
    o["clawback"] = clawbacks.clawback_decide(
        actor=admin, award=lump, amount="1000", reason="经核查部分支出不符合要求，予以追回。"
    )
