"""The reviewer's queue 待办 and its deadlines (working days), scoped to the actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationEvent
from applications.workflow import State
from portal.models import User
from portal.permissions import district_q
from portal.workdays import WorkCalendar

from ..models import (
    Objection,
)
from ..services.common import CLOCK_ACTIONS, OPEN_STATES, REVIEW_STAGE_STATES, is_admin, is_reviewer, workdays_for
from .notices import objections_for

FORMAL_CLOCK_STATES = (State.SUBMITTED, State.FORMAL_REVIEW)


def require_staff_reviewer(actor) -> None:
    if not (is_admin(actor) or is_reviewer(actor)):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以查看。"))


# ---------------------------------------------------------------- deadlines


def _clock_subquery() -> Subquery:
    return Subquery(
        ApplicationEvent.objects.filter(application=OuterRef("pk"), action__in=CLOCK_ACTIONS)
        .order_by("-created_at", "-id")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def with_deadline_fields(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate `clock_at`, the latest (re)submission, from which the formal-review deadline runs."""
    return qs.annotate(clock_at=_clock_subquery())


def deadline_of(app: Application, calendar: WorkCalendar) -> dt.date | None:
    """The deadline of the application's current stage (annotated `with_deadline_fields`)."""
    return stage_deadline(app.state, getattr(app, "clock_at", None), app.submitted_at, app.due_date, calendar)


def stage_deadline(
    state: str,
    clock_at: dt.datetime | None,
    submitted_at: dt.datetime | None,
    due_date: dt.date | None,
    calendar: WorkCalendar,
) -> dt.date | None:
    """The deadline of an application's current stage: formal review within N working days of the
    (re)submission (`clock_at`, else the submission); otherwise the stage deadline stored on the
    application (supplement, expert and bureau review, public notice)."""
    if state in FORMAL_CLOCK_STATES:
        start = clock_at or submitted_at
        if start is None:
            return due_date
        return calendar.add_workdays(timezone.localdate(start), workdays_for("formal_review"))
    return due_date


