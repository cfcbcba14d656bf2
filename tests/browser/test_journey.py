"""The portal end to end in a real browser (issue 8): an enterprise registers, confirms its e-mail,
registers its enterprise and applies with attachments; a reviewer returns the application for
supplement; the enterprise answers and resubmits; the formal review passes with its comment; experts
declare and score a competitive application; the reviewer proposes each decision with the
calculator's maximum in view and the administrator checks it (复核), the leader signing too above
500,000 元 (分管领导); the administrator records the competitive programme's collective decision
(集体决策) and publishes the public notice; the notice ends; the enterprise downloads its approval
letter and verifies it on the letter's QR page; a compute provider redeems part of the voucher; the
enterprise confirms; the administrator sees the budget pool move at each stage.

Steps run in order in one test (they share one live database); each leaves a screenshot in
test-artifacts/browser/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.workflow import State
from portal.models import Role, User
from reviews.models import AuthorisedApprover
from tests.factories import PASSWORD, UserFactory, make_uscc

from .journey_bureau import (
    admin_assigns_experts,
    admin_publishes_notices,
    admin_records_collective_decision,
    bureau_verifies_enterprise,
    expert_declares_and_scores,
    notice_period_ends,
    pool_figures,
    reviewer_claims,
    reviewer_passes_formal_review,
    reviewer_proposes,
    reviewer_returns_for_supplement,
    step_approves,
)
from .journey_enterprise import (
    ENTERPRISE_NAME,
    REQUESTED,
    enterprise_answers_supplement,
    enterprise_applies,
    enterprise_downloads_and_verifies_letter,
    enterprise_registers,
    provider_redeems,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPUTE = "hp-compute-voucher"
OPEN_SOURCE = "hp-open-source"
ELIGIBLE_COST = Decimal("300000.00")
REDEEMED = Decimal("120000.00")


@dataclass
class World:
    admin: User
    leader: User
    reviewer: User
    experts: list[User]
    provider_user: User
    pools: dict


@pytest.fixture
def world(catalogue) -> World:
    """What exists before the enterprise arrives: staff accounts, open windows of both programmes,
    the year's budget pools (through the audited service) and a compute provider of the catalogue."""
    from vouchers.services.budget import pool_set_amount
    from vouchers.services.catalogue import window_open
    from vouchers.services.redemption import provider_member_link, provider_save

    admin = UserFactory(role=Role.BUREAU_ADMIN, email="admin@hp.example.cn", full_name="区经信局管理员", is_staff=True)
    reviewer = UserFactory(role=Role.REVIEWER, email="reviewer@hp.example.cn", full_name="李审核")
    leader = UserFactory(role=Role.BUREAU_ADMIN, email="leader@hp.example.cn", full_name="孙分管", is_staff=True)
    AuthorisedApprover.objects.create(user=leader, title="分管副局长", granted_by=admin)
    experts = [
        UserFactory(role=Role.EXPERT, email=f"expert{i}@hp.example.cn", full_name=f"专家{name}")
        for i, name in enumerate(("王", "陈", "刘"), start=1)
    ]
    provider_user = UserFactory(role=Role.PROVIDER, email="desk@zhisuan.example.cn", full_name="赵核销")
    now = timezone.now()
    year = timezone.localdate().year
    pools = {}
    for code in (COMPUTE, OPEN_SOURCE):
        programme = catalogue[code]
        window_open(
            actor=admin,
            programme=programme,
            name=f"{year}年第一批",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=60),
        )
        pools[code] = pool_set_amount(actor=admin, programme=programme, fiscal_year=year, amount="10000000.00")
    provider = provider_save(
        actor=admin,
        name="广州黄埔智算中心有限公司",
        credit_code=make_uscc(990001),
        services="智能算力租赁、模型云部署、API调用",
        district="黄埔区/广州开发区",
        contact_name="赵经理",
        contact_phone="020-88880000",
        valid_from=timezone.localdate() - dt.timedelta(days=100),
        valid_to=None,
    )
    provider_member_link(actor=admin, provider=provider, user=provider_user)
    return World(
        admin=admin, leader=leader, reviewer=reviewer, experts=experts, provider_user=provider_user, pools=pools
    )


# ---------------------------------------------------------------- the journey


