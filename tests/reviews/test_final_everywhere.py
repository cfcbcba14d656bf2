"""Final on every install (issue 14): the scheduled work runs on the embedded default too (`manage.py
run_scheduled`, started by bin/demo without Redis); an administrator closes due public notices now —
page, API, command — each run audited; the approval letter is issued on the day the award becomes
final, bears that date and says that the notice period ended without objection."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse

from applications.workflow import State
from portal.models import AuditEvent
from reviews.models import Letter, PublicNotice
from reviews.services import notices, objections
from tests.approvals import approve
from vouchers.models import Award

from .conftest import SHANGHAI, assign_to, at, make_app, make_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin):
    """An hp-data-trading award of 150,000 decided on 25 September 2025 and published on the 26th:
    its period ends on Monday 13 October 2025 (7 working days across National Day)."""
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2025)
    clock.set(at(2025, 9, 25, 10))
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    clock.set(at(2025, 9, 26, 16))
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[app.pk])
    assert notice.ends_on == dt.date(2025, 10, 13)
    return app, notice


def _state(app, notice) -> tuple:
    app.refresh_from_db()
    notice.refresh_from_db()
    return (
        app.state,
        notice.status,
        Letter.objects.filter(application=app).count(),
        Award.objects.get(application=app).status,
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


# ---------------------------------------------------------------- the scheduled work without Redis


def test_run_scheduled_once_finalizes_due_notices_as_the_system(noticed, clock):
    app, notice = noticed
    clock.set(at(2025, 10, 13, 23, 0))  # the last day of the period: nothing yet
    call_command("run_scheduled", "--once", "--only", "public-notices-close", stdout=io.StringIO())
    app.refresh_from_db()
    assert app.state == State.IN_PUBLIC_NOTICE and not Letter.objects.filter(application=app).exists()
    clock.set(at(2025, 10, 14, 0, 15))
    out = io.StringIO()
    call_command("run_scheduled", "--once", "--only", "public-notices-close", stdout=out)
    assert f"'finalized': [{app.pk}]" in out.getvalue()
    app.refresh_from_db()
    notice.refresh_from_db()
    assert app.state == State.APPROVED and notice.status == PublicNotice.Status.CLOSED
    assert app.events.get(action="finalize").actor is None
    closed = AuditEvent.objects.get(action="review.notice_close", target_id=str(notice.pk))
    assert closed.actor is None and closed.actor_label == "system"


def test_run_scheduled_once_runs_every_entry_of_the_beat_schedule(noticed, clock):
    clock.set(at(2025, 10, 14, 9))
    calls = []
    with mock.patch(
        "celery.app.task.Task.apply",
        autospec=True,
        side_effect=lambda task, **kw: calls.append(task.name) or mock.Mock(result=None),
    ):
        call_command("run_scheduled", "--once", stdout=io.StringIO())
    assert sorted(calls) == sorted(e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values())


def test_an_unknown_entry_is_refused():
    with pytest.raises(CommandError):
        call_command("run_scheduled", "--once", "--only", "no-such-entry", stdout=io.StringIO())


def test_the_in_process_beat_runs_each_entry_at_its_own_times(db):
    from portal.celery import app
    from portal.management.commands.run_scheduled import InProcessBeat

    app.loader.import_default_modules()
    schedule = {
        "close": {"task": "reviews.tasks.public_notices_close_due", "schedule": crontab(minute="*/15")},
        "remind": {"task": "reviews.tasks.deadline_reminders_send", "schedule": crontab(hour=8, minute=30)},
        "broken": {"task": "vouchers.tasks.vouchers_expire_due", "schedule": dt.timedelta(minutes=5)},
    }
    beat = InProcessBeat(app, schedule, out=io.StringIO())
    with (
        mock.patch("reviews.tasks._close_due", return_value={}) as close,
        mock.patch("reviews.tasks._reminders", return_value={}) as remind,
        mock.patch("vouchers.tasks.vouchers_expire_due.run", side_effect=RuntimeError("boom")),
    ):
        start = dt.datetime(2026, 3, 10, 10, 1, tzinfo=SHANGHAI)
        beat.run_all(start)  # every entry at start (catching up), the failing one included
        assert (close.call_count, remind.call_count) == (1, 1)
        ran, wait = beat.tick(start + dt.timedelta(minutes=5))
        assert ran == ["broken"] and 1 <= wait <= 600  # its failure stops nothing
        ran, _wait = beat.tick(dt.datetime(2026, 3, 10, 10, 15, 30, tzinfo=SHANGHAI))
        assert "close" in ran and "remind" not in ran
        ran, _wait = beat.tick(dt.datetime(2026, 3, 11, 8, 30, 30, tzinfo=SHANGHAI))
        assert {"close", "remind"} <= set(ran)
        assert (close.call_count, remind.call_count) == (3, 2)


def test_bin_demo_starts_the_scheduled_work_without_redis():
    demo = (Path(settings.BASE_DIR) / "bin" / "demo").read_text()
    without_redis = demo.split('if [[ -n "${REDIS_URL:-}" ]]; then', 1)[1].split("\nfi\n", 1)[0].split("else", 1)[1]
    assert "manage.py run_scheduled" in without_redis and "&" in without_redis
    # its output is kept: the demo logins (demo_seed) and the address
    assert "demo_seed" in demo and "Portal: http://" in demo and "runserver" in demo


# ---------------------------------------------------------------- an administrator closes due notices now


def test_the_command_closes_due_notices_in_an_administrators_name(noticed, clock, bureau_admin):
    app, notice = noticed
    clock.set(at(2025, 10, 20, 9))
    out = io.StringIO()
    call_command("notices_close_due", "--as", bureau_admin.email, stdout=out)
    assert "finalized: 1" in out.getvalue() and "notices closed: 1" in out.getvalue()
    app.refresh_from_db()
    assert app.state == State.APPROVED and app.events.get(action="finalize").actor == bureau_admin
    run = AuditEvent.objects.get(action="review.notices_close_due")
    assert run.actor == bureau_admin and run.after["finalized"] == [app.pk]
    assert AuditEvent.objects.get(action="review.notice_close").actor == bureau_admin
    # twice: nothing more, the second run audited too
    call_command("notices_close_due", "--as", bureau_admin.email, stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="review.notices_close_due").count() == 2
    assert Letter.objects.filter(application=app, kind=Letter.Kind.APPROVAL).count() == 1


def test_the_command_refuses_someone_not_an_administrator(noticed, clock, reviewer):
    app, notice = noticed
    clock.set(at(2025, 10, 20, 9))
    before = _state(app, notice)
    with pytest.raises(CommandError):
        call_command("notices_close_due", "--as", reviewer.email, stdout=io.StringIO())
    assert _state(app, notice) == before


def test_the_command_runs_as_the_system_without_as(noticed, clock):
    app, _notice = noticed
    clock.set(at(2025, 10, 20, 9))
    call_command("notices_close_due", stdout=io.StringIO())
    app.refresh_from_db()
    assert app.state == State.APPROVED
    assert AuditEvent.objects.get(action="review.notices_close_due").actor_label == "system"


def test_the_notices_page_has_the_button(noticed, clock, bureau_admin, reviewer, owner_a, client_for):
    app, notice = noticed
    clock.set(at(2025, 10, 20, 9))
    page = client_for(bureau_admin).get(reverse("reviews:notices_admin")).content.decode()
    assert reverse("reviews:notices_close_due") in page and "公示期已满、尚未处理的公示：1 个" in page
    before = _state(app, notice)
    for user, status in ((reviewer, 403), (owner_a, 403), (None, 302)):
        r = client_for(user).post(reverse("reviews:notices_close_due"))
        assert r.status_code == status and _state(app, notice) == before
    assert client_for(bureau_admin).get(reverse("reviews:notices_close_due")).status_code == 405
    r = client_for(bureau_admin).post(reverse("reviews:notices_close_due"), follow=True)
    assert r.status_code == 200 and "1 项申报核定生效" in r.content.decode()
    app.refresh_from_db()
    assert app.state == State.APPROVED
    assert AuditEvent.objects.get(action="review.notices_close_due").actor == bureau_admin


def test_the_api_closes_due_notices(noticed, clock, bureau_admin, reviewer, owner_a, api_for):
    app, notice = noticed
    clock.set(at(2025, 10, 20, 9))
    before = _state(app, notice)
    for user in (None, owner_a, reviewer):
        assert api_for(user).post("/api/v1/reviews/notices/close-due/").status_code == 403
        assert _state(app, notice) == before
    r = api_for(bureau_admin).post("/api/v1/reviews/notices/close-due/")
    assert r.status_code == 200
    assert r.json() == {"finalized": [app.pk], "waiting_objections": [], "closed_notices": [notice.pk]}
    r = api_for(bureau_admin).post("/api/v1/reviews/notices/close-due/")
    assert r.json() == {"finalized": [], "waiting_objections": [], "closed_notices": []}


def test_an_open_objection_holds_the_award(noticed, clock, bureau_admin, api_for):
    app, notice = noticed
    clock.set(at(2025, 10, 9, 10))
    objections.objection_lodge(
        notice=notice,
        application_id=app.pk,
        objector_kind="person",
        objector_name="张三",
        contact_phone="13800000000",
        content="该企业的场内交易额含关联交易，不应计入。",
    )
    clock.set(at(2025, 10, 20, 9))
    r = api_for(bureau_admin).post("/api/v1/reviews/notices/close-due/")
    assert r.json() == {"finalized": [], "waiting_objections": [app.pk], "closed_notices": []}
    app.refresh_from_db()
    assert app.state == State.IN_PUBLIC_NOTICE


def test_nothing_is_closed_before_the_period_ends(noticed, clock, bureau_admin):
    app, notice = noticed
    clock.set(at(2025, 10, 13, 18))
    assert notices.notices_close_due(actor=bureau_admin) == {
        "finalized": [],
        "waiting_objections": [],
        "closed_notices": [],
    }
    app.refresh_from_db()
    assert app.state == State.IN_PUBLIC_NOTICE and not Letter.objects.filter(application=app).exists()


# ---------------------------------------------------------------- the letter: issued when final, that date


def test_the_letter_is_issued_when_the_award_becomes_final_and_bears_that_date(noticed, clock, bureau_admin):
    app, notice = noticed
    assert not Letter.objects.filter(application=app).exists()  # nothing at the decision nor at publication
    clock.set(at(2025, 10, 14, 0, 15))  # the first scheduled run after the period
    notices.public_notices_close_due()
    letter = Letter.objects.get(application=app, kind=Letter.Kind.APPROVAL)
    assert letter.issued_on == dt.date(2025, 10, 14) and letter.context["issued_on_zh"] == "2025年10月14日"
    assert letter.context["notice"]["notice_starts_on"] == "2025-09-26"
    assert letter.context["notice"]["notice_ends_on_zh"] == "2025年10月13日"
    html = render_to_string("letters/approval_v1.html", {"c": letter.context, "letter": letter, "layout": {}})
    assert "并经公示（公示期2025年9月26日至2025年10月13日），公示期满无异议，核定生效" in html
    assert "2025年10月14日" in html


def test_closed_late_the_letter_bears_the_day_it_became_final(noticed, clock, bureau_admin):
    app, _notice = noticed
    clock.set(at(2025, 10, 20, 9))  # nothing ran in the meantime; the administrator closes it now
    notices.notices_close_due(actor=bureau_admin)
    letter = Letter.objects.get(application=app, kind=Letter.Kind.APPROVAL)
    assert letter.issued_on == dt.date(2025, 10, 20) > _notice.ends_on
    assert letter.created_by == bureau_admin
