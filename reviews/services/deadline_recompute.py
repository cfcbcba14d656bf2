"""Open deadlines after a change of the working-day calendar (portal.services_calendar sends
`calendar_changed` when the State Council's arrangement of a year is entered or a day corrected).

Each deadline is recomputed as it was first computed — from the same start date, with the same
number of working days (reviews.services.common.due_after and its callers) — on the calendar as it
now is; every row that changes gets an audit event, old → new:

- 补正 supplement requests not yet answered: due_date (the return's day + supplement days) and
  review_due_date (the (re)submission before the return + formal-review days);
- the application's current stage deadline (Application.due_date): formal review, supplement,
  expert and bureau review, public notice;
- 公示 public notices still running: ends_on (starts_on + the notice's own working days);
- 异议 objections not yet resolved: due_date (the day lodged + objection days).

A deadline that ended before the first changed year cannot move and is not read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationEvent, SupplementRequest
from applications.workflow import State
from portal.audit import audit_record
from portal.workdays import WorkCalendar

from ..models import Objection, PublicNotice, PublicNoticeEntry
from .common import CLOCK_ACTIONS, workdays_for

# The transitions that start the clock of a stage whose deadline is stored on the application.
STAGE_CLOCKS: dict[str, tuple[tuple[str, ...], str]] = {
    State.EXPERT_REVIEW: (("send_to_experts",), "expert_review"),
    State.BUREAU_REVIEW: (("pass_formal_review", "finish_expert_review"), "bureau_review"),
}
FORMAL_STATES = (State.SUBMITTED, State.FORMAL_REVIEW)
ACTION = "calendar.deadline_recompute"


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


class _Calendar:
    """One WorkCalendar for the whole recomputation, widened as needed (one query per widening)."""

    def __init__(self, first: dt.date):
        self.calendar = WorkCalendar(first - dt.timedelta(days=60), first + dt.timedelta(days=400))

    def add(self, start: dt.date, stage: str | int) -> dt.date:
        n = stage if isinstance(stage, int) else workdays_for(stage)
        return self.calendar.add_workdays(start, n)


def _record(actor, target, field: str, old: dt.date | None, new: dt.date, note: str) -> None:
    audit_record(
        actor=actor,
        action=ACTION,
        target=target,
        before={field: old},
        after={field: new},
        note=f"{note}：{field} {old} → {new}",
    )


def deadlines_recompute(*, years: Iterable[int], actor=None, today: dt.date | None = None) -> dict[str, int]:
    """Recompute every open deadline that may depend on the working days of `years`; returns the
    number of rows changed by kind. Idempotent: a second run changes nothing."""
    years = sorted(set(years))
    if not years:
        return {}
    first = dt.date(years[0], 1, 1)
    today = today or timezone.localdate()
    note = _("工作日历变更（%(years)s年）重算期限") % {"years": "、".join(str(y) for y in years)}
    cal = _Calendar(first)
    changed = {"supplement_requests": 0, "applications": 0, "notices": 0, "objections": 0}
    with transaction.atomic():
        # 补正 supplement requests still open, and the clock starts they were computed from
        requests = list(
            SupplementRequest.objects.select_for_update(of=("self",))
            .filter(answered_at__isnull=True, application__state__in=(State.SUPPLEMENT_REQUESTED, State.FORMAL_REVIEW))
            .filter(Q(due_date__gte=first) | Q(review_due_date__gte=first))
            .order_by("pk")
        )
        app_ids = {sr.application_id for sr in requests}
        apps = list(
            Application.objects.select_for_update(of=("self",))
            .filter(
                due_date__gte=first,
                state__in=(*FORMAL_STATES, State.SUPPLEMENT_REQUESTED, *STAGE_CLOCKS, State.IN_PUBLIC_NOTICE),
            )
            .only("pk", "state", "due_date", "submitted_at")
            .order_by("pk")
        )
        app_ids |= {a.pk for a in apps}
        events: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
        clock_actions = (
            *CLOCK_ACTIONS,
            "start_formal_review",
            *(a for acts, _stage in STAGE_CLOCKS.values() for a in acts),
        )
        for app_id, at, action in (
            ApplicationEvent.objects.filter(application_id__in=app_ids, action__in=clock_actions)
            .order_by("created_at", "id")
            .values_list("application_id", "created_at", "action")
        ):
            events[app_id].append((at, action))

        def latest(app_id: int, actions: Iterable[str], before: dt.datetime | None = None):
            found = [(at, a) for at, a in events.get(app_id, ()) if a in actions and (before is None or at <= before)]
            return found[-1] if found else None

        request_due: dict[int, SupplementRequest] = {}  # application → its open request, recomputed
        for sr in requests:
            due = cal.add(_local(sr.created_at), "supplement")
            clock = latest(sr.application_id, CLOCK_ACTIONS, before=sr.created_at)
            review_due = cal.add(_local(clock[0]), "formal_review") if clock else sr.review_due_date
            fields = []
            if due != sr.due_date:
                _record(actor, sr, "due_date", sr.due_date, due, note)
                sr.due_date = due
                fields.append("due_date")
            if review_due is not None and review_due != sr.review_due_date:
                _record(actor, sr, "review_due_date", sr.review_due_date, review_due, note)
                sr.review_due_date = review_due
                fields.append("review_due_date")
            if fields:
                sr.save(update_fields=fields)
                changed["supplement_requests"] += 1
            request_due[sr.application_id] = sr

        # 公示 public notices still running (one that has ended is settled, or being settled)
        notice_end: dict[int, dt.date] = {}
        for notice in (
            PublicNotice.objects.select_for_update()
            .filter(status=PublicNotice.Status.OPEN, ends_on__gte=max(first, today))
            .order_by("pk")
        ):
            end = cal.add(notice.starts_on, notice.workdays)
            if end != notice.ends_on:
                _record(actor, notice, "ends_on", notice.ends_on, end, note)
                notice.ends_on = end
                notice.save(update_fields=["ends_on"])
                changed["notices"] += 1
            notice_end[notice.pk] = end
        notice_of = dict(
            PublicNoticeEntry.objects.filter(
                application_id__in=[a.pk for a in apps], notice_id__in=notice_end
            ).values_list("application_id", "notice_id")
        )

        # the application's current stage deadline, as the transition that entered the stage set it
        for app in apps:
            new = _stage_due(
                app, cal=cal, latest=latest, request_due=request_due, notice_end=notice_end, notice_of=notice_of
            )
            if new is not None and new != app.due_date:
                _record(actor, app, "due_date", app.due_date, new, note)
                Application.objects.filter(pk=app.pk).update(due_date=new, updated_at=timezone.now())
                changed["applications"] += 1

        # 异议 objections not yet resolved
        for objection in (
            Objection.objects.select_for_update()
            .filter(status=Objection.Status.OPEN, due_date__gte=first)
            .order_by("pk")
        ):
            due = cal.add(_local(objection.submitted_at), "objection")
            if due != objection.due_date:
                _record(actor, objection, "due_date", objection.due_date, due, note)
                objection.due_date = due
                objection.save(update_fields=["due_date"])
                changed["objections"] += 1
    return changed


def _stage_due(
    app: Application,
    *,
    cal: _Calendar,
    latest,
    request_due: dict[int, SupplementRequest],
    notice_end: dict[int, dt.date],
    notice_of: dict[int, int],
) -> dt.date | None:
    if app.state == State.SUPPLEMENT_REQUESTED:
        sr = request_due.get(app.pk)
        return sr.due_date if sr else None
    if app.state in FORMAL_STATES:
        clock = latest(app.pk, (*CLOCK_ACTIONS, "start_formal_review"))
        if clock and clock[1] == "resubmit":  # the applicant's resubmission keeps the return's own deadline
            sr = request_due.get(app.pk)
            return sr.review_due_date if sr else None
        start = latest(app.pk, CLOCK_ACTIONS)
        at = start[0] if start else app.submitted_at
        return cal.add(_local(at), "formal_review") if at else None
    if app.state in STAGE_CLOCKS:
        actions, stage = STAGE_CLOCKS[app.state]
        start = latest(app.pk, actions)
        return cal.add(_local(start[0]), stage) if start else None
    if app.state == State.IN_PUBLIC_NOTICE:
        notice = notice_of.get(app.pk)
        return notice_end.get(notice) if notice is not None else None
    return None


def on_calendar_changed(sender: Any, *, years: Iterable[int], actor=None, **kwargs: Any) -> None:
    """Receiver of portal.services_calendar.calendar_changed (connected in ReviewsConfig.ready)."""
    deadlines_recompute(years=years, actor=actor)
