"""Helpers shared by the review services: who may act, deadlines in working days, links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Application
from applications.workflow import EventAction, State
from portal.models import Role
from portal.permissions import is_bureau_admin, may_act_on_application, require_bureau_admin, require_district
from portal.workdays import WorkCalendar, add_workdays

from ..models import ReviewAssignment

DEFAULT_WORKDAYS = {
    "formal_review": 5,
    "supplement": 5,
    "expert_review": 10,
    "bureau_review": 10,
    "notice": 7,
    "objection": 5,
}
# States in which an application waits for a reviewer (the reviewers' stage).
REVIEW_STAGE_STATES = (State.SUBMITTED, State.FORMAL_REVIEW, State.EXPERT_REVIEW, State.BUREAU_REVIEW)
# States in which an application is still with the bureau (queue of administrators).
OPEN_STATES = (
    State.SUBMITTED,
    State.FORMAL_REVIEW,
    State.SUPPLEMENT_REQUESTED,
    State.EXPERT_REVIEW,
    State.BUREAU_REVIEW,
    State.APPROVED_PENDING_NOTICE,
    State.IN_PUBLIC_NOTICE,
)
# Where the reviewer's formal-review clock starts: the latest submission or resubmission.
CLOCK_ACTIONS = (EventAction.SUBMIT, EventAction.RESUBMIT)

Guard = Callable[[Application], None]


def workdays_for(stage: str) -> int:
    configured = getattr(settings, "REVIEWS_WORKDAYS", {}) or {}
    return int(configured.get(stage, DEFAULT_WORKDAYS[stage]))


def min_experts() -> int:
    return int(getattr(settings, "REVIEWS_MIN_EXPERTS", 3))


def today() -> dt.date:
    return timezone.localdate()


def due_after(stage: str, start: dt.date | None = None, calendar: WorkCalendar | None = None) -> dt.date:
    start = start or today()
    n = workdays_for(stage)
    return calendar.add_workdays(start, n) if calendar is not None else add_workdays(start, n)


def is_admin(actor) -> bool:
    return is_bureau_admin(actor)


def is_reviewer(actor) -> bool:
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.role == Role.REVIEWER
    )


def require_admin(actor) -> None:
    require_bureau_admin(actor)


def require_bureau(actor) -> None:
    if not (is_admin(actor) or is_reviewer(actor)):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以进行此操作。"))


def district_of(app: Application) -> str:
    """The district an application belongs to: its programme's policy's (发文机关所在区域)."""
    return app.programme.policy.district


def require_in_district(actor, app: Application) -> None:
    """Refuse bureau work on another district's application (the system, actor None, passes)."""
    require_district(actor, district_of(app))


def require_assigned(actor, app: Application) -> None:
    """Refuse unless the actor is the reviewer assigned to the application or an administrator, of the
    application's district (the system, actor None, passes)."""
    require_in_district(actor, app)
    if actor is None or is_admin(actor):
        return
    reviewer_id = ReviewAssignment.objects.filter(application=app).values_list("reviewer_id", flat=True).first()
    if may_act_on_application(actor, assigned_reviewer_id=reviewer_id):
        return
    if reviewer_id is None:
        raise PermissionDenied(_("申报 %(ref)s 尚未分配审核人员，请先认领或由管理员分配。") % {"ref": app.reference})
    raise PermissionDenied(_("申报 %(ref)s 已分配给其他审核人员，您不能办理。") % {"ref": app.reference})


def assigned_guard(actor) -> Guard:
    """require_assigned as a transition guard (for the services still written with guards)."""

    def guard(app: Application) -> None:
        require_assigned(actor, app)

    return guard


def guards(*fns: Guard | None) -> Guard:
    def run(app: Application) -> None:
        for fn in fns:
            if fn is not None:
                fn(app)

    return run


def link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@contextmanager
def portal_language() -> Iterator[None]:
    """Follow-up writes that other people read later (notifications, their e-mails) are in the
    portal's language (Chinese), whichever language the acting user reads the pages in."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def applicant_link(application: Application) -> str:
    """The applicant's page of the application (built by the applications app), if it exists."""
    for name in ("applications:detail", "applications:application_detail", "applications:application"):
        url = link(name, application.pk)
        if url:
            return url
    return ""
