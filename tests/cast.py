"""The standing cast as a full scenario, for the permission matrix, the API fuzzing and the fault tests.

`cast_build()` makes, through the real services wherever they exist (ORM otherwise):

- enterprise A with its owner and an agent, and applications of A in many states: a draft with its
  files, submitted (unassigned), in formal review, returned for supplement, in substantive (bureau)
  review, in expert review (a panel without the cast's expert), in public notice with an objection,
  approved (award committed, approval letter with its PDF, a voucher with a pending redemption);
- enterprise B with its owner and an application in expert review on which the cast's expert sits
  (so the expert is "assigned elsewhere" for everything of A);
- an assigned reviewer (of A's applications) and an unassigned one, the bureau administrator, and a
  compute provider's user (linked to a provider of the catalogue); all the staff are Huangpu's (所属区域
  huangpu, the district of hp2025, under which everything of A is), besides a Tianhe reviewer and a
  Tianhe bureau administrator (reviewer_th, admin_th: th2024's district), for whom every Huangpu object
  is another district's;
- a two-party application of B (th-scenario-demo) naming A as the buyer, A's confirmation pending;
- an invitation of A (with the raw token of its link), an inbox message of A's owner, a budget pool,
  and an API token for every user;
- four eyes (`_four_eyes`): A's decision (a decline) proposed by the assigned reviewer, waiting for 复核 by an
  administrator; an approved application of A's under the competitive programme with its collective
  decision (集体决策) and signed minutes;
- A's money after the decision (`_payments`): a verified receiving account and a change waiting, a staged
  award with a draft payment batch and an acceptance report waiting, a paid award partly clawed back;
- 实名核验 (`_verification`): enterprise C registered by its claimant with the licence, unverified, its
  claim in the bureau's queue; a contested claim on A's code by an outsider; A's request to change a
  fact (industry) with its evidence, waiting.

Every object the matrix needs is an attribute of the returned `Cast`; `cast.users` maps each role of
the matrix (anonymous included, as None) to its user."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from applications.models import Application, Attachment, EnterpriseMember
from applications.workflow import State
from portal.models import Notification, Role, User
from tests.approvals import approve, propose

from .factories import EnterpriseFactory, UserFactory, member

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The roles of the matrix, in the order the tables print them.
ROLES = (
    "anon",
    "owner_a",
    "agent_a",
    "owner_b",
    "reviewer",
    "reviewer_other",
    "expert",
    "admin",
    "provider",
    "reviewer_th",
    "admin_th",
)

STANDARD = "hp-compute-voucher"  # standard path, a voucher programme
COMPETITIVE = "hp-vertical-model-compute"  # competitive path (expert review)

DRAFT = {
    "title": "大模型推理算力采购",
    "description": "租用区内智算中心算力用于开源模型本地部署。",
    "contract_numbers": "HT-2026-001",
    "invoice_numbers": "26442000000012345678",
    "inputs": {"eligible_cost": "300000.00"},
}


@dataclass
class Cast:
    users: dict[str, User | None]
    tokens: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str) -> User | None:
        return self.users[role]


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _draft(programme, owner, *, n: int, data: dict | None = None) -> Application:
    from applications.services import application_create, attachment_add

    data = dict(data or DRAFT)
    data["contract_numbers"] = f"HT-2026-{n:03d}"
    data["invoice_numbers"] = f"2644200000001234{n:04d}"
    app = application_create(actor=owner, programme=programme, data=data).application
    for material in programme.materials:
        attachment_add(
            actor=owner, application=app, material=material["code"], upload=_upload(f"{material['code']}.pdf")
        )
    app.refresh_from_db()
    return app


def _submitted(programme, owner, *, n: int, data: dict | None = None) -> Application:
    from applications.services import application_submit

    app = _draft(programme, owner, n=n, data=data)
    return application_submit(actor=owner, application=app, declaration=True)


def cast_build(*, letters: bool = True) -> Cast:
    """Build the whole scenario (call inside a test database; takes about a second, more with the
    letter's PDF: `letters=False` skips rendering it)."""
    from reviews.services import assignments, formal, notices, objections
    from reviews.services import experts as panel
    from vouchers.models import ApplicationWindow, BudgetPool, Programme
    from vouchers.services.catalogue import catalogue_load

    if not Programme.objects.exists():
        catalogue_load()
    standard = Programme.objects.select_related("policy").get(code=STANDARD)
    competitive = Programme.objects.select_related("policy").get(code=COMPETITIVE)
    now = timezone.now()
    year = timezone.localdate().year
    windows = {}
    for programme in (standard, competitive):
        windows[programme.code] = ApplicationWindow.objects.create(
            programme=programme,
            name=f"{year}年第一批",
            opens_at=now - dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=30),
        )
        BudgetPool.objects.get_or_create(
            programme=programme, fiscal_year=year, defaults={"amount": Decimal("100000000")}
        )

    enterprise_a = EnterpriseFactory(name="广州甲智能科技有限公司")
    enterprise_b = EnterpriseFactory(name="广州乙数据服务有限公司")
    users: dict[str, User | None] = {
        "anon": None,
        "owner_a": member(enterprise_a, EnterpriseMember.MemberRole.OWNER, email="owner-a@example.cn"),
        "agent_a": member(enterprise_a, EnterpriseMember.MemberRole.AGENT, email="agent-a@example.cn"),
        "owner_b": member(enterprise_b, EnterpriseMember.MemberRole.OWNER, email="owner-b@example.cn"),
        "reviewer": UserFactory(role=Role.REVIEWER, email="reviewer@example.cn"),
        "reviewer_other": UserFactory(role=Role.REVIEWER, email="reviewer2@example.cn"),
        "expert": UserFactory(role=Role.EXPERT, email="expert@example.cn"),
        "admin": UserFactory(role=Role.BUREAU_ADMIN, email="admin@example.cn", is_staff=True),
        "provider": UserFactory(role=Role.PROVIDER, email="provider@example.cn"),
        "reviewer_th": UserFactory(role=Role.REVIEWER, email="reviewer-th@example.cn", district="tianhe"),
        "admin_th": UserFactory(role=Role.BUREAU_ADMIN, email="admin-th@example.cn", is_staff=True, district="tianhe"),
    }
    panel_experts = [UserFactory(role=Role.EXPERT, email=f"panel{i}@example.cn") for i in range(1, 4)]
    owner_a, owner_b, reviewer, admin = users["owner_a"], users["owner_b"], users["reviewer"], users["admin"]
    o: dict[str, Any] = {
        "enterprise_a": enterprise_a,
        "enterprise_b": enterprise_b,
        "standard": standard,
        "competitive": competitive,
        "window": windows[standard.code],
        "window_competitive": windows[competitive.code],
        "panel_experts": panel_experts,
    }

    # ------------------------------------------------------------ enterprise A's applications
    o["a_draft"] = _draft(standard, owner_a, n=1)
    o["a_attachment"] = o["a_draft"].attachments.first()
    o["a_submitted"] = _submitted(standard, owner_a, n=2)

    o["a_formal"] = _submitted(standard, owner_a, n=3)
    assignments.reviewer_assign(actor=admin, application=o["a_formal"], reviewer=reviewer)
    o["a_formal"].refresh_from_db()

    o["a_supplement"] = _submitted(standard, owner_a, n=4)
    assignments.reviewer_assign(actor=admin, application=o["a_supplement"], reviewer=reviewer)
    o["a_supplement_request"] = formal.formal_review_return(
        actor=reviewer,
        application=o["a_supplement"],
        note="请补充付款凭证",
        items=[{"code": "payment_proof", "note": "须加盖银行印章"}],
    )
    o["a_supplement"].refresh_from_db()

    o["a_bureau"] = _submitted(standard, owner_a, n=5)
    assignments.reviewer_assign(actor=admin, application=o["a_bureau"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_bureau"], note="材料齐全，符合申报条件。")
    o["a_bureau"].refresh_from_db()

    competitive_data = {**DRAFT, "inputs": {"compute_spend": "2000000"}}
    o["a_expert"] = _submitted(competitive, owner_a, n=6, data=competitive_data)
    assignments.reviewer_assign(actor=admin, application=o["a_expert"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_expert"], note="材料齐全，符合申报条件。")
    o["a_expert_assignments"] = panel.experts_assign(actor=admin, application=o["a_expert"], experts=panel_experts)
    o["a_expert_assignment"] = o["a_expert_assignments"][0]
    o["a_expert"].refresh_from_db()

    # In public notice, with an objection lodged by the public.
    o["a_notice"] = _submitted(standard, owner_a, n=7)
    assignments.reviewer_assign(actor=admin, application=o["a_notice"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_notice"], note="材料齐全，符合申报条件。")
    approve(actor=reviewer, application=o["a_notice"], amount=_maximum(o["a_notice"]))
    o["notice"] = notices.notice_publish(actor=admin, application_ids=[o["a_notice"].pk])
    o["objection"] = objections.objection_lodge(
        notice=o["notice"],
        application_id=o["a_notice"].pk,
        objector_kind="person",
        objector_name="张三",
        contact_phone="13800000000",
        content="该项目的合同金额与实际采购不符，请核查。",
    )
    o["a_notice"].refresh_from_db()

    # Approved: decided, published, the period over (moved into the past), finalised.
    o["a_approved"] = _submitted(standard, owner_a, n=8)
    assignments.reviewer_assign(actor=admin, application=o["a_approved"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_approved"], note="材料齐全，符合申报条件。")
    approve(actor=reviewer, application=o["a_approved"], amount=_maximum(o["a_approved"]))
    o["notice_closed"] = notices.notice_publish(actor=admin, application_ids=[o["a_approved"].pk])
    type(o["notice_closed"]).objects.filter(pk=o["notice_closed"].pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=20), ends_on=timezone.localdate() - dt.timedelta(days=2)
    )
    notices.notice_finalize(application=o["a_approved"], actor=admin)
    o["a_approved"].refresh_from_db()
    o["notice_closed"].refresh_from_db()
    from vouchers.models import Award

    o["award"] = Award.objects.get(application=o["a_approved"])
    o["pool"] = o["award"].pool
    _letters(o, admin, render=letters)
    _voucher(o, users)
    _payments(o, users)
    _four_eyes(o, users, owner_a=owner_a, standard=standard, competitive=competitive, window=windows[competitive.code])

    # ------------------------------------------------------------ enterprise B: the cast's expert sits here
    o["b_expert"] = _submitted(
        competitive, owner_b, n=21, data={**competitive_data, "inputs": {"compute_spend": "1000000"}}
    )
    assignments.reviewer_assign(actor=admin, application=o["b_expert"], reviewer=users["reviewer_other"])
    formal.formal_review_pass(actor=users["reviewer_other"], application=o["b_expert"], note="材料齐全，符合申报条件。")
    made = panel.experts_assign(actor=admin, application=o["b_expert"], experts=[users["expert"], *panel_experts[:2]])
    o["expert_assignment"] = panel.expert_declare(actor=users["expert"], assignment=made[0], conflict=False)
    o["b_expert"].refresh_from_db()
    o["b_draft"] = _draft(standard, owner_b, n=22)
    o["b_two_party"] = _two_party(enterprise_b, owner_b, buyer=enterprise_a)
    o["a_preapproval"] = _preapproval(enterprise_a, owner_a)
    _verification(o, users)
    _proactive(o, users)

    # ------------------------------------------------------------ the rest
    o["invitation"], o["invitation_token"] = _invitation(enterprise_a, owner_a)
    o["agent_membership"] = users["agent_a"].membership
    o["notification"] = Notification.objects.create(
        recipient=owner_a,
        kind=Notification.Kind.ACCOUNT,
        subject="欢迎使用",
        body="欢迎",
        link="/",
        dedupe_key="cast:welcome",
    )
    tokens = {role: AuthToken.objects.create(user=u)[1] for role, u in users.items() if u is not None}
    for u in panel_experts:
        AuthToken.objects.create(user=u)
    return Cast(users=users, tokens=tokens, objects=o)


def _four_eyes(o: dict, users: dict, *, owner_a, standard, competitive, window) -> None:
    """四眼: A's decision (a decline) proposed by the assigned reviewer and waiting for 复核 (an administrator);
    A's approved application of the competitive programme awaiting its notice (made directly: the
    panel's path is the cast's a_expert) with its collective decision (集体决策) and signed minutes."""
    from reviews.services import assignments, formal
    from reviews.services.collective import collective_decision_record

    reviewer, admin = users["reviewer"], users["admin"]
    o["a_proposed"] = _submitted(standard, owner_a, n=9)
    assignments.reviewer_assign(actor=admin, application=o["a_proposed"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_proposed"], note="材料齐全，符合申报条件。")
    # A's earlier vouchers exhaust its 500,000 of the period: the reviewer proposes to decline
    o["proposal"] = propose(
        actor=reviewer,
        application=o["a_proposed"],
        outcome="decline",
        reason="政策有效期内已获算力券支持累计达50万元上限。",
        comment="拟不予支持。",
    )
    o["a_proposed"].refresh_from_db()
    now = timezone.now()
    o["a_competitive_approved"] = Application.objects.create(
        reference=f"GZAI-{timezone.localdate().year}-900009",
        enterprise=o["enterprise_a"],
        programme=competitive,
        window=window,
        state=State.APPROVED_PENDING_NOTICE,
        title="工业质检垂直大模型",
        created_by=owner_a,
        submitted_at=now,
        declared_at=now,
        declared_by=owner_a,
        inputs={"compute_spend": "2000000"},
    )
    o["collective_decision"] = collective_decision_record(
        actor=admin,
        programme=competitive,
        application_ids=[o["a_competitive_approved"].pk],
        meeting_name="2026年第5次局务会议",
        meeting_date=timezone.localdate(),
        attendees="张局长（主持）\n李副局长",
        minutes="审议拟支持名单，同意予以支持。",
        upload=_upload("minutes.pdf"),
    )


def _maximum(app: Application) -> str:
    from reviews.selectors import decision_estimate

    return str(decision_estimate(app).amount)


def _letters(o: dict, admin: User, *, render: bool) -> None:
    from reviews.letters.services import letter_create, letter_generate_now
    from reviews.models import Letter

    with transaction.atomic():
        letter = letter_create(application=o["a_approved"], kind=Letter.Kind.APPROVAL, actor=admin)
    if render:
        letter = letter_generate_now(letter_id=letter.pk)
    else:  # a stand-in PDF, stored like the real one
        letter.pdf.save(f"{letter.year}/{letter.pk:08d}-{letter.code}.pdf", ContentFile(PDF), save=False)
        Letter.objects.filter(pk=letter.pk).update(
            pdf=letter.pdf.name,
            sha256=hashlib.sha256(PDF).hexdigest(),
            size=len(PDF),
            status=Letter.Status.READY,
            generated_at=timezone.now(),
        )
        letter.refresh_from_db()
    o["letter"] = letter
    with transaction.atomic():
        o["letter_supplement"] = letter_create(application=o["a_supplement"], kind=Letter.Kind.SUPPLEMENT, actor=admin)


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


def _proactive(o: dict, users: dict) -> None:
    """一企一档 and 免申即享: facts of A (one of them contested by A's owner), an import batch, and a prepared
    免申 batch of Huangpu's flagged programme (hp-revenue-growth)."""
    from proactive.models import (
        AutoAwardBatch,
        AutoAwardCandidate,
        Department,
        EnterpriseFact,
        FactContest,
        FactImport,
    )
    from vouchers.models import ApplicationWindow, Programme

    a = o["a_draft"].enterprise
    o["fact_import"] = FactImport.objects.create(
        department=Department.STATISTICS,
        source="广州市统计局",
        file_name="规上企业.csv",
        sha256="0" * 64,
        rows=1,
        created=2,
    )
    o["fact_a"] = EnterpriseFact.objects.create(
        enterprise=a,
        kind="revenue_jan_nov",
        period="2025-11",
        value="90000000.00",
        department=Department.STATISTICS,
        source="广州市统计局",
        fact_import=o["fact_import"],
    )
    contested = EnterpriseFact.objects.create(
        enterprise=a,
        kind="revenue_jan_nov",
        period="2024-11",
        value="70000000.00",
        department=Department.STATISTICS,
        source="广州市统计局",
        fact_import=o["fact_import"],
    )
    o["fact_contest"] = FactContest.objects.create(
        fact=contested, raised_by=users["owner_a"], reason="口径有误", proposed_value="60000000.00"
    )
    programme = Programme.objects.get(code="hp-revenue-growth")
    now = timezone.now()
    o["window_auto"] = ApplicationWindow.objects.create(
        programme=programme,
        name="免申即享第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    o["auto_batch"] = AutoAwardBatch.objects.create(
        programme=programme, window=o["window_auto"], facts_cutoff=now, seed=1, created_by=users["admin"]
    )
    # a listed award of A to confirm or decline (its application, A's draft, refuses both: nothing changes);
    # nothing under either remedy, so that publishing the batch files nothing
    # 资料库 A's library: a 营业执照 its members may reuse (its file is theirs; staff never see it directly)
    from proactive.services_library import library_document_add

    o["library_doc_a"] = library_document_add(
        actor=users["owner_a"], material="business_license", upload=_upload("营业执照.pdf")
    )
    o["auto_award_a"] = AutoAwardCandidate.objects.create(
        batch=o["auto_batch"],
        enterprise=a,
        amount="100000",
        rank_award="0",
        pro_rata_award="0",
        application=o["a_draft"],
        confirm_by=timezone.localdate() + dt.timedelta(days=14),
    )


def _verification(o: dict, users: dict) -> None:
    from applications.membership import enterprise_update
    from applications.models import District
    from applications.services import enterprise_register
    from applications.verification import claim_contest

    claimant = UserFactory(role=Role.ENTERPRISE, email="claimant-c@example.cn")
    o["enterprise_c"] = enterprise_register(
        actor=claimant,
        credit_code=_code(41),
        name="广州丙新创科技有限公司",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
        legal_representative="陈丙",
        contact_name="陈丙",
        contact_phone="020-38000003",
        claimant_is_legal_representative=True,
        business_licence=_upload("营业执照.pdf"),
    )
    o["claim_registration"] = o["enterprise_c"].claims.get()
    o["claim_document"] = o["claim_registration"].documents.get()
    contester = UserFactory(role=Role.ENTERPRISE, email="contester@example.cn")
    o["claim_contested"] = claim_contest(
        actor=contester,
        credit_code=o["enterprise_a"].credit_code,
        name=o["enterprise_a"].name,
        legal_representative="赵甲",
        registered_district=District.HUANGPU,
        claimant_is_legal_representative=False,
        statement="本人为该企业法定代表人授权的经办人，现登记人已离职。",
        business_licence=_upload("营业执照.pdf"),
        authorization=_upload("授权委托书.pdf"),
    )
    o["fact_change"] = enterprise_update(
        actor=users["owner_a"],
        enterprise=o["enterprise_a"],
        industry="software_it",
        change_note="主营业务已变更为软件开发。",
        evidence=[_upload("变更证明.pdf")],
    ).fact_change
    o["fact_change_document"] = o["fact_change"].documents.get()


def _code(n: int) -> str:
    from .factories import make_uscc

    return make_uscc(n + 9000)


def _preapproval(enterprise, owner):
    """A's 事前同意 request for an event under th-events, pending with the bureau. Made directly: the
    service asks for an event date inside th2024's validity, which the real clock leaves behind."""
    from applications.models import PreApproval
    from vouchers.models import Programme

    return PreApproval.objects.create(
        reference="SQ2026-900001",
        enterprise=enterprise,
        programme=Programme.objects.get(code="th-events"),
        event_name="大模型产业峰会",
        event_date=timezone.localdate() + dt.timedelta(days=30),
        venue="天河区",
        plan="峰会议程与嘉宾。",
        budget=Decimal("600000.00"),
        requested_by=owner,
    )


def _two_party(supplier, owner, *, buyer) -> Application:
    """B's th-scenario-demo application (a two-party award) naming A as the buyer, submitted, A's
    confirmation (合作方确认) pending. Made directly: th2024's windows end with 2026, the clock goes on."""
    from vouchers.models import Programme

    now = timezone.now()
    return Application.objects.create(
        reference="GZAI-2026-900001",
        enterprise=supplier,
        programme=Programme.objects.get(code="th-scenario-demo"),
        state=State.SUBMITTED,
        title="大模型客服场景示范",
        submitted_at=now,
        created_by=owner,
        declared_at=now,
        declared_by=owner,
        inputs={"contract_paid": "3000000.00", "supplier_uscc": supplier.credit_code, "buyer_uscc": buyer.credit_code},
    )


def _invitation(enterprise, owner) -> tuple[Any, str]:
    from applications.membership import invitation_create

    return invitation_create(actor=owner, enterprise=enterprise, email="newcomer@example.cn")


def attachment_of(app: Application) -> Attachment:
    return app.attachments.filter(superseded_at__isnull=True).order_by("pk").first()


__all__ = ["ROLES", "Cast", "cast_build", "attachment_of", "State"]
