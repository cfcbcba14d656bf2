"""The reviewer queue (page and API): what each reviewer sees, filters, sorting by age, overdue, and
a constant number of SQL queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.workflow import State
from reviews.selectors import QueueFilters, queue_for

from ..factories import EnterpriseFactory
from .conftest import assign_to, at, make_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(catalogue, clock, enterprise_a, enterprise_b, owner_a, owner_b, reviewer, reviewer_th):
    clock.set(at(2026, 3, 2, 9))
    mine = make_app(
        enterprise_a, catalogue["hp-data-trading"], state=State.FORMAL_REVIEW, submitted_at=at(2026, 2, 20, 9)
    )
    assign_to(mine, reviewer)
    waiting = make_app(enterprise_b, catalogue["hp-vertical-model-compute"], submitted_at=at(2026, 2, 27, 9))
    theirs = make_app(
        enterprise_b, catalogue["th-compute-subsidy"], state=State.BUREAU_REVIEW, submitted_at=at(2026, 2, 25, 9)
    )
    assign_to(theirs, reviewer_th)  # a Tianhe programme: Tianhe's reviewer (所属区域)
    draft = make_app(enterprise_a, catalogue["hp-data-trading"], state=State.DRAFT)
    return {"mine": mine, "waiting": waiting, "theirs": theirs, "draft": draft}


def ids(qs):
    return [a.pk for a in qs]


@pytest.fixture
def sysadmin(db):
    """The system administrator sees every district's queue."""
    from portal.models import Role

    from ..factories import UserFactory

    return UserFactory(role=Role.SYSADMIN, email="sys@example.cn", is_staff=True, is_superuser=True)


def test_a_reviewer_sees_their_own_and_what_waits_in_their_stage(
    cast, reviewer, bureau_admin, sysadmin, bureau_admin_th
):
    assert ids(queue_for(actor=reviewer)) == [cast["mine"].pk, cast["waiting"].pk]  # oldest first
    assert ids(queue_for(actor=reviewer, filters=QueueFilters(scope="mine"))) == [cast["mine"].pk]
    assert ids(queue_for(actor=reviewer, filters=QueueFilters(scope="unassigned"))) == [cast["waiting"].pk]
    assert ids(queue_for(actor=reviewer, filters=QueueFilters(sort="-age"))) == [cast["waiting"].pk, cast["mine"].pk]
    admin_view = ids(queue_for(actor=sysadmin))
    assert admin_view == [cast["mine"].pk, cast["theirs"].pk, cast["waiting"].pk]
    # each district's administrator: that district's applications only
    assert ids(queue_for(actor=bureau_admin)) == [cast["mine"].pk, cast["waiting"].pk]
    assert ids(queue_for(actor=bureau_admin_th)) == [cast["theirs"].pk]


def test_filters(cast, sysadmin, reviewer_th):
    f = QueueFilters
    bureau_admin = sysadmin  # the filters across both districts
    assert ids(queue_for(actor=bureau_admin, filters=f(programme="th-compute-subsidy"))) == [cast["theirs"].pk]
    assert ids(queue_for(actor=bureau_admin, filters=f(policy="th2024"))) == [cast["theirs"].pk]
    assert ids(queue_for(actor=bureau_admin, filters=f(state="submitted"))) == [cast["waiting"].pk]
    assert ids(queue_for(actor=bureau_admin, filters=f(enterprise="甲智能"))) == [cast["mine"].pk]
    code = cast["waiting"].enterprise.credit_code
    assert set(ids(queue_for(actor=bureau_admin, filters=f(enterprise=code)))) == {
        cast["waiting"].pk,
        cast["theirs"].pk,
    }
    assert ids(queue_for(actor=bureau_admin, filters=f(reviewer=reviewer_th.pk))) == [cast["theirs"].pk]


def test_overdue_follows_working_days(cast, clock, bureau_admin):
    # "mine" was submitted Fri 20 Feb 2026 (Spring Festival holidays 15–23 Feb, make-up Sat 28 Feb):
    # 5 working days → Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 Feb.
    from reviews.selectors import calendar_for_queue, deadline_of, with_deadline_fields

    app = with_deadline_fields(type(cast["mine"]).objects.filter(pk=cast["mine"].pk)).get()
    assert deadline_of(app, calendar_for_queue()) == dt.date(2026, 2, 28)
    clock.set(at(2026, 2, 28, 18))
    assert cast["mine"].pk not in ids(queue_for(actor=bureau_admin, filters=QueueFilters(deadline="overdue")))
    clock.set(at(2026, 3, 1, 9))
    overdue = ids(queue_for(actor=bureau_admin, filters=QueueFilters(deadline="overdue")))
    assert cast["mine"].pk in overdue and cast["waiting"].pk not in overdue


def _fill(n, catalogue, reviewer):
    programme = catalogue["hp-data-trading"]
    for i in range(n):
        ent = EnterpriseFactory()
        app = make_app(
            ent,
            programme,
            materials=["business_license"],
            submitted_at=at(2026, 2, 2, 9) + dt.timedelta(hours=i),
            claims=[("contract", f"C-{i}")],
        )
        if i % 2:
            assign_to(app, reviewer)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("url", ["/review/", "/review/?deadline=overdue&sort=-age", "/api/v1/reviews/queue/"])
