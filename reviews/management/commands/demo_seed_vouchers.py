"""Demo data for vouchers and letters: a compute provider of the district's catalogue with the demo
provider user, a finally approved compute voucher of demo enterprise A with its approval letter, and
one redemption awaiting the enterprise's confirmation. Called by demo_seed; idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from portal.models import User
from portal.uscc import check_character
from reviews.letters.services import letter_create
from vouchers.models import BudgetPool, ComputeProvider, Programme, ProviderMember
from vouchers.services.budget import award_commit, award_reserve
from vouchers.services.redemption import redemption_create, voucher_issue

REFERENCE = "DEMO-SLQ-000001"
PROVIDER_CODE = "91440116MA9W7YQ2X"
INVOICE = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(f"缺少演示账户 {email}：请先运行 demo_seed。")
    return user


class Command(BaseCommand):
    help = "Demo compute provider, voucher, approval letter and redemption (idempotent)."

    def handle(self, *args, **options):
        if Application.objects.filter(reference=REFERENCE).exists():
            return
        owner_a, reviewer = _user("owner-a@demo.cn"), _user("reviewer@demo.cn")
        provider_user = _user("provider@demo.cn")
        programme = Programme.objects.select_related("policy").get(code="hp-compute-voucher")
        today = timezone.localdate()
        with transaction.atomic():
            provider, _ = ComputeProvider.objects.get_or_create(
                credit_code=PROVIDER_CODE + check_character(PROVIDER_CODE),
                defaults={"name": "广州黄埔智算中心有限公司",
                          "services": "智能算力租赁、开源模型本地部署、模型云部署与API调用",
                          "district": "黄埔区/广州开发区", "contact_name": "郑经理", "contact_phone": "020-82000088",
                          "valid_from": dt.date(2025, 7, 1)})
            ProviderMember.objects.get_or_create(user=provider_user, defaults={"provider": provider})
            BudgetPool.objects.get_or_create(programme=programme, fiscal_year=today.year,
                                             defaults={"amount": Decimal("20000000")})
            app = Application.objects.create(
                reference=REFERENCE, enterprise=owner_a.membership.enterprise, programme=programme,
                state=State.APPROVED, title="开源大模型本地部署智能算力服务", inputs={"eligible_cost": "200000"},
                created_by=owner_a, submitted_at=timezone.now() - dt.timedelta(days=30), decided_at=timezone.now())
            [award] = award_reserve(actor=reviewer, application=app, lines=[
                {"line": "", "enterprise_id": app.enterprise_id, "amount": "200000.00"}], decided_on=today,
                parameters={}, explanation=[], idempotency_key=f"demo:{REFERENCE}")
            award = award_commit(actor=None, award=award)
            voucher_issue(award=award)
            letter_create(application=app, kind="approval", actor=None)
        with transaction.atomic():
            redemption_create(actor=provider_user, voucher_code=award.voucher.code,
                              holder_credit_code=app.enterprise.credit_code, invoice_number="44012600000000123456",
                              invoice_date=today, amount="36800.00",
                              invoice_file=SimpleUploadedFile("发票.pdf", INVOICE, "application/pdf"))
