"""Changes of an application's state 状态流转: the one transition service, its row locks and the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from enum import Enum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Role
from portal.permissions import in_district

from ..models import (
    Application,
    ApplicationEvent,
)
from ..promise import payment_promise_date
from ..workflow import ADMIN, APPLICANT, REVIEWER, SYSTEM, TRANSITIONS


class TransitionRefused(ValidationError):
    """An impossible or forbidden change of state; nothing was changed."""


# ---------------------------------------------------------------- timeline and transitions


def timeline_add(
    *,
    application: Application,
    actor,
    action: str,
    message: str = "",
    from_state: str = "",
    to_state: str = "",
    data: dict | None = None,
    visible_to_applicant: bool = True,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        message=message,
        data=data or {},
        visible_to_applicant=visible_to_applicant,
    )


def actor_kinds(*, actor, application: Application) -> set[str]:
    """What the actor is in relation to this application, in the workflow table's terms."""
    if actor is None:
        return {SYSTEM}
    kinds: set[str] = set()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return kinds
    membership = getattr(actor, "membership", None)
    own = membership is not None and membership.enterprise_id == application.enterprise_id
    if actor.role == Role.ENTERPRISE and own:
        kinds.add(APPLICANT)
    if actor.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN) and not in_district(
        actor, application.programme.policy.district
    ):
        return kinds  # bureau staff act on their own district's applications only
    if actor.role == Role.REVIEWER:
        kinds.add(REVIEWER)
    if actor.role in (Role.BUREAU_ADMIN, Role.SYSADMIN):
        kinds.add(ADMIN)
    return kinds


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # application_transition(due_date=KEEP): the stage deadline stays as it is


def applications_lock(ids: Iterable[int]) -> dict[int, Application]:
    """Lock these applications' rows for the caller's transaction, in id order (two callers locking
    overlapping sets never deadlock), with their programmes; by id."""
    return {
        app.pk: app
        for app in Application.objects.select_for_update()
        .select_related("programme")
        .filter(pk__in=sorted({int(i) for i in ids}))
        .order_by("pk")
    }


def application_lock(application: Application | int) -> Application:
    """Lock one application's row for the caller's transaction (with its programme, policy and
    enterprise): the first step of a service that reads, checks and then moves it."""
    return application_lock_for_change(application)


def transition_check(*, actor, application: Application, transition: str) -> None:
    """Refuse (TransitionRefused / PermissionDenied, nothing changed) unless `transition` may fire
    now from the application's state on its programme's review path, by this actor. A service calls
    it before its own writes; application_transition calls it again under the row lock."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("未知的办理操作：%(t)s") % {"t": transition})
    if application.state not in spec.sources or application.programme.review_path not in spec.paths:
        raise TransitionRefused(
            _("申报 %(ref)s 当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"ref": application.reference, "state": application.get_state_display(), "action": spec.label}
        )
    if not (actor_kinds(actor=actor, application=application) & set(spec.actors)):
        raise PermissionDenied(_("您无权对该申报执行“%(action)s”。") % {"action": spec.label})


def application_transition(
    *,
    actor,
    application: Application | int,
    transition: str,
    message: str = "",
    data: dict | None = None,
    ip: str | None = None,
    guard: Callable[[Application], None] | None = None,
    apply: Callable[[Application], None] | None = None,
    on_commit: Callable[[Application], None] | None = None,
    visible_to_applicant: bool = True,
    due_date: dt.date | None | _Keep = KEEP,
) -> Application:
    """The one way an application changes state.

    Locks the application row, checks the transition exists from the current state on the
    programme's review path and that the actor may fire it (transition_check), sets the stage
    deadline `due_date` when given (None clears it), records the audit event and the timeline entry.
    Refusals raise TransitionRefused/PermissionDenied and change nothing. `actor=None` means the
    system (periodic tasks).

    A service that reads top to bottom locks (application_lock), checks and writes itself, then
    calls this once with plain arguments. `guard` (raise to refuse), `apply` (further writes) and
    `on_commit` (after the commit) remain for the callers not yet written that way."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("未知的办理操作：%(t)s") % {"t": transition})
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("programme").get(pk=pk)
        transition_check(actor=actor, application=app, transition=transition)
        if guard is not None:
            guard(app)
        before = app.state
        app.state = spec.target
        now = timezone.now()
        if transition in ("submit", "auto_submit") and app.submitted_at is None:
            app.submitted_at = now
            # 快申快享: the payment is promised from the first submission (免申: its publication)
            app.payment_promised_on = payment_promise_date(
                programme=app.programme, submitted_on=timezone.localdate(now)
            )
        if spec.target in ("approved_pending_notice", "declined"):
            app.decided_at = now
        if due_date is not KEEP:
            app.due_date = due_date
        if apply is not None:
            apply(app)
        app.save()
        audit_record(
            actor=actor,
            action=f"application.{transition}",
            target=app,
            ip=ip,
            before={"state": before},
            after={"state": app.state, **(data or {})},
            note=message,
        )
        timeline_add(
            application=app,
            actor=actor,
            action=transition,
            from_state=before,
            to_state=app.state,
            message=message,
            data=data,
            visible_to_applicant=visible_to_applicant,
        )
        if on_commit is not None:
            transaction.on_commit(lambda: _in_portal_language(on_commit, app))
    return app


def _in_portal_language(callback: Callable[[Application], None], app: Application) -> None:
    """Follow-up work (notifications and their e-mails, letters) writes records that other people read
    later: in the portal's language (Chinese), whichever language the acting user reads the pages in."""
    with translation.override(settings.LANGUAGE_CODE):
        callback(app)


def application_lock_for_change(application: Application | int) -> Application:
    pk = application.pk if isinstance(application, Application) else application
    return Application.objects.select_for_update().select_related("programme__policy", "enterprise").get(pk=pk)
