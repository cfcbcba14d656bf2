"""`cast_build()`: the whole scenario, enterprise A's applications in many states and B's, the staff,
the tokens; the parts after the decision are made by the sibling modules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from knox.models import AuthToken

from applications.models import EnterpriseMember
from portal.models import Notification, Role, User
from tests.approvals import approve
from tests.factories import EnterpriseFactory, UserFactory, member

from .base import COMPETITIVE, DRAFT, STANDARD, Cast, _draft, _maximum, _submitted
from .enterprises import _invitation, _preapproval, _proactive, _two_party, _verification
from .money import _payments, _voucher
from .reviews import _four_eyes, _letters


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