def test_enterprise_to_redeemed_voucher(world, actors):
    ent = actors("enterprise")
    enterprise_registers(ent)
    rev = actors("reviewer")
    rev.login(world.reviewer.email, PASSWORD)
    bureau_verifies_enterprise(rev)
    voucher_app = enterprise_applies(
        ent,
        code=COMPUTE,
        title="大模型推理算力采购项目",
        inputs={"eligible_cost": "300000"},
        estimate=ELIGIBLE_COST,
        contract="HT-2026-0815",
        step="compute-apply",
    )
    open_app = enterprise_applies(
        ent,
        code=OPEN_SOURCE,
        title="嘉算开源推理框架",
        inputs={"requested_amount": "800000"},
        estimate=REQUESTED,
        contract="OSS-2026-001",
        step="opensource-apply",
    )
    assert voucher_app.pk != open_app.pk

    # 形式审查 a reviewer claims the voucher application and returns it for supplement; the
    # enterprise answers; the formal review passes.
    reviewer_claims(rev, voucher_app, "reviewer-claimed")
    reviewer_returns_for_supplement(rev, voucher_app)
    enterprise_answers_supplement(ent, voucher_app)
    reviewer_passes_formal_review(
        rev, voucher_app, button="形式审查通过，进入实质审核", state=State.BUREAU_REVIEW, step="reviewer-formal-passed"
    )

    # 专家评审 the competitive application: three experts, each declares no conflict and scores.
    reviewer_claims(rev, open_app, "reviewer-claimed-opensource")
    reviewer_passes_formal_review(
        rev, open_app, button="形式审查通过，提交专家评审", state=State.EXPERT_REVIEW, step="reviewer-sent-to-experts"
    )
    admin = actors("admin")
    admin.login(world.admin.email, PASSWORD)
    admin_assigns_experts(admin, open_app, world.experts)
    marks = [
        {"downloads": "36", "performance": "26", "influence": "25"},
        {"downloads": "33", "performance": "27", "influence": "24"},
        {"downloads": "38", "performance": "25", "influence": "27"},
    ]
    for n, (user, scores) in enumerate(zip(world.experts, marks, strict=True), start=1):
        expert = actors(f"expert{n}")
        expert.login(user.email, PASSWORD)
        expert_declares_and_scores(expert, open_app, scores, n)
        expert.assert_clean()
        expert.close()
    rev.go(f"/review/applications/{open_app.pk}/")
    assert "已评分 3 / 3 名专家" in rev.page.inner_text("main")
    rev.submit(rev.button("专家评审完成，进入实质审核"))
    open_app.refresh_from_db()
    assert open_app.state == State.BUREAU_REVIEW
    rev.shot("reviewer-expert-panel")

    # 实质审核 the reviewer proposes with the calculator's maximum in view (经办); the administrator checks
    # (复核), and above 500,000 元 the leader signs (分管领导); only then does the pool reserve it.
    compute_pool = world.pools[COMPUTE]
    before = pool_figures(admin, compute_pool, "budget-before")
    assert before["已预留（待公示）"] == "0.00 元", before
    reviewer_proposes(rev, voucher_app, maximum=ELIGIBLE_COST, step="reviewer-proposes-compute")
    reviewer_proposes(rev, open_app, maximum=REQUESTED, step="reviewer-proposes-opensource")
    assert pool_figures(admin, compute_pool, "budget-proposed")["已预留（待公示）"] == "0.00 元"
    step_approves(admin, voucher_app, then="审批完成，决定已生效。", step="admin-checks-compute")
    step_approves(admin, open_app, then="待分管领导。", step="admin-checks-opensource")
    leader = actors("leader")
    leader.login(world.leader.email, PASSWORD)
    step_approves(leader, open_app, then="审批完成，决定已生效。", step="leader-signs-opensource")
    for app in (voucher_app, open_app):
        app.refresh_from_db()
        assert app.state == State.APPROVED_PENDING_NOTICE
    reserved = pool_figures(admin, compute_pool, "budget-reserved")
    assert reserved["已预留（待公示）"] == f"{ELIGIBLE_COST:,} 元", reserved

    # 公示 the administrator records the competitive programme's collective decision and publishes;
    # anyone can read the notice.
    admin_records_collective_decision(admin, open_app)
    admin_publishes_notices(admin, [voucher_app, open_app])
    public = actors("public")
    public.go("/notices/")
    with public.page.expect_navigation():
        title = f"{voucher_app.programme.name_zh}{voucher_app.window.name}"  # 算力券2026年第一批拟支持名单公示
        public.page.locator("main").get_by_role("link", name=title, exact=False).click()
    assert ENTERPRISE_NAME in public.page.inner_text("main")
    public.shot("public-notice")

    # 公示期满 the notices end; the awards are committed, the letters issued, the voucher issued.
    notice_period_ends([voucher_app, open_app])
    committed = pool_figures(admin, compute_pool, "budget-committed")
    assert committed["已预留（待公示）"] == "0.00 元" and committed["已核定"] == f"{ELIGIBLE_COST:,} 元", committed

    # 正式文书 the enterprise downloads its approval letter and verifies it.
    enterprise_downloads_and_verifies_letter(ent, voucher_app)

    # 算力券 the voucher; a provider of the catalogue redeems part of it; the enterprise confirms.
    from vouchers.models import Redemption, Voucher

    voucher = Voucher.objects.get(award__application=voucher_app)
    assert voucher.face_value == ELIGIBLE_COST
    ent.go("/vouchers/")
    assert voucher.code in ent.page.inner_text("main")
    ent.shot("enterprise-vouchers")
    prov = actors("provider")
    prov.login(world.provider_user.email, PASSWORD)
    provider_redeems(prov, voucher, REDEEMED)
    voucher.refresh_from_db()
    assert voucher.balance == ELIGIBLE_COST - REDEEMED

    ent.go("/vouchers/")
    with ent.page.expect_navigation():
        ent.page.locator("tr", has_text=voucher.code).get_by_role("link", name="查看").click()
    ent.shot("enterprise-voucher-pending")
    ent.submit(ent.page.locator("main table").last.get_by_role("button", name="确认"))
    ent.expect_flash("已确认该笔核销")
    assert Redemption.objects.get(voucher=voucher).status == Redemption.Status.CONFIRMED
    ent.shot("enterprise-redemption-confirmed")

    # 预算 the administrator sees the pool move: reserved → committed → disbursed.
    after = pool_figures(admin, compute_pool, "budget-disbursed")
    assert after["已核定"] == f"{ELIGIBLE_COST:,} 元" and after["已拨付"] == f"{REDEEMED:,} 元", after

    for actor in (ent, rev, admin, leader, public, prov):
        actor.assert_clean()
