"""公示: the period in working days across holidays and make-up days, objections during the period
only, their outcome, and the awards becoming final by themselves (idempotent periodic task)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.workflow import State
from portal.models import CalendarDay
from reviews import tasks
from reviews.models import Decision, Objection, PublicNotice, PublicNoticeEntry
from reviews.selectors import objections_for
from reviews.services import notices, objections
from tests.approvals import approve
from vouchers.models import Award, BudgetPool

from .conftest import assign_to, at, make_app, make_pool

pytestmark = pytest.mark.django_db

OBJECTOR = {
    "objector_kind": "person",
    "objector_name": "张三",
    "contact_phone": "13800000000",
    "contact_email": "zhang@example.cn",
    "content": "该企业的场内交易额含关联交易，不应计入。",
}


@pytest.fixture
def approved(catalogue, clock, enterprise_a, owner_a, reviewer):
    """An hp-data-trading application approved at 150,000 on Thursday 25 September 2025."""
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2025)
    clock.set(at(2025, 9, 25, 10))
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    return app


def test_notice_ends_on_the_right_working_day_across_national_day(approved, clock, bureau_admin):
    # Published Friday 26 September 2025. Working days after it: Sun 28 Sep (make-up), Mon 29, Tue 30,
    # [1–8 Oct National Day and Mid-Autumn], Thu 9, Fri 10, Sat 11 Oct (make-up), Mon 13 Oct = the 7th.
    clock.set(at(2025, 9, 26, 16))
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])
    assert (notice.starts_on, notice.ends_on, notice.workdays) == (dt.date(2025, 9, 26), dt.date(2025, 10, 13), 7)
    approved.refresh_from_db()
    assert approved.state == State.IN_PUBLIC_NOTICE and approved.due_date == dt.date(2025, 10, 13)

    for moment in (at(2025, 10, 1, 9), at(2025, 10, 8, 23, 59), at(2025, 10, 13, 23, 59)):
        clock.set(moment)
        assert tasks.public_notices_close_due.delay().get() == {"finalized": [], "waiting_objections": []}
        approved.refresh_from_db()
        assert approved.state == State.IN_PUBLIC_NOTICE
    clock.set(at(2025, 10, 14, 0, 15))
    assert tasks.public_notices_close_due.delay().get()["finalized"] == [approved.pk]
    approved.refresh_from_db()
    notice.refresh_from_db()
    assert approved.state == State.APPROVED and notice.status == PublicNotice.Status.CLOSED
    assert Award.objects.get(application=approved).status == Award.Status.COMMITTED
    assert approved.events.get(action="finalize").actor is None  # the system
    # Running the task again does nothing more.
    assert tasks.public_notices_close_due.delay().get() == {"finalized": [], "waiting_objections": []}
    pool = BudgetPool.objects.get(programme=approved.programme, fiscal_year=2025)
    assert (pool.reserved, pool.committed) == (Decimal("0.00"), Decimal("150000.00"))


def test_an_administrator_override_of_the_calendar_moves_the_end(approved, clock, bureau_admin):
    # The bureau closes on Monday 13 October 2025 (an override of the official calendar), so the 7th
    # working day is Tuesday 14 October.
    CalendarDay.objects.create(date=dt.date(2025, 10, 13), is_workday=False, note="办公场所搬迁")
    clock.set(at(2025, 9, 26, 16))
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])
    assert notice.ends_on == dt.date(2025, 10, 14)
    clock.set(at(2025, 10, 14, 23, 0))
    assert notices.public_notices_close_due()["finalized"] == []
    clock.set(at(2025, 10, 15, 0, 5))
    assert notices.public_notices_close_due()["finalized"] == [approved.pk]


def test_a_make_up_working_day_override_shortens_the_period(approved, clock, bureau_admin):
    # An extra make-up working day on Sunday 12 October 2025 (override): the 7th day is then the 12th.
    CalendarDay.objects.create(date=dt.date(2025, 10, 12), is_workday=True, note="调休上班")
    clock.set(at(2025, 9, 26, 16))
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])
    assert notice.ends_on == dt.date(2025, 10, 12)


def test_publishing_is_for_administrators_only(approved, clock, reviewer, owner_a):
    for actor in (reviewer, owner_a):
        with pytest.raises(PermissionDenied):
            notices.notice_publish(actor=actor, application_ids=[approved.pk])
    approved.refresh_from_db()
    assert approved.state == State.APPROVED_PENDING_NOTICE and not PublicNotice.objects.exists()


def test_only_approved_pending_applications_are_published(
    approved, clock, bureau_admin, catalogue, enterprise_b, reviewer
):
    other = make_app(enterprise_b, catalogue["hp-data-trading"], state=State.BUREAU_REVIEW)
    with pytest.raises(ValidationError):
        notices.notice_publish(actor=bureau_admin, application_ids=[other.pk])
    assert not PublicNotice.objects.exists()


@pytest.fixture
def published(approved, clock, bureau_admin):
    clock.set(at(2025, 9, 26, 16))
    return notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])


def test_an_objection_after_the_period_is_refused(published, approved, clock):
    clock.set(at(2025, 10, 14, 0, 1))
    with pytest.raises(ValidationError) as exc:
        objections.objection_lodge(notice=published, application_id=approved.pk, **OBJECTOR)
    assert "公示期已于 2025-10-13 结束，不再受理异议" in str(exc.value)
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("objector_name", ""),
        ("contact_phone", "abc"),
        ("content", "不对"),
        ("objector_kind", "robot"),
        ("contact_email", "not-an-email"),
    ],
)
def test_an_objection_must_be_named_and_reasoned(published, approved, clock, field, value):
    clock.set(at(2025, 9, 29, 10))
    with pytest.raises(ValidationError) as exc:
        objections.objection_lodge(notice=published, application_id=approved.pk, **{**OBJECTOR, field: value})
    assert field in exc.value.message_dict
    assert not Objection.objects.exists()


def test_an_open_objection_holds_the_award_until_dismissed(published, approved, clock, bureau_admin):
    clock.set(at(2025, 10, 10, 10))
    objection = objections.objection_lodge(notice=published, application_id=approved.pk, **OBJECTOR)
    assert objection.due_date == dt.date(2025, 10, 16)  # 5 working days: Sat 11 (make-up), 13, 14, 15, 16
    clock.set(at(2025, 10, 14, 1))
    assert notices.public_notices_close_due() == {"finalized": [], "waiting_objections": [approved.pk]}
    approved.refresh_from_db()
    assert approved.state == State.IN_PUBLIC_NOTICE
    with pytest.raises(ValidationError):
        objections.objection_resolve(actor=bureau_admin, objection=objection, upheld=False, reason="")
    objections.objection_resolve(
        actor=bureau_admin, objection=objection, upheld=False, reason="经核查，所涉交易均为非关联方场内交易。"
    )
    approved.refresh_from_db()
    assert approved.state == State.APPROVED  # the period is over: final at once
    published.refresh_from_db()
    assert published.status == PublicNotice.Status.OPEN
    notices.public_notices_close_due()
    published.refresh_from_db()
    assert published.status == PublicNotice.Status.CLOSED


def test_an_upheld_objection_declines_that_award(published, approved, clock, bureau_admin):
    clock.set(at(2025, 9, 30, 10))
    objection = objections.objection_lodge(notice=published, application_id=approved.pk, **OBJECTOR)
    objections.objection_resolve(
        actor=bureau_admin, objection=objection, upheld=True, reason="关联交易不应计入，经核实。"
    )
    approved.refresh_from_db()
    assert approved.state == State.DECLINED
    assert Award.objects.get(application=approved).status == Award.Status.RELEASED
    assert PublicNoticeEntry.objects.get(application=approved).status == PublicNoticeEntry.Status.WITHDRAWN
    decision = Decision.objects.get(application=approved, current=True)
    assert decision.outcome == Decision.Outcome.DECLINE and "公示异议成立" in decision.reason
    assert approved.events.filter(action="uphold_objection").exists()
    with pytest.raises(ValidationError):  # answered once
        objections.objection_resolve(actor=bureau_admin, objection=objection, upheld=False, reason="再议")


def test_objections_and_their_contacts_are_for_administrators_only(
    published, approved, clock, reviewer, owner_a, bureau_admin
):
    clock.set(at(2025, 9, 30, 10))
    objection = objections.objection_lodge(notice=published, application_id=approved.pk, **OBJECTOR)
    for actor in (reviewer, owner_a):
        with pytest.raises(PermissionDenied):
            objections_for(actor=actor)
        with pytest.raises(PermissionDenied):
            objections.objection_resolve(actor=actor, objection=objection, upheld=True, reason="x")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    assert list(objections_for(actor=bureau_admin)) == [objection]


@pytest.mark.parametrize("field, limit", [("objector_name", 200), ("objector_id_number", 30), ("content", 5000)])
def test_an_over_long_objection_field_is_refused_not_cut(published, approved, clock, field, limit):
    clock.set(at(2025, 9, 29, 10))
    with pytest.raises(ValidationError) as exc:
        objections.objection_lodge(
            notice=published, application_id=approved.pk, **{**OBJECTOR, field: "异" * (limit + 1)}
        )
    assert f"不能超过 {limit} 个字符" in exc.value.message_dict[field][0]
    assert not Objection.objects.exists()
    # exactly at the limit is taken whole
    made = objections.objection_lodge(notice=published, application_id=approved.pk, **{**OBJECTOR, field: "异" * limit})
    assert len(getattr(made, field)) == limit


def test_an_over_long_notice_title_is_refused_not_cut(approved, clock, bureau_admin):
    clock.set(at(2025, 9, 26, 16))
    with pytest.raises(ValidationError) as exc:
        notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk], title="公" * 201)
    assert "“公示标题”不能超过 200 个字符" in exc.value.message_dict["title"][0]
    assert not PublicNotice.objects.exists()
    approved.refresh_from_db()
    assert approved.state == State.APPROVED_PENDING_NOTICE
