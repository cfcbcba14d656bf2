"""Competitive batches ranked by the experts' mean against the quota and the pool (both options
shown before anything is committed), reminder e-mails about overdue work, and the admin pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from applications.workflow import State
from portal.models import CalendarDay, Notification
from reviews import tasks
from reviews.models import DecisionProposal, ExpertAssignment, ExpertRelation
from reviews.selectors import batch_ranking
from reviews.services import approvals
from tests.approvals import walk_pending
from vouchers.models import Award, BudgetPool

from ..factories import EnterpriseFactory, member
from .conftest import assign_to, at, make_app, make_pool, make_window

pytestmark = pytest.mark.django_db


def scored(app, experts, totals):
    """Three submitted expert totals for the application (direct rows: the scoring is tested elsewhere)."""
    for expert, total in zip(experts, totals, strict=True):
        ExpertAssignment.objects.create(
            application=app,
            expert=expert,
            assigned_by=expert,
            total=Decimal(total),
            status=ExpertAssignment.Status.SUBMITTED,
        )


@pytest.fixture
def batch(catalogue, clock, experts, reviewer):
    programme = catalogue["hp-vertical-model-compute"]
    window = make_window(programme)
    make_pool(programme, 2026, amount="1000000")
    apps = []
    for spend, totals in (
        ("1000000", ("70", "72", "74")),
        ("2000000", ("90", "88", "86")),
        ("1500000", ("80", "81", "82")),
    ):
        ent = EnterpriseFactory()
        member(ent)
        app = make_app(ent, programme, state=State.BUREAU_REVIEW, inputs={"compute_spend": spend}, window=window)
        assign_to(app, reviewer)
        scored(app, experts[:3], totals)
        apps.append(app)
    return window, apps


def test_ranking_by_mean_against_the_pool_with_both_options(batch):
    window, (low, high, mid) = batch
    ranking = batch_ranking(window=window)
    assert [r["application"] for r in ranking["rows"]] == [high, mid, low]
    assert [r["mean"] for r in ranking["rows"]] == [Decimal("88.00"), Decimal("81.00"), Decimal("72.00")]
    by_app = {r["application"].pk: r for r in ranking["rows"]}
    # Pool 1,000,000: ranked → high gets its 600,000, mid the 400,000 left, low nothing.
    assert by_app[high.pk]["rank_award"] == Decimal("600000.00")
    assert by_app[mid.pk]["rank_award"] == Decimal("400000.00")
    assert by_app[low.pk]["rank_award"] == Decimal("0.00")
    # Pro rata: 1,000,000 / 1,350,000 of each maximum, to the cent, summing to the pool.
    pro = [by_app[a.pk]["pro_rata_award"] for a in (high, mid, low)]
    assert sum(pro) == Decimal("1000000.00") and pro[0] == Decimal("444444.45")
    assert ranking["options"]["oversubscribed"] and ranking["options"]["quota_remaining"] == 10


def test_batch_approval_as_ranked(batch, bureau_admin, reviewer):
    window, (low, high, mid) = batch
    with pytest.raises(PermissionDenied):
        approvals.batch_propose(
            actor=reviewer, window=window, application_ids=[high.pk], mode="rank", comment="按排名择优。"
        )
    results = approvals.batch_propose(
        actor=bureau_admin,
        window=window,
        application_ids=[low.pk, high.pk, mid.pk],
        mode="rank",
        comment="按排名择优。",
    )
    assert [(r.application_id, r.ok) for r in results] == [(high.pk, True), (mid.pk, True), (low.pk, False)]
    assert not Award.objects.exists()  # proposed: nothing takes effect before the chain's last step
    # each proposal walks the chain its own amount chooses: above 500,000 the leader (分管领导) signs too
    chains = {p.application_id: [s.role for s in p.steps.all()] for p in DecisionProposal.objects.all()}
    assert chains == {high.pk: ["handler", "checker", "leader"], mid.pk: ["handler", "checker"]}
    walk_pending([high, mid])
    assert Award.objects.get(application=mid).amount == Decimal("400000.00")
    mid.refresh_from_db()
    assert mid.decisions.get().reason.startswith("按排名择优")
    low.refresh_from_db()
    assert low.state == State.BUREAU_REVIEW  # left for the bureau to decline with a reason
    assert BudgetPool.objects.get(programme=window.programme).reserved == Decimal("1000000.00")


def test_batch_approval_pro_rata(batch, bureau_admin):
    window, apps = batch
    results = approvals.batch_propose(
        actor=bureau_admin,
        window=window,
        application_ids=[a.pk for a in apps],
        mode="pro_rata",
        comment="资金池不足，按比例核减。",
    )
    assert all(r.ok for r in results), results
    walk_pending(apps)
    assert sum(Award.objects.values_list("amount", flat=True)) == Decimal("1000000.00")


def test_the_ranking_page_and_api(batch, reviewer, owner_a, client_for, api_for):
    window, _apps = batch
    assert client_for(reviewer).get(f"/review/batches/{window.pk}/").status_code == 200
    body = api_for(reviewer).get(f"/api/v1/reviews/batches/{window.pk}/ranking/").json()
    assert body["rows"][0]["mean"] == "88.00" and body["options"]["pool_remaining"] == "1000000.00"
    assert client_for(owner_a).get(f"/review/batches/{window.pk}/").status_code == 403
    assert api_for(owner_a).get(f"/api/v1/reviews/batches/{window.pk}/ranking/").status_code == 403
    # Reviewers see the ranking; only administrators approve a batch.
    assert client_for(reviewer).post(f"/review/batches/{window.pk}/", {"mode": "rank"}).status_code == 403
    assert not Award.objects.exists()


def test_reminders_go_out_once_a_day(
    catalogue,
    clock,
    enterprise_a,
    owner_a,
    reviewer,
    reviewer_other,
    bureau_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    clock.set(at(2026, 3, 2, 9))
    app = make_app(
        enterprise_a, catalogue["hp-data-trading"], state=State.FORMAL_REVIEW, submitted_at=at(2026, 2, 20, 9)
    )
    assign_to(app, reviewer)
    clock.set(at(2026, 3, 3, 8, 30))
    with django_capture_on_commit_callbacks(execute=True):
        sent = tasks.deadline_reminders_send.delay().get()
    assert sent == {"reviewers": 1, "admins": 1}
    notes = Notification.objects.filter(kind="reminder")
    assert {n.recipient for n in notes} == {reviewer, bureau_admin}
    assert app.reference in notes.get(recipient=reviewer).body
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@example.cn", "reviewer@example.cn"]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.deadline_reminders_send.delay().get()
    assert Notification.objects.filter(kind="reminder").count() == 2  # not twice the same day


def test_calendar_and_expert_relations_in_the_admin(bureau_admin, expert, enterprise_a, client_for):
    bureau_admin.is_superuser = True  # the Django admin's model permissions; granted by a sysadmin in practice
    bureau_admin.save(update_fields=["is_superuser"])
    c = client_for(bureau_admin)
    CalendarDay.objects.create(date=dt.date(2025, 10, 11), is_workday=False, note="示例")
    page = c.get("/admin/portal/calendarday/")
    assert page.status_code == 200 and "工作日" in page.content.decode()
    response = c.post(
        "/admin/reviews/expertrelation/add/", {"expert": expert.pk, "enterprise": enterprise_a.pk, "note": "曾任顾问"}
    )
    assert response.status_code == 302
    relation = ExpertRelation.objects.get()
    assert relation.declared_by == bureau_admin
    assert c.get("/admin/reviews/decision/").status_code == 200
    assert c.get("/admin/reviews/decision/add/").status_code == 403