def test_the_queue_runs_a_constant_number_of_queries(catalogue, clock, reviewer, bureau_admin, client_for, url):
    client = client_for(bureau_admin)
    _fill(5, catalogue, reviewer)
    _count(client, url)  # first request: the session, and the site cache filled (footer units, admin-site link)
    five, response = _count(client, url)
    body = response.content.decode()
    assert body.count("GZAI-T-") >= 5
    _fill(45, catalogue, reviewer)
    fifty, response = _count(client, url)
    assert response.content.decode().count("GZAI-T-") >= 50
    assert five == fifty, (five, fifty)
    # the page's own reads, plus what every page reads: the session and user, the inbox count (the
    # footer's units and whether the admin site is theirs come from the site cache: 16 → 12)
    assert fifty <= 12


def test_the_reviewer_queue_page_is_constant_too(catalogue, clock, reviewer, client_for, django_assert_num_queries):
    client = client_for(reviewer)
    _fill(5, catalogue, reviewer)
    _count(client, "/review/")  # first request: the session, and the site cache filled
    five, _ = _count(client, "/review/")
    _fill(45, catalogue, reviewer)
    with django_assert_num_queries(five):
        assert client.get("/review/").status_code == 200


def test_overdue_turns_at_local_midnight_as_the_deadline_says(catalogue, clock, enterprise_a, bureau_admin):
    """The overdue filter compares the submission time with the local midnight after the latest
    start date (an index answers that): a submission in the last second of that day is overdue, one
    at the next midnight is not — exactly as each row's own deadline says."""
    from django.utils import timezone

    from reviews.selectors import calendar_for_queue, deadline_of, with_deadline_fields
    from reviews.services.common import workdays_for

    clock.set(at(2026, 3, 10, 9))
    calendar = calendar_for_queue()
    start = calendar.latest_start(timezone.localdate() - dt.timedelta(days=1), workdays_for("formal_review"))
    last_second = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.FORMAL_REVIEW,
        submitted_at=at(start.year, start.month, start.day, 23, 59) + dt.timedelta(seconds=59),
    )
    next_day = start + dt.timedelta(days=1)
    midnight = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.FORMAL_REVIEW,
        submitted_at=at(next_day.year, next_day.month, next_day.day, 0, 0),
    )
    overdue = ids(queue_for(actor=bureau_admin, filters=QueueFilters(deadline="overdue")))
    for app in with_deadline_fields(type(last_second).objects.filter(pk__in=[last_second.pk, midnight.pk])):
        assert (app.pk in overdue) == (deadline_of(app, calendar) < timezone.localdate()), app.submitted_at
    assert last_second.pk in overdue and midnight.pk not in overdue


def test_a_resubmission_restarts_the_clock_the_overdue_filter_reads(catalogue, clock, enterprise_a, bureau_admin):
    """The formal-review clock runs from the latest (re)submission: an application first submitted
    long ago but resubmitted after the latest start date is not overdue, one resubmitted on that date
    (and one with no event at all) is — the filter agrees with each row's own deadline."""
    from django.utils import timezone

    from applications.models import ApplicationEvent
    from applications.workflow import EventAction
    from reviews.selectors import calendar_for_queue, deadline_of, with_deadline_fields
    from reviews.services.common import workdays_for

    clock.set(at(2026, 3, 10, 9))
    calendar = calendar_for_queue()
    start = calendar.latest_start(timezone.localdate() - dt.timedelta(days=1), workdays_for("formal_review"))
    programme = catalogue["hp-data-trading"]

    def submitted_long_ago(resubmitted_at):
        app = make_app(enterprise_a, programme, state=State.FORMAL_REVIEW, submitted_at=at(2026, 1, 5, 9))
        for action, when in ((EventAction.SUBMIT, at(2026, 1, 5, 9)), (EventAction.RESUBMIT, resubmitted_at)):
            if when is not None:
                event = ApplicationEvent.objects.create(application=app, action=action)
                ApplicationEvent.objects.filter(pk=event.pk).update(created_at=when)  # auto_now_add
        return app

    next_day = start + dt.timedelta(days=1)
    late = submitted_long_ago(at(next_day.year, next_day.month, next_day.day, 0, 0))
    on_time = submitted_long_ago(at(start.year, start.month, start.day, 23, 59))
    never = make_app(enterprise_a, programme, state=State.FORMAL_REVIEW, submitted_at=at(2026, 1, 5, 9))
    overdue = ids(queue_for(actor=bureau_admin, filters=QueueFilters(deadline="overdue")))
    assert late.pk not in overdue and on_time.pk in overdue and never.pk in overdue
    for app in with_deadline_fields(type(late).objects.filter(pk__in=[late.pk, on_time.pk, never.pk])):
        assert (app.pk in overdue) == (deadline_of(app, calendar) < timezone.localdate()), app.pk
