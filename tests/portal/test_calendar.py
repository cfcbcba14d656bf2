"""The working-day calendar for 2027 and every later year: statutory holidays computed by
《全国年节及纪念日放假办法》 (lunar dates from the `holidays` library), a provisional year until the State
Council's arrangement is entered, and entering it recomputes every open deadline with an audit row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from applications.models import Application, ProjectClaim, SupplementRequest
from applications.services import application_resubmit
from applications.workflow import State
from portal.checks import calendar_years_confirmed
from portal.models import AuditEvent, CalendarDay, CalendarYear, Role
from portal.services_calendar import (
    arrangement_read,
    calendar_arrangement_set,
    calendar_correction_set,
)
from portal.workdays import (
    WorkCalendar,
    add_workdays,
    is_provisional,
    is_workday,
    statutory_holidays,
    year_calendar,
)
from reviews.models import Objection, PublicNotice
from reviews.services import formal, notices, objections
from reviews.services.deadline_recompute import deadlines_recompute
from tests.approvals import approve
from tests.factories import UserFactory
from tests.reviews.conftest import (
    Clock,
    assign_to,
    at,
    attach,
    make_app,
    make_pool,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]  # the attachments' files


@pytest.fixture
def clock():
    """timezone.now() under the test's control (as in tests/reviews)."""
    c = Clock(at(2026, 12, 1))
    with mock.patch.object(timezone, "now", c):
        yield c


D = dt.date
DOCUMENT = "国办发明电〔2026〕x号"
# 春节 2027: 除夕 Fri 5 Feb to 初三 Mon 8 Feb (statutory); the arrangement of the tests bridges Tue 9 to
# Thu 11 Feb and makes Saturday 20 February a working day.
SPRING_REST = [(D(2027, 2, d), "春节") for d in (9, 10, 11)]
SPRING_WORK = [(D(2027, 2, 20), "春节")]


def enter_2027(actor, **kwargs):
    return calendar_arrangement_set(
        actor=actor, year=2027, rest_days=SPRING_REST, workdays=SPRING_WORK, document=DOCUMENT, **kwargs
    )


# ---------------------------------------------------------------- statutory holidays of any year


def test_the_statutory_holidays_of_2027_are_computed_by_the_rules():
    assert dict(statutory_holidays(2027)) == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }


def test_the_library_s_bridged_days_are_not_taken_for_statutory_ones():
    # holidays knows the 2026 arrangement ("Day off (substituted …)", 2 Jan, 20 and 23 Feb …): not the statute
    days = statutory_holidays(2026)
    assert D(2026, 1, 2) not in days and D(2026, 2, 20) not in days
    assert [d for d, n in days.items() if n == "春节"] == [D(2026, 2, d) for d in (16, 17, 18, 19)]
    assert len(statutory_holidays(2030)) == 13  # any later year: 1 + 4 + 1 + 2 + 1 + 1 + 3
    assert statutory_holidays(2031)[D(2031, 10, 1)] == "中秋节、国庆节"  # the two fall on one day


def test_2027_new_year_and_spring_festival_are_not_working_days():
    assert not is_workday(D(2027, 1, 1))
    assert not any(is_workday(D(2027, 2, d)) for d in (5, 6, 7, 8))
    assert is_workday(D(2027, 2, 9)) and not is_workday(D(2027, 2, 20))  # provisional: the statute and the week
    assert add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 9)
    assert not is_workday(D(2027, 10, 1)) and is_workday(D(2027, 10, 4))


def test_a_deadline_straddling_the_new_year():
    # Wed 30 Dec 2026 + 3 working days: Thu 31 Dec, [Fri 1 Jan 2027 元旦, weekend], Mon 4, Tue 5 Jan.
    assert add_workdays(D(2026, 12, 30), 3) == D(2027, 1, 5)
    assert WorkCalendar(D(2026, 12, 1), D(2027, 1, 31)).workdays_between(D(2026, 12, 30), D(2027, 1, 5)) == 3
    template = Template("{% load workdays %}{{ a }}{% provisional_mark a %}|{{ b }}{% provisional_mark b %}")
    before, after = template.render(Context({"a": D(2026, 12, 31), "b": D(2027, 1, 5)})).split("|")
    assert "暂按法定节假日计算" not in before and "暂按法定节假日计算" in after
    # With a make-up Saturday on 2 January 2027 (an arrangement reaching into the turn of the year):
    calendar_arrangement_set(actor=None, year=2027, rest_days=[], workdays=[(D(2027, 1, 2), "元旦")], document=DOCUMENT)
    assert add_workdays(D(2026, 12, 30), 3) == D(2027, 1, 4)


