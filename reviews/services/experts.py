"""专家评审 expert review on the competitive path: administrators assign at least three experts; an
expert linked to the enterprise (its member, or a declared relation 利益关联) cannot be assigned;
each expert first declares no conflict of interest (声明无利益冲突), then scores every criterion of
the programme (Programme.criteria: code, label_zh, max_score) with comments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Enterprise
from applications.services import application_transition, timeline_add
from applications.workflow import EventAction, State
from portal.audit import audit_record
from portal.limits import length_problem, max_length, require_length
from portal.models import Role, User
from portal.permissions import in_district

from ..models import ExpertAssignment, ExpertRelation, ExpertScore
from ..selectors import conflict_refusal, expert_conflicts
from .common import (
    assigned_guard,
    district_of,
    due_after,
    guards,
    min_experts,
    require_admin,
    require_bureau,
    require_in_district,
)

TWO_PLACES = Decimal("0.01")
PANEL_STATES = (State.FORMAL_REVIEW, State.EXPERT_REVIEW)


def expert_relation_add(*, actor, expert: User, enterprise: Enterprise, note: str = "") -> ExpertRelation:
    """登记利益关联 an administrator (or the expert) records a link to an enterprise."""
    if not (
        actor is not None and ((actor.is_bureau_admin and in_district(actor, expert.district)) or actor.pk == expert.pk)
    ):
        raise PermissionDenied(_("无权登记该专家的利益关联。"))
    require_length(note, model=ExpertRelation, field="note")
    with transaction.atomic():
        rel, _created = ExpertRelation.objects.get_or_create(
            expert=expert, enterprise=enterprise, defaults={"note": note, "declared_by": actor}
        )
        audit_record(
            actor=actor,
            action="review.expert_relation",
            target=rel,
            after={"expert": expert.pk, "enterprise": enterprise.pk},
            note=note,
        )
        expert_conflicts_revoke(expert=expert, actor=actor)  # a link found after assignment
    return rel


def expert_conflicts_revoke(
    *, expert: User, actor=None, application_ids: Iterable[int] | None = None, ip: str | None = None
) -> list[ExpertAssignment]:
    """利益冲突回避 after assignment: every place of the expert on a panel of an application now linked
    to them (a relation or a membership registered later, an enterprise named in the application)
    is revoked — recused, so the materials and the score form close — and, while that expert
    review is still open, their scores are voided (deleted; the audit event keeps them). On a
    panel that has finished, the scores stay on record and the bureau is told on the timeline.
    Called when a relation is registered, before each expert action and before a panel finishes."""
    revoked = []
    with transaction.atomic():
        qs = (
            ExpertAssignment.objects.select_for_update(of=("self",))
            .filter(expert=expert)
            .exclude(status=ExpertAssignment.Status.RECUSED)
            .select_related("application__programme", "application__enterprise")
            .order_by("pk")
        )
        if application_ids is not None:
            qs = qs.filter(application_id__in=list(application_ids))
        for a in qs:
            reasons = expert_conflicts(expert=expert, application=a.application)
            if not reasons:
                continue
            open_panel = a.application.state in PANEL_STATES
            scores = {s.criterion: str(s.score) for s in a.scores.all()}
            before = {"status": a.status, "total": a.total, "scores": scores}
            a.status = ExpertAssignment.Status.RECUSED
            # composed by the system from the conflicts found (each also kept as a relation): cut to the column
            a.declaration_note = "；".join(reasons)[: max_length(ExpertAssignment, "declaration_note")]
            fields = ["status", "declaration_note"]
            if open_panel:
                a.scores.all().delete()
                a.total, a.submitted_at = None, None
                fields += ["total", "submitted_at"]
            a.save(update_fields=fields)
            audit_record(
                actor=actor,
                action="review.expert_conflict_revoke",
                target=a,
                ip=ip,
                before=before,
                after={"status": a.status, "scores_voided": open_panel and bool(scores)},
                note="；".join(reasons),
            )
            message = (
                _("评审专家 %(who)s 存在利益冲突（%(why)s），已撤销其评审权限，评分作废。")
                if open_panel
                else _(
                    "评审专家 %(who)s 在专家评审结束后登记利益冲突（%(why)s），已撤销其评审权限；"
                    "其评分留存备查，请主管部门复核。"
                )
            )
            timeline_add(
                application=a.application,
                actor=actor,
                action=EventAction.EXPERT_CONFLICT_REVOKE,
                message=message % {"who": expert, "why": "；".join(reasons)},
                visible_to_applicant=False,
            )
            revoked.append(a)
    return revoked


def _refuse_if_conflicted(actor, assignment: ExpertAssignment | int) -> None:
    """Before an expert acts: a link registered since the assignment revokes the place (committed,
    whatever becomes of the action) and the action is refused."""
    pk = assignment.pk if isinstance(assignment, ExpertAssignment) else assignment
    a = ExpertAssignment.objects.select_related("application__programme").filter(pk=pk).first()
    if a is None or actor is None or a.expert_id != getattr(actor, "pk", None):
        return  # _own_assignment refuses it
    if expert_conflicts(expert=actor, application=a.application):
        expert_conflicts_revoke(expert=actor, application_ids=[a.application_id])
        raise PermissionDenied(conflict_refusal())


def experts_assign(
    *, actor, application: Application | int, experts: Iterable[User], ip: str | None = None
) -> list[ExpertAssignment]:
    """指派评审专家: add experts to the panel; the panel must then have at least three active experts."""
    require_admin(actor)
    experts = list(dict.fromkeys(experts))
    if not experts:
        raise ValidationError({"experts": _("请选择评审专家。")})
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        try:
            app = Application.objects.select_for_update().select_related("programme").get(pk=pk)
        except Application.DoesNotExist:
            raise ValidationError(_("申报不存在。")) from None
        require_in_district(actor, app)
        if app.programme.review_path != "competitive":
            raise ValidationError(
                _("“%(programme)s”为常规审核项目，不进行专家评审。") % {"programme": app.programme.name_zh}
            )
        if app.state not in PANEL_STATES:
            raise ValidationError(
                _("申报 %(ref)s 当前状态为“%(state)s”，不能指派评审专家。")
                % {"ref": app.reference, "state": app.get_state_display()}
            )
        existing = {a.expert_id: a for a in ExpertAssignment.objects.filter(application=app)}
        problems = []
        for expert in experts:
            if not (expert.is_active and expert.role == Role.EXPERT):
                problems.append(_("%(who)s 不是在库评审专家。") % {"who": expert})
            elif not in_district(expert, district_of(app)):
                problems.append(_("%(who)s 不是本区域的评审专家。") % {"who": expert})
            elif expert.pk in existing:
                problems.append(_("%(who)s 已在本申报的评审专家名单中。") % {"who": expert})
            else:
                problems.extend(
                    _("%(reason)s，不能指派（利益冲突回避）。") % {"reason": r}
                    for r in expert_conflicts(expert=expert, application=app)
                )
        if problems:
            raise ValidationError({"experts": problems})
        active = sum(1 for a in existing.values() if a.active) + len(experts)
        if active < min_experts():
            raise ValidationError(
                {
                    "experts": _("每个申报至少须指派 %(n)d 名评审专家（现有效 %(active)d 名）。")
                    % {"n": min_experts(), "active": active}
                }
            )
        made = [ExpertAssignment.objects.create(application=app, expert=e, assigned_by=actor) for e in experts]
        audit_record(
            actor=actor, action="review.experts_assign", target=app, ip=ip, after={"experts": [e.pk for e in experts]}
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.EXPERTS_ASSIGN,
            message=_("指派评审专家 %(n)d 名") % {"n": len(experts)},
            visible_to_applicant=False,
        )
    return made


def _own_assignment(actor, assignment: ExpertAssignment | int, *, lock: bool = False) -> ExpertAssignment:
    pk = assignment.pk if isinstance(assignment, ExpertAssignment) else assignment
    qs = ExpertAssignment.objects.select_related("application__programme__policy", "application__enterprise")
    if lock:
        qs = qs.select_for_update(of=("self",))
    a = qs.filter(pk=pk).first()
    if (
        a is None
        or actor is None
        or a.expert_id != actor.pk
        or actor.role != Role.EXPERT
        or not actor.is_active
        or not in_district(actor, district_of(a.application))
    ):
        raise PermissionDenied(_("该评审任务未指派给您。"))
    return a


def expert_declare(
    *, actor, assignment: ExpertAssignment | int, conflict: bool, note: str = "", ip: str | None = None
) -> ExpertAssignment:
    """利益冲突声明: before seeing the materials or scoring, the expert declares whether anything links
    them to the enterprise. A declared conflict recuses the expert and is recorded as a relation
    (which also revokes the expert's places on the enterprise's other applications)."""
    _refuse_if_conflicted(actor, assignment)
    with transaction.atomic():
        a = _own_assignment(actor, assignment, lock=True)
        if a.status != ExpertAssignment.Status.PENDING:
            raise ValidationError(_("您已作出利益冲突声明。"))
        if a.application.state not in PANEL_STATES:
            raise ValidationError(_("该申报已不在专家评审阶段。"))
        note = require_length(note.strip(), model=ExpertAssignment, field="declaration_note", key="note")
        if conflict and not note:
            raise ValidationError({"note": _("请说明利益冲突的情况。")})
        a.declared_at = timezone.now()
        a.declaration_note = note
        a.status = ExpertAssignment.Status.RECUSED if conflict else ExpertAssignment.Status.ACCEPTED
        a.save(update_fields=["declared_at", "declaration_note", "status"])
        audit_record(
            actor=actor,
            action="review.expert_declare",
            target=a,
            ip=ip,
            after={"conflict": conflict, "status": a.status},
            note=note,
        )
        if conflict:
            ExpertRelation.objects.get_or_create(
                expert=actor, enterprise_id=a.application.enterprise_id, defaults={"note": note, "declared_by": actor}
            )
            expert_conflicts_revoke(expert=actor, actor=actor, ip=ip)
    return a


def _score(raw: Any, crit: Mapping[str, Any]) -> Decimal:
    label = crit.get("label_zh") or crit["code"]
    top = Decimal(str(crit["max_score"]))
    if raw is None or str(raw).strip() == "":
        raise ValidationError(_("请为“%(label)s”评分。") % {"label": label})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(label)s”的评分须为数字。") % {"label": label}) from None
    if not value.is_finite() or value < 0 or value > top:
        raise ValidationError(_("“%(label)s”的评分须在 0 至 %(max)s 分之间。") % {"label": label, "max": top})
    if value != value.quantize(TWO_PLACES):
        raise ValidationError(_("“%(label)s”的评分最多保留两位小数。") % {"label": label})
    return value.quantize(TWO_PLACES)


def expert_scores_submit(
    *,
    actor,
    assignment: ExpertAssignment | int,
    scores: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    comment: str = "",
    ip: str | None = None,
) -> ExpertAssignment:
    """评分: every criterion of the programme, within 0..max_score; may be revised while the expert
    review lasts. Refused (nothing written) for a score outside the scale or a missing one."""
    comments = comments or {}
    _refuse_if_conflicted(actor, assignment)
    with transaction.atomic():
        a = _own_assignment(actor, assignment, lock=True)
        if a.status == ExpertAssignment.Status.PENDING:
            raise ValidationError(_("请先作出利益冲突声明。"))
        if a.status == ExpertAssignment.Status.RECUSED:
            raise ValidationError(_("您已回避本申报的评审。"))
        if a.application.state != State.EXPERT_REVIEW:
            raise ValidationError(_("该申报不在专家评审阶段，不能评分。"))
        criteria = a.application.programme.criteria or []
        if not criteria:
            raise ValidationError(_("该项目未设置评审指标。"))
        known = {c["code"] for c in criteria}
        errors: dict[str, list[str]] = {}
        unknown = [code for code in scores if code not in known]
        if unknown:
            errors["scores"] = [_("未知的评审指标：%(codes)s") % {"codes": "、".join(map(str, unknown))}]
        values: dict[str, Decimal] = {}
        for crit in criteria:
            try:
                values[crit["code"]] = _score(scores.get(crit["code"]), crit)
            except ValidationError as exc:
                errors.setdefault(f"score_{crit['code']}", []).extend(exc.messages)
            too_long = length_problem(
                str(comments.get(crit["code"], "")).strip(),
                model=ExpertScore,
                field="comment",
                label=_("评审意见（%(c)s）") % {"c": crit.get("label_zh") or crit["code"]},
            )
            if too_long:
                errors.setdefault(f"comment_{crit['code']}", []).append(too_long)
        too_long = length_problem(comment.strip(), model=ExpertAssignment, field="comment")
        if too_long:
            errors["comment"] = [too_long]
        if errors:
            raise ValidationError(errors)
        for crit in criteria:
            ExpertScore.objects.update_or_create(
                assignment=a,
                criterion=crit["code"],
                defaults={
                    "label": crit.get("label_zh") or crit["code"],
                    "max_score": Decimal(str(crit["max_score"])),
                    "score": values[crit["code"]],
                    "comment": str(comments.get(crit["code"], "")).strip(),
                },
            )
        before = {"total": a.total}
        a.total = sum(values.values(), Decimal("0"))
        a.comment = comment.strip()
        a.submitted_at = timezone.now()
        a.status = ExpertAssignment.Status.SUBMITTED
        a.save(update_fields=["total", "comment", "submitted_at", "status"])
        audit_record(
            actor=actor,
            action="review.expert_score",
            target=a,
            ip=ip,
            before=before,
            after={"total": a.total, "scores": {k: str(v) for k, v in values.items()}},
        )
    return a


def panel_incomplete(application: Application) -> str:
    """Why the expert review cannot finish yet ("" when it can): at least three experts have
    scored and no active expert is still pending."""
    panel = list(
        ExpertAssignment.objects.filter(application=application)
        .exclude(status=ExpertAssignment.Status.RECUSED)
        .select_related("expert")
    )
    done = [a for a in panel if a.status == ExpertAssignment.Status.SUBMITTED]
    if len(done) < min_experts():
        return _("至少须有 %(n)d 名专家提交评分（现 %(done)d 名）。") % {"n": min_experts(), "done": len(done)}
    waiting = [str(a.expert) for a in panel if a.status != ExpertAssignment.Status.SUBMITTED]
    if waiting:
        return _("尚有专家未提交评分：%(who)s。") % {"who": "、".join(waiting)}
    return ""


def expert_review_finish(
    *, actor, application: Application | int, note: str = "", ip: str | None = None
) -> Application:
    """专家评审完成 → bureau decision, once at least three experts have declared and scored and no
    active expert is still pending."""

    def panel_complete(app: Application) -> None:
        problem = panel_incomplete(app)
        if problem:
            raise ValidationError(problem)

    def apply(app: Application) -> None:
        app.due_date = due_after("bureau_review")

    require_bureau(actor)
    pk = application.pk if isinstance(application, Application) else application
    seated = ExpertAssignment.objects.filter(application_id=pk).exclude(status=ExpertAssignment.Status.RECUSED)
    for expert in User.objects.filter(pk__in=seated.values("expert_id")).order_by("pk"):
        # a link registered since the assignment: that expert's scores do not count (panel_incomplete)
        expert_conflicts_revoke(expert=expert, application_ids=[pk], ip=ip)
    return application_transition(
        actor=actor,
        application=application,
        transition="finish_expert_review",
        message=note.strip(),
        ip=ip,
        guard=guards(assigned_guard(actor), panel_complete),
        apply=apply,
    )
