"""The bureau's steps of the browser journey (tests/browser/test_journey.py): verification, formal review,
experts, proposals and their 复核, the collective decision, public notices and the budget pool's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from portal.models import User

from .helpers import Actor
from .journey_enterprise import ENTERPRISE_NAME, REQUESTED


def bureau_verifies_enterprise(rev: Actor) -> None:
    """实名核验 the bureau's queue: the claim with its licence, the division agrees; verified."""
    rev.go("/verification/")
    with rev.page.expect_navigation():
        rev.page.locator("main").get_by_role("link", name=ENTERPRISE_NAME).first.click()
    main = rev.page.inner_text("main")
    assert "营业执照" in main and "与所报注册地一致" in main
    rev.page.get_by_label("核验通过", exact=True).check()
    rev.shot("bureau-verifies-enterprise")
    rev.submit(rev.button("提交"))
    rev.expect_flash("已核验通过")


def reviewer_claims(rev: Actor, app: Application, step: str) -> None:
    """From the queue: open the application and claim it (formal review starts)."""
    rev.go("/review/")
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name=app.reference).click()
    rev.submit(rev.button("认领"))
    rev.expect_flash("已认领")
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    rev.shot(step)


def reviewer_returns_for_supplement(rev: Actor, app: Application) -> None:
    """退回补正 listing every item at once (一次性告知): a material to replace and another item."""
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name="退回补正（一次性告知）").click()
    page = rev.page
    page.check("#id_m_invoice")
    page.fill("#id_n_invoice", "发票影像不清晰，请上传清晰的发票PDF")
    page.fill("#id_other_label_1", "算力用途说明")
    page.fill("#id_other_note_1", "请说明所购算力用于哪些模型的推理或微调")
    page.fill("#id_note", "请在补正期限内一次性补齐以上事项。")
    rev.shot("reviewer-return-form")
    rev.submit(rev.button("退回补正并通知申报单位"))
    rev.expect_flash("已退回补正")
    app.refresh_from_db()
    assert app.state == State.SUPPLEMENT_REQUESTED
    rev.shot("reviewer-returned")


def reviewer_passes_formal_review(rev: Actor, app: Application, *, button: str, state: str, step: str) -> None:
    rev.go(f"/review/applications/{app.pk}/")
    rev.page.fill("#id_formal_note", "材料齐全，符合申报条件。")  # 形式审查意见, required
    rev.submit(rev.button(button))
    rev.expect_flash("形式审查通过")
    app.refresh_from_db()
    assert app.state == state
    rev.shot(step)


def admin_assigns_experts(admin: Actor, app: Application, experts: list[User]) -> None:
    admin.go(f"/review/applications/{app.pk}/")
    form = admin.page.locator("form.experts-form")
    for expert in experts:
        form.get_by_label(str(expert), exact=True).check()
    admin.shot("admin-assigns-experts")
    admin.submit(form.get_by_role("button", name="指派"))
    admin.expect_flash("已指派评审专家")


def expert_declares_and_scores(expert: Actor, app: Application, scores: dict[str, str], n: int) -> None:
    expert.go("/expert/")
    with expert.page.expect_navigation():
        expert.page.get_by_role("link", name=app.reference).click()
    expert.page.get_by_label("本人与申报单位及项目不存在利益冲突", exact=False).check()
    if n == 1:
        expert.shot("expert-declaration")
    expert.submit(expert.button("提交声明"))
    expert.expect_flash("已声明无利益冲突")
    assert f"{REQUESTED:,} 元" in expert.page.inner_text("main")  # the project's figures, as amounts
    for code, value in scores.items():
        expert.page.fill(f"#id_score_{code}", value)
    expert.page.fill("#id_comment", "开源生态活跃，性能测评数据完整，建议支持。")
    if n == 1:
        expert.shot("expert-scores")
    expert.submit(expert.button("提交评分"))
    expert.expect_flash("评分已提交")