# ---------------------------------------------------------------- provisional and confirmed years


def test_2026_is_confirmed_from_chinesecalendar():
    assert not is_provisional(D(2026, 6, 1))
    assert is_workday(D(2026, 2, 14)) and not is_workday(D(2026, 2, 20))  # make-up Saturday, bridged Friday
    assert year_calendar(2026).confirmed


def test_2027_is_provisional_until_its_arrangement_is_entered(bureau_admin):
    assert is_provisional(D(2027, 3, 1)) and not year_calendar(2027).confirmed
    entry = enter_2027(bureau_admin)
    assert not is_provisional(D(2027, 3, 1)) and year_calendar(2027).confirmed
    assert (entry.confirmed, entry.document, entry.entered_by) == (True, DOCUMENT, bureau_admin)
    assert is_workday(D(2027, 2, 20))  # the make-up Saturday
    assert not any(is_workday(D(2027, 2, d)) for d in range(5, 12))
    assert is_workday(D(2027, 2, 12))
    event = AuditEvent.objects.get(action="calendar.arrangement_set")
    assert event.actor == bureau_admin and event.before is None
    assert event.after == {
        "confirmed": True,
        "document": DOCUMENT,
        "rest_days": ["2027-02-09 春节", "2027-02-10 春节", "2027-02-11 春节"],
        "workdays": ["2027-02-20 春节"],
    }
    # Withdrawn (unconfirmed): provisional again, its days no longer apply.
    enter_2027(bureau_admin, confirmed=False)
    assert is_provisional(2027) and not is_workday(D(2027, 2, 20)) and is_workday(D(2027, 2, 9))


def test_an_administrator_correction_still_wins(bureau_admin):
    enter_2027(bureau_admin)
    calendar_correction_set(actor=bureau_admin, date=D(2027, 2, 20), is_workday=False, note="停电")
    assert not is_workday(D(2027, 2, 20))
    # the rows as tests and administrators wrote them before (no source given) are corrections too
    CalendarDay.objects.create(date=D(2027, 3, 1), is_workday=False, note="办公场所搬迁")
    assert not is_workday(D(2027, 3, 1))
    assert AuditEvent.objects.filter(action="calendar.correction_set").count() == 1


def test_an_entered_arrangement_replaces_the_library_for_its_year(bureau_admin):
    # 2026 from chinesecalendar has make-up Saturdays 14 and 28 February; an entry of 2026 without them wins.
    calendar_arrangement_set(
        actor=bureau_admin,
        year=2026,
        rest_days=[(D(2026, 2, 20), "春节")],
        workdays=[],
        document="国办发明电〔2025〕7号",
    )
    assert not is_workday(D(2026, 2, 14)) and not is_workday(D(2026, 2, 20)) and is_workday(D(2026, 2, 23))


def test_the_calendar_loads_its_rows_in_one_query(bureau_admin, django_assert_num_queries):
    enter_2027(bureau_admin)
    calendar_correction_set(actor=bureau_admin, date=D(2027, 3, 1), is_workday=False)
    with django_assert_num_queries(1):
        calendar = WorkCalendar(D(2026, 12, 1), D(2027, 3, 31))
    with django_assert_num_queries(0):
        assert calendar.add_workdays(D(2027, 2, 4), 2) == D(2027, 2, 15)
        assert not calendar.is_workday(D(2027, 3, 1)) and calendar.is_workday(D(2027, 2, 20))
    with django_assert_num_queries(1):  # beyond the range: one more query widens it
        assert calendar.is_workday(D(2027, 4, 6)) and not calendar.is_workday(D(2027, 4, 5))


