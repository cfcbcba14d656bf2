"""Demo data for vouchers and letters: a compute provider of the district's catalogue with the demo
provider user, a finally approved compute voucher of demo enterprise A with its approval letter, and
one redemption awaiting the enterprise's confirmation. The approved application is shown complete:
its materials, its estimate and decision, and its timeline from submission to the end of 公示.
Called by demo_seed; idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationEvent, Attachment
from applications.workflow import State
from portal.models import User
from portal.uscc import check_character
from reviews.letters.services import letter_create
from reviews.models import Decision
from vouchers.models import BudgetPool, ComputeProvider, Programme, ProviderMember
from vouchers.selectors import estimate_as_json, estimate_for
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
                defaults={
                    "name": "广州黄埔智算中心有限公司",
                    "services": "智能算力租赁、开源模型本地部署、模型云部署与API调用",
                    "district": "黄埔区/广州开发区",
                    "contact_name": "郑经理",
                    "contact_phone": "020-82000088",
                    "valid_from": dt.date(2025, 7, 1),
                },
            )
            ProviderMember.objects.get_or_create(user=provider_user, defaults={"provider": provider})
            BudgetPool.objects.get_or_create(
                programme=programme, fiscal_year=today.year, defaults={"amount": Decimal("20000000")}
            )
            app = Application.objects.create(
                reference=REFERENCE,
                enterprise=owner_a.membership.enterprise,
                programme=programme,
                state=State.APPROVED,
                title="开源大模型本地部署智能算力服务",
                inputs={"eligible_cost": "200000"},
                created_by=owner_a,
                submitted_at=timezone.now() - dt.timedelta(days=30),
                decided_at=timezone.now() - dt.timedelta(days=18),
            )
            self._complete(app, owner_a, reviewer, amount=Decimal("200000.00"))
            [award] = award_reserve(
                actor=reviewer,
                application=app,
                lines=[{"line": "", "enterprise_id": app.enterprise_id, "amount": "200000.00"}],
                decided_on=today,
                parameters={},
                explanation=[],
                idempotency_key=f"demo:{REFERENCE}",
            )
            award = award_commit(actor=None, award=award)
            voucher_issue(award=award)
            letter_create(application=app, kind="approval", actor=None)
        with transaction.atomic():
            redemption_create(
                actor=provider_user,
                voucher_code=award.voucher.code,
                holder_credit_code=app.enterprise.credit_code,
                invoice_number="44012600000000123456",
                invoice_date=today,
                amount="36800.00",
                invoice_file=SimpleUploadedFile("发票.pdf", INVOICE, "application/pdf"),
            )

    def _complete(self, app: Application, owner: User, reviewer: User, *, amount: Decimal) -> None:
        """What the pages show of an approved application: its materials, its estimate and decision,
        and the timeline of its steps (back-dated over the 30 days since submission)."""
        submitted = app.submitted_at
        est = estimate_for(
            programme=app.programme, inputs=app.inputs, enterprise=app.enterprise, exclude_application_id=app.pk
        )
        app.estimate_amount, app.estimate = est.amount, estimate_as_json(est)
        app.declared_at, app.declared_by = submitted, owner
        app.window = app.programme.windows.order_by("-opens_at").first()
        app.save(update_fields=["estimate_amount", "estimate", "declared_at", "declared_by", "window"])
        for m in app.programme.materials:
            Attachment.objects.create(
                application=app,
                material=m["code"],
                file=ContentFile(INVOICE, name="demo.pdf"),
                original_name=f"{m['label_zh']}.pdf",
                content_type="application/pdf",
                size=len(INVOICE),
                sha256=hashlib.sha256(INVOICE).hexdigest(),
                uploaded_by=owner,
            )
        Decision.objects.create(
            application=app,
            outcome=Decision.Outcome.APPROVE,
            amount=amount,
            max_amount=est.amount,
            reason="测算无误，按测算金额支持。",
            decided_on=timezone.localdate(submitted + dt.timedelta(days=12)),
            decided_by=reviewer,
        )
        steps = [  # (days after submission, actor, action, from, to, message)
            (0, owner, "submit", State.DRAFT, State.SUBMITTED, "提交申报（演示）"),
            (1, reviewer, "start_formal_review", State.SUBMITTED, State.FORMAL_REVIEW, "开始形式审查"),
            (3, reviewer, "pass_formal_review", State.FORMAL_REVIEW, State.BUREAU_REVIEW, "材料齐全，符合申报条件。"),
            (
                12,
                reviewer,
                "approve",
                State.BUREAU_REVIEW,
                State.APPROVED_PENDING_NOTICE,
                f"核定支持金额 {amount:,} 元。",
            ),
            (14, None, "publish_notice", State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE, "发布公示"),
            (23, None, "finalize", State.IN_PUBLIC_NOTICE, State.APPROVED, "公示期满，核定生效"),
        ]
        for days, actor, action, before, after, message in steps:
            event = ApplicationEvent.objects.create(
                application=app, actor=actor, action=action, from_state=before, to_state=after, message=message
            )
            ApplicationEvent.objects.filter(pk=event.pk).update(created_at=submitted + dt.timedelta(days=days))