def reviewer_proposes(rev: Actor, app: Application, *, maximum: Decimal, step: str) -> None:
    """实质审核 the decision page shows the calculator's maximum; the reviewer proposes it in full (经办),
    which waits for the check (复核) by someone else."""
    rev.go(f"/review/applications/{app.pk}/")
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name="实质审核：核定金额或不予支持").click()
    shown = rev.page.locator(".amount-big").inner_text()
    assert shown == f"{maximum:,} 元", shown
    rev.page.get_by_label("予以支持", exact=False).check()
    assert Decimal(rev.page.input_value("#id_amount")) == maximum
    rev.page.fill("#id_comment", "材料齐全，测算无误，拟按测算金额支持。")
    rev.shot(step)
    rev.submit(rev.button("提交拟办意见"))
    rev.expect_flash("拟办意见已提交，待复核。")
    assert "同一人不能办理同一决定的两个环节" in rev.page.inner_text("main")
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW


def step_approves(actor: Actor, app: Application, *, then: str, step: str) -> None:
    """复核 / 分管领导: from the proposals awaiting me, the decision workspace's chain; approve the step."""
    actor.go("/review/approvals/")
    with actor.page.expect_navigation():
        actor.page.locator("main").get_by_role("link", name=app.reference).click()
    assert "拟办意见（审批中）" in actor.page.inner_text("main")
    actor.page.fill("#id_comment", "同意。")
    actor.shot(step)
    actor.submit(actor.button("同意", scope="main"))
    actor.expect_flash(f"已同意，{then}")


def pool_figures(admin: Actor, pool, step: str) -> dict[str, str]:
    """The administrator's pool page: the figures on its cards (预算额度, 已预留, 已核定, 已拨付, 剩余可用)."""
    admin.go(f"/manage/budget/?year={pool.fiscal_year}")
    with admin.page.expect_navigation():
        admin.page.locator(f"main a[href='/manage/budget/pools/{pool.pk}/']").first.click()
    cards = admin.page.locator(".totals .card")
    figures = {
        cards.nth(i).locator(".muted").inner_text(): cards.nth(i).locator(".figure").inner_text()
        for i in range(cards.count())
    }
    admin.shot(step)
    return figures


def admin_records_collective_decision(admin: Actor, app: Application) -> None:
    """集体决策: the competitive programme's list goes to notice once the meeting is recorded."""
    admin.go("/review/notices/")
    with admin.page.expect_navigation():
        admin.page.get_by_role("link", name="记录集体决策").click()
    page = admin.page
    page.fill("#id_meeting_name", "2026年第5次局务会议")
    page.fill("#id_meeting_date", timezone.localdate().isoformat())
    page.fill("#id_attendees", "张局长（主持）\n孙分管\n王科长")
    page.fill("#id_minutes", "会议审议了开源项目拟支持名单，同意予以支持，进入公示。")
    admin.shot("admin-collective-decision")
    admin.submit(admin.button("记录集体决策", scope="main"))
    admin.expect_flash("已记录集体决策")
    assert app.collective_decisions.exists()


def admin_publishes_notices(admin: Actor, apps: list[Application]) -> None:
    admin.go("/review/notices/")
    main = admin.page.inner_text("main")
    assert all(f"{a.decisions.get(current=True).amount:,}" in main for a in apps), main  # each amount shown
    admin.shot("admin-notices-pending")
    for _ in apps:
        admin.submit(admin.page.locator("main form").first.get_by_role("button", name="发布公示"))
        admin.expect_flash("公示已发布")
        admin.go("/review/notices/")
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.IN_PUBLIC_NOTICE, app.state
    admin.shot("admin-notices-published")


def notice_period_ends(apps: list[Application]) -> None:
    """公示期满: the periodic task finalizes what the notices list. The task reads the clock itself
    (no "now" argument), so the notices' dates are moved into the past through the ORM first."""
    from reviews.models import PublicNotice
    from reviews.tasks import public_notices_close_due

    today = timezone.localdate()
    notices = PublicNotice.objects.filter(entries__application__in=apps).distinct()
    assert notices.count() == len(apps)
    PublicNotice.objects.filter(pk__in=[n.pk for n in notices]).update(
        starts_on=today - dt.timedelta(days=12), ends_on=today - dt.timedelta(days=1)
    )
    # .result, not .get(): Celery's "no join inside a task" guard is process-wide, and the live server may be
    # running an eager task in its own thread at this moment (the two browser journeys failed so, by chance)
    result = public_notices_close_due.apply(throw=True).result
    assert sorted(result["finalized"]) == sorted(a.pk for a in apps), result
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.APPROVED, app.state