def test_only_administrators_enter_the_arrangement(reviewer, owner_a):
    for actor in (reviewer, owner_a, UserFactory(role=Role.BUREAU_ADMIN, is_active=False)):
        with pytest.raises(PermissionDenied):
            enter_2027(actor)
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_an_arrangement_that_cannot_be_right_is_refused(bureau_admin):
    cases = [
        ({"document": ""}, "document"),
        ({"workdays": [D(2027, 2, 22)]}, "workdays"),
        ({"rest_days": [D(2027, 2, 20)]}, "workdays"),
        ({"rest_days": [D(2028, 5, 1)]}, "rest_days"),
    ]
    for change, field in cases:
        args = {"year": 2027, "rest_days": SPRING_REST, "workdays": SPRING_WORK, "document": DOCUMENT, **change}
        with pytest.raises(ValidationError) as exc:
            calendar_arrangement_set(actor=bureau_admin, **args)
        assert field in exc.value.message_dict, change
    assert not CalendarYear.objects.exists()


# ---------------------------------------------------------------- the system check and the banner


def test_the_check_warns_while_the_next_year_is_provisional(clock, bureau_admin):
    clock.set(at(2026, 12, 1))
    assert calendar_years_confirmed(databases=None) == []  # `check` without --database: not a database check
    warnings = calendar_years_confirmed(databases=["default"])
    assert [w.id for w in warnings] == ["portal.W001"] and "2027" in warnings[0].msg
    enter_2027(bureau_admin)
    assert calendar_years_confirmed(databases=["default"]) == []
    clock.set(at(2027, 12, 1))
    assert [w.obj for w in calendar_years_confirmed(databases=["default"])] == ["calendar 2028"]


def test_the_administrators_home_page_warns(clock, client_for, bureau_admin, owner_a):
    clock.set(at(2026, 12, 1))
    html = client_for(bureau_admin).get("/").content.decode()
    assert "2027年的国务院放假安排尚未录入" in html
    assert "calendar-warning" not in client_for(owner_a).get("/").content.decode()
    enter_2027(bureau_admin)
    assert "calendar-warning" not in client_for(bureau_admin).get("/").content.decode()


# ---------------------------------------------------------------- entering the arrangement recomputes deadlines


@pytest.fixture
def open_deadlines(catalogue, clock, enterprise_a, enterprise_b, owner_a, reviewer, bureau_admin):
    """In early February 2027, still provisional: a return for supplement, a running public notice
    and an objection to it, each with its deadline across 春节."""
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2027)
    clock.set(at(2027, 1, 28, 10))
    listed = make_app(enterprise_b, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(listed, reviewer)
    approve(actor=reviewer, application=listed, amount="150000")
    clock.set(at(2027, 2, 1, 16))  # Monday
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[listed.pk])
    clock.set(at(2027, 2, 3, 9))  # Wednesday
    returned = make_app(
        enterprise_a,
        programme,
        inputs={"annual_listed_trading": "5000000"},
        materials=["business_license", "credit_commitment", "contract"],
    )
    assign_to(returned, reviewer)
    formal.formal_review_start(actor=reviewer, application=returned)
    request = formal.formal_review_return(
        actor=reviewer,
        application=returned,
        items=[{"code": "exchange_certificate"}, {"code": "invoice"}],
        note="请一次性补正所列材料。",
    )
    objection = objections.objection_lodge(
        notice=notice,
        application_id=listed.pk,
        objector_kind="person",
        objector_name="张三",
        contact_phone="13800000000",
        content="该企业的场内交易额含关联交易，不应计入。",
    )
    return {"notice": notice, "listed": listed, "returned": returned, "request": request, "objection": objection}