def _deadline_before(qs: QuerySet[Application], limit: dt.date, calendar: WorkCalendar) -> QuerySet[Application]:
    """Applications whose current deadline falls on or before `limit` (one SQL condition)."""
    start = calendar.latest_start(limit, workdays_for("formal_review"))
    # "on or before `start`" as "before the next day's midnight": a comparison of the column itself,
    # which an index answers (a date cast of each row's timestamp is not)
    before = dt.datetime.combine(start + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    # The clock never starts before the submission: the cheap test first spares the subquery for
    # every application submitted since (most of the open ones). "The latest (re)submission before
    # `before`, or none" is asked as "no (re)submission since": one subquery, which PostgreSQL runs
    # once for all rows (hashed) — with the latest one compared per row, the planner priced the
    # queue's own index out and read every open application of the district (11 ms against 1 ms
    # on 100,000 applications, bench/bench_lists.py page_overdue_admin).
    resubmitted = ApplicationEvent.objects.filter(
        application=OuterRef("pk"), action__in=CLOCK_ACTIONS, created_at__gte=before
    )
    formal = Q(state__in=FORMAL_CLOCK_STATES) & Q(submitted_at__lt=before) & ~Exists(resubmitted)
    other = ~Q(state__in=FORMAL_CLOCK_STATES) & Q(due_date__lte=limit)
    return qs.filter(formal | other)


def calendar_for_queue(day: dt.date | None = None) -> WorkCalendar:
    day = day or timezone.localdate()
    return WorkCalendar.around(day, back=120, ahead=120)


# ---------------------------------------------------------------- the reviewer queue


@dataclass
class QueueFilters:
    scope: str = ""  # "mine" / "unassigned" / "" (everything I may see)
    programme: str = ""  # programme code
    policy: str = ""  # policy code
    state: str = ""
    enterprise: str = ""  # name contains, or exact credit code
    deadline: str = ""  # "overdue" / "week" (due within 5 working days)
    reviewer: int | None = None  # administrators: a reviewer's id
    sort: str = "age"  # "age" (oldest submission first) / "-age" / "deadline"

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> QueueFilters:
        reviewer = params.get("reviewer")
        try:
            reviewer_id = int(reviewer) if reviewer not in (None, "") else None
        except (TypeError, ValueError):
            reviewer_id = None
        sort = params.get("sort") or "age"
        return cls(
            scope=str(params.get("scope") or ""),
            programme=str(params.get("programme") or ""),
            policy=str(params.get("policy") or ""),
            state=str(params.get("state") or ""),
            enterprise=str(params.get("enterprise") or "").strip(),
            deadline=str(params.get("deadline") or ""),
            reviewer=reviewer_id,
            sort=sort if sort in ("age", "-age", "deadline") else "age",
        )


# The queue's rows (page, API, overdue list, reminders) as plain values: one flat dict per row, no
# model objects (a page of 50 with its enterprise, programme, policy, assignment and reviewer was
# 300 instances to build), and only the columns the rows show.
QUEUE_VALUES = {
    "id": "id",
    "reference": "reference",
    "title": "title",
    "state": "state",
    "submitted_at": "submitted_at",
    "due_date": "due_date",
    "estimate_amount": "estimate_amount",
    "clock_at": "clock_at",
    "enterprise_id": "enterprise_id",
    "enterprise_name": "enterprise__name",
    "programme_code": "programme__code",
    "programme_name_zh": "programme__name_zh",
    "programme_name_en": "programme__name_en",
    "review_path": "programme__review_path",
    "policy_code": "programme__policy__code",
    "policy_document_number": "programme__policy__document_number",
    "policy_title": "programme__policy__title",
    "reviewer_id": "review_assignment__reviewer_id",
    "reviewer_full_name": "review_assignment__reviewer__full_name",
    "reviewer_email": "review_assignment__reviewer__email",
    "reviewer_username": "review_assignment__reviewer__username",
}


def queue_values(qs: QuerySet[Application]) -> QuerySet:
    """`queue_for`'s applications as the flat rows `queue_rows` reads (`.values()`: see QUEUE_VALUES)."""
    fields = [name for name, lookup in QUEUE_VALUES.items() if lookup == name]
    aliases = {name: F(lookup) for name, lookup in QUEUE_VALUES.items() if lookup != name}
    return qs.values(*fields, **aliases)


def queue_for(
    *, actor, filters: QueueFilters | None = None, calendar: WorkCalendar | None = None
) -> QuerySet[Application]:
    """审核队列: for a reviewer, what is assigned to them and what waits unassigned in the reviewers'
    stage; for an administrator, every application still with the bureau — of the actor's district
    (portal.permissions.district_q; all for the system administrator). The formal-review clock is
    annotated as a subquery; `queue_values` reads a page's rows in one SQL query."""
    require_staff_reviewer(actor)
    f = filters or QueueFilters()
    calendar = calendar or calendar_for_queue()
    qs = Application.objects.filter(district_q(actor, "programme__policy__district"), state__in=OPEN_STATES)
    if is_admin(actor):
        if f.scope == "mine":
            qs = qs.filter(review_assignment__reviewer=actor)
        elif f.scope == "unassigned":
            qs = qs.filter(review_assignment__isnull=True)
        if f.reviewer:
            qs = qs.filter(review_assignment__reviewer_id=f.reviewer)
    else:
        mine = Q(review_assignment__reviewer=actor)
        waiting = Q(review_assignment__isnull=True, state__in=REVIEW_STAGE_STATES)
        qs = qs.filter(mine if f.scope == "mine" else waiting if f.scope == "unassigned" else mine | waiting)
    if f.programme:
        qs = qs.filter(programme__code=f.programme)
    if f.policy:
        qs = qs.filter(programme__policy__code=f.policy)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.enterprise:
        qs = qs.filter(Q(enterprise__name__icontains=f.enterprise) | Q(enterprise__credit_code=f.enterprise.upper()))
    qs = with_deadline_fields(qs)
    today = timezone.localdate()
    if f.deadline == "overdue":
        qs = _deadline_before(qs, today - dt.timedelta(days=1), calendar)
    elif f.deadline == "week":
        qs = _deadline_before(qs, calendar.add_workdays(today, 5), calendar)
    if f.sort == "-age":
        return qs.order_by("-submitted_at", "-id")
    if f.sort == "deadline":
        return qs.order_by("due_date", "submitted_at", "id")
    return qs.order_by("submitted_at", "id")


def queue_rows(rows: Iterable[dict[str, Any]], *, actor, calendar: WorkCalendar) -> list[dict[str, Any]]:
    """The queue's rows (`queue_values`) with each deadline and its overdue flag, whether it is the
    actor's, the reviewer's name and the days waited (no further queries)."""
    today = timezone.localdate()
    out = []
    for row in rows:
        deadline = stage_deadline(row["state"], row["clock_at"], row["submitted_at"], row["due_date"], calendar)
        reviewer_id = row["reviewer_id"]
        out.append(
            {
                **row,
                "deadline": deadline,
                "overdue": deadline is not None and deadline < today,
                "reviewer_name": User.name_of(
                    row["reviewer_full_name"], row["reviewer_email"], row["reviewer_username"]
                )
                if reviewer_id
                else "",
                "mine": reviewer_id is not None and reviewer_id == actor.pk,
                "age_days": (today - timezone.localdate(row["submitted_at"])).days if row["submitted_at"] else None,
            }
        )
    return out


def overdue_for(*, actor, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """逾期事项: applications past their stage deadline (the reviewer's own; all for administrators)
    and, for administrators, objections past their 5-working-day answer."""
    calendar = calendar or calendar_for_queue()
    apps = queue_for(
        actor=actor,
        filters=QueueFilters(deadline="overdue", scope="" if is_admin(actor) else "mine"),
        calendar=calendar,
    )
    objections = Objection.objects.none()
    if is_admin(actor):
        objections = (
            objections_for(actor=actor)
            .filter(status=Objection.Status.OPEN, due_date__lt=timezone.localdate())
            .order_by("due_date", "pk")
        )
    return {"applications": apps, "objections": objections}
