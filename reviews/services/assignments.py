"""审核分工 reviewer assignment: administrators assign a reviewer; reviewers claim unassigned
applications waiting in their stage. A submitted application that gets its reviewer enters formal
review (形式审查) at once. Bulk forms run one transaction per application and report each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.workflow import State
from portal.audit import audit_record
from portal.models import Role, User
from portal.permissions import district_q, in_district

from ..models import ReviewAssignment
from .common import (
    REVIEW_STAGE_STATES,
    assigned_guard,
    district_of,
    is_admin,
    is_reviewer,
    require_admin,
    require_in_district,
)
from .formal import formal_review_pass, formal_review_start

ASSIGNABLE_STATES = (*REVIEW_STAGE_STATES, State.SUPPLEMENT_REQUESTED)


@dataclass(frozen=True)
class BulkResult:
    application_id: int
    reference: str
    ok: bool
    message: str


def _lock(application: Application | int) -> Application:
    pk = application.pk if isinstance(application, Application) else application
    try:
        return Application.objects.select_for_update().select_related("programme").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("申报不存在。")) from None


def _start_formal_review_if_submitted(*, actor, app: Application, ip: str | None) -> None:
    if app.state == State.SUBMITTED:
        formal_review_start(actor=actor, application=app, ip=ip)


def reviewer_assign(
    *, actor, application: Application | int, reviewer: User, ip: str | None = None
) -> ReviewAssignment:
    """An administrator makes `reviewer` responsible for the application (or changes the reviewer)."""
    require_admin(actor)
    if not (reviewer.is_active and reviewer.role == Role.REVIEWER):
        raise ValidationError({"reviewer": _("只能分配给在岗的审核人员。")})
    with transaction.atomic():
        app = _lock(application)
        require_in_district(actor, app)
        if not in_district(reviewer, district_of(app)):
            raise ValidationError({"reviewer": _("只能分配给本区域的审核人员。")})
        if app.state not in ASSIGNABLE_STATES:
            raise ValidationError(
                _("申报 %(ref)s 当前状态为“%(state)s”，不能分配审核人员。")
                % {"ref": app.reference, "state": app.get_state_display()}
            )
        current = ReviewAssignment.objects.filter(application=app).select_for_update().first()
        before = {"reviewer": current.reviewer_id} if current else {"reviewer": None}
        if current is None:
            current = ReviewAssignment.objects.create(application=app, reviewer=reviewer, assigned_by=actor)
        elif current.reviewer_id != reviewer.pk:
            current.reviewer, current.assigned_by, current.assigned_at, current.claimed = (
                reviewer,
                actor,
                timezone.now(),
                False,
            )
            current.save()
        audit_record(
            actor=actor, action="review.assign", target=app, ip=ip, before=before, after={"reviewer": reviewer.pk}
        )
        _start_formal_review_if_submitted(actor=actor, app=app, ip=ip)
    return current


def reviewer_claim(*, actor, application: Application | int, ip: str | None = None) -> ReviewAssignment:
    """A reviewer takes an unassigned application waiting in the reviewers' stage."""
    if not is_reviewer(actor):
        raise PermissionDenied(_("只有审核人员可以认领申报。"))
    with transaction.atomic():
        app = _lock(application)
        require_in_district(actor, app)
        if app.state not in REVIEW_STAGE_STATES:
            raise ValidationError(
                _("申报 %(ref)s 当前状态为“%(state)s”，不能认领。")
                % {"ref": app.reference, "state": app.get_state_display()}
            )
        current = ReviewAssignment.objects.filter(application=app).select_related("reviewer").first()
        if current is not None:
            if current.reviewer_id == actor.pk:
                return current
            raise ValidationError(
                _("申报 %(ref)s 已由 %(who)s 负责，不能重复认领。") % {"ref": app.reference, "who": current.reviewer}
            )
        assignment = ReviewAssignment.objects.create(application=app, reviewer=actor, assigned_by=actor, claimed=True)
        audit_record(actor=actor, action="review.claim", target=app, ip=ip, after={"reviewer": actor.pk})
        _start_formal_review_if_submitted(actor=actor, app=app, ip=ip)
    return assignment


def reviewer_release(*, actor, application: Application | int, ip: str | None = None) -> None:
    """Give an application back to the stage (its reviewer, or an administrator)."""
    with transaction.atomic():
        app = _lock(application)
        assigned_guard(actor)(app)
        deleted, _rows = ReviewAssignment.objects.filter(application=app).delete()
        if deleted:
            audit_record(actor=actor, action="review.release", target=app, ip=ip)


def _each(actor, application_ids: Iterable[int], fn: Callable[[int], object]) -> list[BulkResult]:
    """Run `fn` per application in its own transaction; a refusal is reported, not raised. An
    application of another district is reported as not found (its reference is not told)."""
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    refs = dict(
        Application.objects.filter(pk__in=ids)
        .filter(district_q(actor, "programme__policy__district"))
        .values_list("pk", "reference")
    )
    results = []
    for pk in ids:
        if pk not in refs:
            results.append(BulkResult(pk, str(pk), False, _("申报不存在。")))
            continue
        try:
            fn(pk)
        except (ValidationError, PermissionDenied) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, refs.get(pk, str(pk)), False, message))
        else:
            results.append(BulkResult(pk, refs.get(pk, str(pk)), True, _("已办理")))
    return results


def reviewers_assign_many(
    *, actor, application_ids: Iterable[int], reviewer: User, ip: str | None = None
) -> list[BulkResult]:
    require_admin(actor)
    return _each(
        actor, application_ids, lambda pk: reviewer_assign(actor=actor, application=pk, reviewer=reviewer, ip=ip)
    )


def reviewers_claim_many(*, actor, application_ids: Iterable[int], ip: str | None = None) -> list[BulkResult]:
    if not is_reviewer(actor):
        raise PermissionDenied(_("只有审核人员可以认领申报。"))
    return _each(actor, application_ids, lambda pk: reviewer_claim(actor=actor, application=pk, ip=ip))


def send_to_experts_many(
    *, actor, application_ids: Iterable[int], note: str, ip: str | None = None
) -> list[BulkResult]:
    """Bulk 形式审查通过，提交专家评审 with one comment for all (形式审查意见, required): safe because each
    application is checked as if alone (competitive path, assigned to the actor, checklist complete)."""
    if not (is_admin(actor) or is_reviewer(actor)):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以进行此操作。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写形式审查意见。")})

    def one(pk: int) -> None:
        app = Application.objects.select_related("programme").filter(pk=pk).first()
        if app is None:
            raise ValidationError(_("申报不存在。"))
        if app.programme.review_path != "competitive":
            raise ValidationError(_("申报 %(ref)s 属常规审核项目，不经专家评审。") % {"ref": app.reference})
        formal_review_pass(actor=actor, application=app, note=note, ip=ip)

    return _each(actor, application_ids, one)