def test_entering_the_arrangement_recomputes_every_open_deadline(
    open_deadlines, clock, bureau_admin, django_capture_on_commit_callbacks
):
    o = open_deadlines
    # Provisional: 春节 is 5–8 February only. Notice: 2, 3, 4, 9, 10, 11, 12 Feb. Supplement from Wed 3 Feb:
    # 4, 9, 10, 11, 12. Objection lodged on 3 Feb: 4, 9, 10, 11, 12.
    assert o["notice"].ends_on == D(2027, 2, 12)
    assert (o["request"].due_date, o["request"].review_due_date) == (D(2027, 2, 12), D(2027, 2, 12))
    assert o["objection"].due_date == D(2027, 2, 12)
    assert Application.objects.get(pk=o["returned"].pk).due_date == D(2027, 2, 12)
    assert Application.objects.get(pk=o["listed"].pk).due_date == D(2027, 2, 12)
    assert "暂按法定节假日计算" in Template("{% load workdays %}{% provisional_mark d %}").render(
        Context({"d": o["notice"].ends_on})
    )

    clock.set(at(2027, 2, 3, 15))
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(bureau_admin)

    # Rest 5–11 Feb, Saturday 20 Feb worked: 2, 3, 4, 12, 15, 16, 17 Feb — and 4, 12, 15, 16, 17.
    o["notice"].refresh_from_db()
    o["request"].refresh_from_db()
    o["objection"].refresh_from_db()
    assert o["notice"].ends_on == D(2027, 2, 17)
    assert (o["request"].due_date, o["request"].review_due_date) == (D(2027, 2, 17), D(2027, 2, 17))
    assert o["objection"].due_date == D(2027, 2, 17)
    assert Application.objects.get(pk=o["returned"].pk).due_date == D(2027, 2, 17)
    assert Application.objects.get(pk=o["listed"].pk).due_date == D(2027, 2, 17)

    events = AuditEvent.objects.filter(action="calendar.deadline_recompute").order_by("id")
    seen = {(e.target_type, e.target_id, next(iter(e.before))): (e.before, e.after, e.actor) for e in events}
    assert seen == {
        ("applications.supplementrequest", str(o["request"].pk), "due_date"): (
            {"due_date": "2027-02-12"},
            {"due_date": "2027-02-17"},
            bureau_admin,
        ),
        ("applications.supplementrequest", str(o["request"].pk), "review_due_date"): (
            {"review_due_date": "2027-02-12"},
            {"review_due_date": "2027-02-17"},
            bureau_admin,
        ),
        ("reviews.publicnotice", str(o["notice"].pk), "ends_on"): (
            {"ends_on": "2027-02-12"},
            {"ends_on": "2027-02-17"},
            bureau_admin,
        ),
        ("reviews.objection", str(o["objection"].pk), "due_date"): (
            {"due_date": "2027-02-12"},
            {"due_date": "2027-02-17"},
            bureau_admin,
        ),
        ("applications.application", str(o["returned"].pk), "due_date"): (
            {"due_date": "2027-02-12"},
            {"due_date": "2027-02-17"},
            bureau_admin,
        ),
        ("applications.application", str(o["listed"].pk), "due_date"): (
            {"due_date": "2027-02-12"},
            {"due_date": "2027-02-17"},
            bureau_admin,
        ),
    }
    assert "2027-02-12 → 2027-02-17" in events.first().note
    assert "暂按法定节假日计算" not in Template("{% load workdays %}{% provisional_mark d %}").render(
        Context({"d": o["notice"].ends_on})
    )
    # Idempotent: nothing more to change.
    assert set(deadlines_recompute(years=[2027]).values()) == {0}


def test_a_resubmission_after_the_recompute_keeps_the_recomputed_review_deadline(
    open_deadlines, clock, bureau_admin, owner_a, django_capture_on_commit_callbacks
):
    """The return for supplement has one record: the reviewer's deadline the resubmission restores is the
    request's as recomputed, not a copy written into the timeline when the return was made."""
    o = open_deadlines
    clock.set(at(2027, 2, 3, 15))
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(bureau_admin)
    clock.set(at(2027, 2, 4, 10))
    attach(o["returned"], "exchange_certificate", owner_a)
    attach(o["returned"], "invoice", owner_a)
    ProjectClaim.objects.create(application=o["returned"], kind=ProjectClaim.Kind.CONTRACT, value="HT-2027-001")
    resubmitted = application_resubmit(
        actor=owner_a,
        application=o["returned"],
        answers={"exchange_certificate": "见附件说明。", "invoice": "发票已补开。"},
    )
    assert resubmitted.state == State.FORMAL_REVIEW
    assert Application.objects.get(pk=o["returned"].pk).due_date == D(2027, 2, 17)
    assert SupplementRequest.objects.get(pk=o["request"].pk).answered_at == at(2027, 2, 4, 10)


