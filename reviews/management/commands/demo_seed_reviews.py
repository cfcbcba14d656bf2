"""Demo data for the review workflow: applications of the demo enterprises at each step (waiting to
be claimed, in formal review with missing materials, returned for supplement, in expert review, at
the bureau decision, proposed and waiting for 复核 by an administrator, past 复核 and waiting for the
分管领导, in public notice). Every decision walks its approval chain (四眼原则) as on the pages: the
reviewer proposes, the administrator checks, the leader signs above 500,000 元. Called by demo_seed;
idempotent (demo applications are recognised by their title prefix and created once)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from applications.models import Application, Attachment, Enterprise, ProjectClaim
from applications.services import application_transition, reference_next
from applications.workflow import State
from portal.models import Role, User
from reviews.models import DecisionProposal
from reviews.services import approvals, assignments, experts, formal, notices
from vouchers.models import BudgetPool, Programme
from vouchers.selectors import estimate_as_json, estimate_for

PREFIX = "【演示】"
PASSED = "材料齐全，符合申报条件。"
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(f"缺少演示账户 {email}：请先运行 demo_seed。")
    return user


class Command(BaseCommand):
    help = "Put demo applications through the review workflow (idempotent)."

    def handle(self, *args, **options):
        if Application.objects.filter(title__startswith=PREFIX).exists():
            return
        owner_a, owner_b = _user("owner-a@demo.cn"), _user("owner-b@demo.cn")
        reviewer, admin, leader = _user("reviewer@demo.cn"), _user("admin@demo.cn"), _user("leader@demo.cn")
        reviewer_th, admin_th = _user("reviewer-th@demo.cn"), _user("admin-th@demo.cn")  # Tianhe's
        panel = list(
            User.objects.filter(role=Role.EXPERT, district=admin.district, email__endswith="@demo.cn").order_by(
                "email"
            )[:3]
        )
        a = owner_a.membership.enterprise
        b = owner_b.membership.enterprise
        with transaction.atomic():
            self._pools({admin.district: admin, admin_th.district: admin_th})
            waiting = self._submitted(
                owner_a,
                a,
                "hp-data-trading",
                {"annual_listed_trading": "6000000"},
                "数据交易所场内交易",
                claims=[("contract", "SZJY-2026-0088")],
            )
            missing = self._submitted(
                owner_a,
                a,
                "hp-data-asset-entry",
                {"booked_value": "900000", "service_fees": "120000", "first_booking": True},
                "数据资源入表",
                skip=["audit_report", "invoice"],
            )
            assignments.reviewer_claim(actor=reviewer, application=missing)
            returned = self._submitted(
                owner_b,
                b,
                "th-compute-subsidy",
                {"annual_contract_total": "8000000"},
                "大模型训练算力采购",
                skip=["payment_proof"],
            )
            assignments.reviewer_claim(actor=reviewer_th, application=returned)  # a Tianhe programme
            formal.formal_review_return(
                actor=reviewer_th,
                application=returned,
                note="请补充支付凭证。",
                items=[{"code": "payment_proof", "note": "须与合同金额一致并加盖公章"}],
            )
            deciding = self._submitted(
                owner_a, a, "hp-compute-voucher", {"eligible_cost": "320000"}, "开源模型本地部署算力服务"
            )
            assignments.reviewer_claim(actor=reviewer, application=deciding)
            formal.formal_review_pass(actor=reviewer, application=deciding, note=PASSED)
            competitive = self._submitted(
                owner_a, a, "hp-vertical-model-compute", {"compute_spend": "4200000"}, "工业质检垂直大模型"
            )
            assignments.reviewer_claim(actor=reviewer, application=competitive)
            formal.formal_review_pass(actor=reviewer, application=competitive, note=PASSED)
            if len(panel) >= 3:
                made = experts.experts_assign(actor=admin, application=competitive, experts=panel)
                for assignment, marks in zip(made[:2], [("34", "26", "25"), ("31", "24", "27")], strict=True):
                    experts.expert_declare(actor=assignment.expert, assignment=assignment, conflict=False)
                    experts.expert_scores_submit(
                        actor=assignment.expert,
                        assignment=assignment,
                        comment="技术路线清晰，应用生态较好。",
                        scores=dict(zip(["innovation", "ecosystem", "compute_effect"], marks, strict=True)),
                    )
            checking = self._proposed(
                reviewer,
                owner_a,
                a,
                "hp-model-deepsynth-filing",
                {"first_deep_synthesis_filing": True},
                "深度合成算法备案",
            )
            signing = self._proposed(
                reviewer, owner_a, a, "hp-data-space", {"recognized_by_higher_authority": True}, "行业可信数据空间建设"
            )
            approvals.proposal_approve(actor=admin, proposal=signing, comment="已复核测算及材料，同意，报分管领导。")
            noticed = self._submitted(
                owner_a,
                a,
                "hp-model-genai-filing",
                {"first_national_genai_filing": True, "demonstration_scenario": True},
                "生成式人工智能服务备案",
            )
            proposal = self._proposed(reviewer, owner_a, a, noticed, {}, "")
            for holder in (admin, leader):  # 复核, then 分管领导 when the amount's chain has that step
                if proposal.status == DecisionProposal.Status.PENDING:
                    proposal = approvals.proposal_approve(actor=holder, proposal=proposal, comment="同意。")
            notices.notice_publish(actor=admin, application_ids=[noticed.pk])
        if options.get("verbosity"):
            self.stdout.write(
                f"demo reviews: {waiting.reference} … {noticed.reference}; "
                f"waiting for 复核: {checking.application.reference}, "
                f"for 分管领导: {signing.application.reference}"
            )

    def _proposed(
        self, reviewer: User, owner: User, enterprise: Enterprise, what: str | Application, inputs: dict, title: str
    ) -> DecisionProposal:
        """Submitted (or given), claimed, formally passed and its full estimate proposed by the reviewer."""
        app = what if isinstance(what, Application) else self._submitted(owner, enterprise, what, inputs, title)
        assignments.reviewer_claim(actor=reviewer, application=app)
        formal.formal_review_pass(actor=reviewer, application=app, note=PASSED)
        app.refresh_from_db()
        return approvals.decision_propose(
            actor=reviewer,
            application=app,
            outcome="approve",
            amount=str(app.estimate_amount),
            comment="测算无误，拟按测算金额支持。",
        )

    def _pools(self, admins: dict[str, User]) -> None:
        """Each programme's pool set by its district's administrator."""
        from django.utils import timezone

        from vouchers.services.budget import pool_set_amount, programme_total_ceiling

        year = timezone.localdate().year
        for code in (
            "hp-data-trading",
            "hp-data-asset-entry",
            "th-compute-subsidy",
            "hp-compute-voucher",
            "hp-vertical-model-compute",
            "hp-model-genai-filing",
            "hp-model-deepsynth-filing",
            "hp-data-space",
        ):
            programme = Programme.objects.select_related("policy").get(code=code)
            admin = admins[programme.policy.district]
            if not BudgetPool.objects.filter(programme=programme, fiscal_year=year).exists():
                # never more than the programme's total over the period leaves (hp-compute-voucher: 10,000,000)
                bound = programme_total_ceiling(programme, year)
                amount = min(Decimal("20000000"), bound[2]) if bound else Decimal("20000000")
                pool_set_amount(actor=admin, programme=programme, fiscal_year=year, amount=amount)

    def _submitted(
        self,
        owner: User,
        enterprise: Enterprise,
        code: str,
        inputs: dict,
        title: str,
        skip: tuple | list = (),
        claims: tuple | list = (),
    ) -> Application:
        """An application as the applicant leaves it: inputs, estimate, materials, submitted."""
        programme = Programme.objects.select_related("policy").get(code=code)
        window = programme.windows.order_by("-opens_at").first()
        app = Application.objects.create(
            reference=reference_next(),
            enterprise=enterprise,
            programme=programme,
            window=window,
            title=f"{PREFIX}{title}",
            inputs=inputs,
            created_by=owner,
            description=f"{enterprise.name}{title}项目（演示数据）。",
        )
        est = estimate_for(programme=programme, inputs=inputs, enterprise=enterprise, exclude_application_id=app.pk)
        app.estimate_amount, app.estimate = est.amount, estimate_as_json(est)
        app.save(update_fields=["estimate_amount", "estimate"])
        for kind, value in claims:
            ProjectClaim.objects.create(application=app, kind=kind, value=value)
        for m in programme.materials:
            if m["code"] in skip:
                continue
            Attachment.objects.create(
                application=app,
                material=m["code"],
                file=ContentFile(PDF, name="demo.pdf"),
                original_name=f"{m['label_zh']}.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                uploaded_by=owner,
            )

        def declare(a: Application) -> None:
            from django.utils import timezone

            a.declared_at, a.declared_by = timezone.now(), owner

        application_transition(
            actor=owner, application=app, transition="submit", message="提交申报（演示）", apply=declare
        )
        app.refresh_from_db()
        assert app.state == State.SUBMITTED
        return app
