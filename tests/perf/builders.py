"""Rows for the query-count tests, written straight through the ORM (no services: the tests measure
reads). Every builder adds `n` rows that the list it feeds must show, each carrying a unique marker
(a reference, a number, a title) so that a test can check the rows really are on the page."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application, ApplicationEvent, ProjectClaim
from applications.workflow import State
from portal.models import Notification
from reviews.models import (
    ExpertAssignment,
    ExpertScore,
    Letter,
    Objection,
    PublicNotice,
    PublicNoticeEntry,
    ReviewAssignment,
)
from tests.factories import EnterpriseFactory, member
from vouchers.models import (
    ApplicationWindow,
    Award,
    BudgetPool,
    ComputeProvider,
    LedgerEntry,
    ParameterValue,
    Programme,
    ProviderMember,
    Redemption,
    Voucher,
)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_serial = itertools.count(1)
OPEN_STATES = [State.SUBMITTED, State.FORMAL_REVIEW, State.SUPPLEMENT_REQUESTED, State.BUREAU_REVIEW]


def marker(prefix: str) -> str:
    return f"{prefix}{next(_serial):06d}"


class World:
    """The standing cast of tests/conftest.py plus the catalogue, with room for more rows."""

    def __init__(
        self, *, catalogue, owner_a, enterprise_a, owner_b, enterprise_b, reviewer, expert, bureau_admin, provider_user
    ):
        self.catalogue = catalogue
        self.owner_a, self.enterprise_a = owner_a, enterprise_a
        self.owner_b, self.enterprise_b = owner_b, enterprise_b
        self.reviewer, self.expert, self.admin, self.provider_user = reviewer, expert, bureau_admin, provider_user
        self.standard = catalogue["hp-compute-voucher"]
        self.competitive = catalogue["hp-scenario-voucher"]
        self.window = ApplicationWindow.objects.create(
            programme=self.competitive,
            name="2026年第一批",
            opens_at=timezone.now() - dt.timedelta(days=60),
            closes_at=timezone.now() + dt.timedelta(days=60),
        )
        self.provider = ComputeProvider.objects.create(
            name="广州测试算力服务有限公司",
            credit_code="91440112MA5PERF01X",
            services="智能算力租赁",
            valid_from=dt.date(2025, 1, 1),
        )
        ProviderMember.objects.create(provider=self.provider, user=provider_user)
        self.notice = None
        self.pool = None

    # ---------------------------------------------------------------- applications

    def applications(
        self, n: int, *, enterprise=None, states=None, programme=None, days_ago: int = 3, assigned_to=None, window=None
    ) -> list[str]:
        """n applications (alternating states) with two claims and their submit event each."""
        enterprise = enterprise or self.enterprise_a
        states = states or [State.DRAFT, *OPEN_STATES, State.APPROVED, State.DECLINED]
        by = enterprise.members.select_related("user").first().user
        refs = []
        now = timezone.now()
        for i in range(n):
            state = states[i % len(states)]
            ref = marker("GZAI-PERF-")
            submitted = None if state == State.DRAFT else now - dt.timedelta(days=days_ago, hours=i)
            app = Application.objects.create(
                reference=ref,
                enterprise=enterprise,
                programme=programme or self.standard,
                window=window,
                state=state,
                title=f"性能测试项目{ref}",
                inputs={"eligible_cost": "100000.00"},
                estimate_amount=Decimal("100000.00"),
                submitted_at=submitted,
                declared_at=submitted,
                declared_by=by if submitted else None,
                created_by=by,
                due_date=timezone.localdate() - dt.timedelta(days=1) if state != State.DRAFT else None,
            )
            ProjectClaim.objects.bulk_create(
                [
                    ProjectClaim(application=app, kind="contract", value=f"HT-{ref}"),
                    ProjectClaim(application=app, kind="invoice", value=f"FP-{ref}"),
                ]
            )
            if submitted:
                ev = ApplicationEvent.objects.create(
                    application=app, actor=by, action="submit", from_state=State.DRAFT, to_state=State.SUBMITTED
                )
                ApplicationEvent.objects.filter(pk=ev.pk).update(created_at=submitted)
            if assigned_to is not None and state != State.DRAFT:
                ReviewAssignment.objects.create(application=app, reviewer=assigned_to, assigned_by=self.admin)
            refs.append(ref)
        return refs

    def queue(self, n: int, *, days_ago: int = 3) -> list[str]:
        """Open applications: every other one assigned to the reviewer, the rest waiting unassigned;
        of two enterprises."""
        refs = []
        for i in range(n):
            ent = self.enterprise_a if i % 2 else self.enterprise_b
            refs += self.applications(
                1,
                enterprise=ent,
                states=[OPEN_STATES[i % 4] if i % 2 else State.SUBMITTED],
                assigned_to=self.reviewer if i % 2 else None,
                days_ago=days_ago,
            )
        return refs

    # ---------------------------------------------------------------- experts

    def expert_panels(self, n: int, *, submitted: bool = True) -> list[str]:
        """n competitive applications of the batch with the expert (and two others) on each panel,
        scores submitted: the expert's list and the batch ranking."""
        refs = self.applications(
            n,
            enterprise=self.enterprise_b,
            programme=self.competitive,
            states=[State.BUREAU_REVIEW],
            assigned_to=self.reviewer,
            window=self.window,
        )
        criteria = self.competitive.criteria
        for app in Application.objects.filter(reference__in=refs):
            a = ExpertAssignment.objects.create(
                application=app,
                expert=self.expert,
                assigned_by=self.reviewer,
                status=ExpertAssignment.Status.SUBMITTED if submitted else ExpertAssignment.Status.PENDING,
                total=Decimal("80") if submitted else None,
                submitted_at=timezone.now() if submitted else None,
            )
            if submitted:
                ExpertScore.objects.bulk_create(
                    [
                        ExpertScore(
                            assignment=a,
                            criterion=c["code"],
                            label=c["label_zh"],
                            max_score=c["max_score"],
                            score=Decimal(c["max_score"]) * Decimal("0.8"),
                        )
                        for c in criteria
                    ]
                )
        return refs

    # ---------------------------------------------------------------- notices

    def notices(self, n: int) -> list[str]:
        """n public notices of the standard programme, each with one entry."""
        titles = []
        refs = self.applications(n, states=[State.IN_PUBLIC_NOTICE])
        for ref in refs:
            app = Application.objects.get(reference=ref)
            title = f"拟支持名单公示{ref}"
            notice = PublicNotice.objects.create(
                title=title,
                programme=self.standard,
                window=None,
                published_by=self.admin,
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate() + dt.timedelta(days=9),
                workdays=7,
            )
            PublicNoticeEntry.objects.create(
                notice=notice,
                application=app,
                enterprise_name=app.enterprise.name,
                programme_name=self.standard.name_zh,
                project_title=app.title,
                amount=Decimal("100000.00"),
            )
            titles.append(title)
        return titles

    def notice_entries(self, n: int) -> list[str]:
        """n entries (and an objection on each) on one notice."""
        if self.notice is None:
            self.notice = PublicNotice.objects.create(
                title="批量公示",
                programme=self.standard,
                published_by=self.admin,
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate() + dt.timedelta(days=9),
                workdays=7,
            )
        refs = self.applications(n, states=[State.IN_PUBLIC_NOTICE])
        for app in Application.objects.filter(reference__in=refs).select_related("enterprise"):
            PublicNoticeEntry.objects.create(
                notice=self.notice,
                application=app,
                enterprise_name=app.reference,
                programme_name=self.standard.name_zh,
                project_title=app.title,
                amount=Decimal("100000.00"),
            )
            Objection.objects.create(
                notice=self.notice,
                application=app,
                objector_kind="person",
                objector_name=f"异议人{app.reference}",
                contact_phone="13800000000",
                content="异议内容",
                due_date=timezone.localdate() + dt.timedelta(days=5),
            )
        return refs

    # ---------------------------------------------------------------- money

    def awards(self, n: int, *, commit: bool = True) -> list[str]:
        """n awards on one pool of the standard programme, each with its ledger rows (reserved, and
        committed unless `commit` is false)."""
        if self.pool is None:
            self.pool = BudgetPool.objects.create(
                programme=self.standard, fiscal_year=2026, amount=Decimal("100000000")
            )
        refs = self.applications(n, states=[State.APPROVED])
        for app in Application.objects.filter(reference__in=refs):
            status = Award.Status.COMMITTED if commit else Award.Status.RESERVED
            award = Award.objects.create(
                application=app,
                enterprise=app.enterprise,
                programme=self.standard,
                pool=self.pool,
                fiscal_year=2026,
                amount=Decimal("1000.00"),
                status=status,
                decided_on=timezone.localdate(),
            )
            LedgerEntry.objects.create(
                pool=self.pool, award=award, kind="reserve", amount=Decimal("1000.00"), reference=app.reference
            )
            if commit:
                LedgerEntry.objects.create(pool=self.pool, award=award, kind="commit", amount=Decimal("1000.00"))
        held = Award.objects.filter(pool=self.pool)
        BudgetPool.objects.filter(pk=self.pool.pk).update(
            committed=Decimal("1000.00") * held.filter(status=Award.Status.COMMITTED).count(),
            reserved=Decimal("1000.00") * held.filter(status=Award.Status.RESERVED).count(),
        )
        return refs

    def pools(self, n: int) -> list[str]:
        """n pools (one per fiscal year) of the standard programme."""
        first = 2030 + BudgetPool.objects.filter(fiscal_year__gte=2030).count()
        for year in range(first, first + n):
            BudgetPool.objects.create(programme=self.standard, fiscal_year=year, amount=Decimal("1000000"))
        return [str(y) for y in range(first, first + n)]

    def vouchers(self, n: int) -> list[str]:
        """n vouchers of enterprise A, each redeemed once by the provider (awaiting confirmation)."""
        refs = self.awards(n)
        codes = []
        for award in Award.objects.filter(application__reference__in=refs).select_related("application"):
            code = marker("QPERF")
            voucher = Voucher.objects.create(
                code=code,
                award=award,
                enterprise=award.enterprise,
                programme=self.standard,
                face_value=award.amount,
                balance=award.amount - Decimal("10.00"),
                issued_on=timezone.localdate(),
                expires_on=timezone.localdate() + dt.timedelta(days=300),
            )
            Redemption.objects.create(
                voucher=voucher,
                provider=self.provider,
                invoice_number=f"INV-{code}",
                invoice_date=timezone.localdate(),
                amount=Decimal("10.00"),
                invoice_file=ContentFile(PDF, name="invoice.pdf"),
                original_name="invoice.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                created_by=self.provider_user,
            )
            codes.append(code)
        return codes

    def providers(self, n: int) -> list[str]:
        names = []
        for _ in range(n):
            name = marker("性能测试服务商")
            provider = ComputeProvider.objects.create(
                name=name, credit_code=marker("91440112PF")[:18], services="算力", valid_from=dt.date(2025, 1, 1)
            )
            ProviderMember.objects.create(provider=provider, user=member(EnterpriseFactory(), "owner"))
            names.append(name)
        return names

    # ---------------------------------------------------------------- letters, inbox, catalogue

    def letters(self, n: int) -> list[str]:
        refs = self.applications(n, states=[State.APPROVED])
        numbers = []
        for app in Application.objects.filter(reference__in=refs).select_related("enterprise"):
            serial = next(_serial)
            number = f"穗开经信批字〔2026〕{serial}号"
            Letter.objects.create(
                application=app,
                programme_id=app.programme_id,
                kind=Letter.Kind.APPROVAL,
                status=Letter.Status.READY,
                authority="广州开发区经济和信息化局",
                prefix="穗开经信批字",
                year=2026,
                serial=serial,
                number=number,
                code=f"C{serial:09d}",
                template="approval_v1",
                addressee_name=app.enterprise.name,
                addressee_credit_code=app.enterprise.credit_code,
                amount=Decimal("1000.00"),
                issued_on=timezone.localdate(),
                sha256="a" * 64,
                size=100,
            )
            numbers.append(number)
        return numbers

    def inbox(self, n: int) -> list[str]:
        subjects = [marker("站内信") for _ in range(n)]
        Notification.objects.bulk_create(
            [Notification(recipient=self.owner_a, kind="decision", subject=s, body=s) for s in subjects]
        )
        return subjects

    def programmes(self, n: int) -> list[str]:
        """n more programmes of the Huangpu policy (copies of the compute voucher) with their
        parameters and a window each."""
        names = []
        base = self.standard
        for _ in range(n):
            code = marker("a-perf-")  # listed first (the catalogue's own codes start with hp- and th-)
            name = f"性能测试项目{code[-6:]}"
            p = Programme.objects.create(
                policy=base.policy,
                code=code,
                name_zh=name,
                kind=base.kind,
                article=base.article,
                clause_text=base.clause_text,
                summary_zh=base.summary_zh,
                review_path=base.review_path,
                is_voucher=False,
                formula=base.formula,
                inputs=base.inputs,
                materials=base.materials,
                criteria=base.criteria,
                spec={**base.spec, "code": code, "name_zh": name},
                sort_order=0,
            )
            ParameterValue.objects.bulk_create(
                [
                    ParameterValue(
                        programme=p, name=v.name, value=v.value, effective_from=v.effective_from, clause=v.clause
                    )
                    for v in base.parameters.all()
                ]
            )
            ApplicationWindow.objects.create(
                programme=p,
                name="2026年第一批",
                opens_at=timezone.now() - dt.timedelta(days=1),
                closes_at=timezone.now() + dt.timedelta(days=30),
            )
            names.append(name)
        return names