def test_closed_and_resolved_deadlines_stay(open_deadlines, clock, bureau_admin, django_capture_on_commit_callbacks):
    o = open_deadlines
    objections.objection_resolve(
        actor=bureau_admin, objection=o["objection"], upheld=False, reason="经核查，交易真实。"
    )
    SupplementRequest.objects.filter(pk=o["request"].pk).update(answered_at=at(2027, 2, 3, 12))
    Application.objects.filter(pk=o["returned"].pk).update(state=State.WITHDRAWN)
    PublicNotice.objects.filter(pk=o["notice"].pk).update(status=PublicNotice.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(bureau_admin)
    assert Objection.objects.get(pk=o["objection"].pk).due_date == D(2027, 2, 12)
    assert SupplementRequest.objects.get(pk=o["request"].pk).due_date == D(2027, 2, 12)
    assert PublicNotice.objects.get(pk=o["notice"].pk).ends_on == D(2027, 2, 12)
    assert not AuditEvent.objects.filter(action="calendar.deadline_recompute").exists()


# ---------------------------------------------------------------- calendar_load


def test_calendar_load_reads_yaml(tmp_path: Path, django_capture_on_commit_callbacks):
    path = tmp_path / "2027.yaml"
    path.write_text(
        f"year: 2027\ndocument: {DOCUMENT}\nrest_days:\n  - 2027-02-09..2027-02-11 春节\n"
        "  - {date: 2027-10-04, to: 2027-10-07, name: 国庆节}\nworkdays:\n  - 2027-02-20 春节\n"
        "  - {date: 2027-10-09, name: 国庆节}\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("calendar_load", str(path), verbosity=0)
    entry = CalendarYear.objects.get(year=2027)
    assert entry.confirmed and entry.document == DOCUMENT and entry.entered_by is None
    assert sorted(entry.days.filter(is_workday=True).values_list("date", flat=True)) == [D(2027, 2, 20), D(2027, 10, 9)]
    assert entry.days.filter(is_workday=False).count() == 7
    assert not is_workday(D(2027, 10, 7)) and is_workday(D(2027, 10, 9))
    assert AuditEvent.objects.get(action="calendar.arrangement_set").actor_label == "system"


def test_calendar_load_reads_csv(tmp_path: Path, bureau_admin):
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,kind,name\n2027-02-09,休息,春节\n2027-02-10,rest,春节\n2027-02-20,上班,春节\n", encoding="utf-8"
    )
    data = arrangement_read(path)
    assert (data["rest_days"], data["workdays"]) == (
        [(D(2027, 2, 9), "春节"), (D(2027, 2, 10), "春节")],
        [(D(2027, 2, 20), "春节")],
    )
    call_command(
        "calendar_load", str(path), "--year", "2027", "--document", DOCUMENT, "--actor", bureau_admin.email, verbosity=0
    )
    assert CalendarYear.objects.get(year=2027).entered_by == bureau_admin


def test_calendar_load_refuses_a_file_without_document(tmp_path: Path):
    from django.core.management.base import CommandError

    path = tmp_path / "2027.yaml"
    path.write_text("year: 2027\nrest_days: [2027-02-09]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="发文字号"):
        call_command("calendar_load", str(path), verbosity=0)
    assert not CalendarYear.objects.exists()


# ---------------------------------------------------------------- the Django admin


def test_the_system_administrator_enters_the_arrangement_in_the_admin(client, django_capture_on_commit_callbacks):
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(sysadmin, backend="portal.backends.EmailOrUsernameBackend")
    form = {
        "year": "2027",
        "document": DOCUMENT,
        "confirmed": "on",
        "note": "",
        "rest_days": "2027-02-09..2027-02-11 春节",
        "workdays": "2027-02-20 春节",
    }
    r = client.post("/admin/portal/calendaryear/add/", {**form, "workdays": "2027-02-22 春节"})
    assert r.status_code == 200 and "调休上班日应为周六或周日" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/admin/portal/calendaryear/add/", form)
    assert r.status_code == 302
    entry = CalendarYear.objects.get(year=2027)
    assert entry.entered_by == sysadmin and entry.days.count() == 4
    assert AuditEvent.objects.filter(action="calendar.arrangement_set", actor=sysadmin).exists()
    r = client.get(f"/admin/portal/calendaryear/{entry.pk}/change/")
    assert "2027-02-20 春节" in r.content.decode()
    assert client.get("/admin/portal/calendarday/").status_code == 200


def test_an_over_long_correction_note_is_refused_not_cut(bureau_admin):
    with pytest.raises(ValidationError) as exc:
        calendar_correction_set(actor=bureau_admin, date=D(2027, 2, 20), is_workday=False, note="停" * 101)
    assert "“说明”不能超过 100 个字符" in exc.value.message_dict["note"][0]
    assert not CalendarDay.objects.filter(date=D(2027, 2, 20)).exists()
    assert not AuditEvent.objects.filter(action="calendar.correction_set").exists()
