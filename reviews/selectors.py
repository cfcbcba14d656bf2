"""Reads of the review workflow, scoped to the actor. Staff see applications through
applications.selectors; experts see only the applications assigned to them; the public sees only
public notices (enterprise name, programme, amount)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateTimeField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationEvent, Attachment, Enterprise, EnterpriseMember, ProjectClaim
from applications.selectors import application_get_for_actor, basis_of
from applications.workflow import COMPETITIVE, State
from portal.models import Role
from portal.permissions import district_q
from portal.uscc import normalize as normalize_uscc
from portal.workdays import WorkCalendar
from vouchers.calculator import Estimate, InputError
from vouchers.display import capped_by_label
from vouchers.models import Award, Programme
from vouchers.selectors import estimate_for, prior_awards_many
from vouchers.services.budget import batch_oversubscription

from .models import (
    CollectiveDecision,
    Decision,
    DecisionProposal,
    ExpertAssignment,
    ExpertRelation,
    Objection,
    PartyConfirmation,
    PublicNotice,
    PublicNoticeEntry,
    SupplementRequest,
)
from .services.common import CLOCK_ACTIONS, OPEN_STATES, REVIEW_STAGE_STATES, is_admin, is_reviewer, workdays_for

SCORE_PLACES = Decimal("0.01")
FORMAL_CLOCK_STATES = (State.SUBMITTED, State.FORMAL_REVIEW)


def require_staff_reviewer(actor) -> None:
    if not (is_admin(actor) or is_reviewer(actor)):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以查看。"))


# ---------------------------------------------------------------- deadlines

def _clock_subquery() -> Subquery:
    return Subquery(ApplicationEvent.objects.filter(application=OuterRef("pk"), action__in=CLOCK_ACTIONS)
                    .order_by("-created_at", "-id").values("created_at")[:1], output_field=DateTimeField())


def with_deadline_fields(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate `clock_at`, the latest (re)submission, from which the formal-review deadline runs."""
    return qs.annotate(clock_at=_clock_subquery())


def deadline_of(app: Application, calendar: WorkCalendar) -> dt.date | None:
    """The deadline of the application's current stage: formal review within N working days of the
    (re)submission; otherwise the stage deadline stored on the application (supplement, expert and
    bureau review, public notice)."""
    if app.state in FORMAL_CLOCK_STATES:
        start = getattr(app, "clock_at", None) or app.submitted_at
        if start is None:
            return app.due_date
        return calendar.add_workdays(timezone.localdate(start), workdays_for("formal_review"))
    return app.due_date


def _deadline_before(qs: QuerySet[Application], limit: dt.date, calendar: WorkCalendar) -> QuerySet[Application]:
    """Applications whose current deadline falls on or before `limit` (one SQL condition)."""
    start = calendar.latest_start(limit, workdays_for("formal_review"))
    # The clock never starts before the submission: the cheap test first spares the subquery for
    # every application submitted since (most of the open ones).
    formal = Q(state__in=FORMAL_CLOCK_STATES) & Q(submitted_at__date__lte=start) & (
        Q(clock_at__date__lte=start) | Q(clock_at__isnull=True))
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
        return cls(scope=str(params.get("scope") or ""), programme=str(params.get("programme") or ""),
                   policy=str(params.get("policy") or ""), state=str(params.get("state") or ""),
                   enterprise=str(params.get("enterprise") or "").strip(), deadline=str(params.get("deadline") or ""),
                   reviewer=reviewer_id, sort=sort if sort in ("age", "-age", "deadline") else "age")


# The only columns the queue's rows show (page, API, overdue list, reminders): a page of 50 carries
# neither 50 copies of each programme's catalogue entry and of its policy's full text, nor the
# estimates' steps, nor the dates nobody reads (each one parsed per row).
QUEUE_READ = ("id", "reference", "enterprise_id", "programme_id", "window_id", "state", "title", "submitted_at",
              "due_date", "estimate_amount", "enterprise__id", "enterprise__name", "enterprise__credit_code",
              "programme__id", "programme__code", "programme__name_zh", "programme__name_en",
              "programme__review_path", "programme__policy_id", "programme__policy__id", "programme__policy__code",
              "review_assignment__id", "review_assignment__application_id", "review_assignment__reviewer_id",
              "review_assignment__claimed", "review_assignment__reviewer__id", "review_assignment__reviewer__full_name",
              "review_assignment__reviewer__email", "review_assignment__reviewer__username")


def queue_for(*, actor, filters: QueueFilters | None = None,
              calendar: WorkCalendar | None = None) -> QuerySet[Application]:
    """审核队列: for a reviewer, what is assigned to them and what waits unassigned in the reviewers'
    stage; for an administrator, every application still with the bureau — of the actor's district
    (portal.permissions.district_q; all for the system administrator). One SQL query for the rows
    (enterprise, programme, policy and reviewer joined; the formal-review clock as a subquery)."""
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
    qs = qs.select_related("enterprise", "programme__policy", "review_assignment__reviewer").only(*QUEUE_READ)
    if f.sort == "-age":
        return qs.order_by("-submitted_at", "-id")
    if f.sort == "deadline":
        return qs.order_by("due_date", "submitted_at", "id")
    return qs.order_by("submitted_at", "id")


def queue_rows(apps: Iterable[Application], *, actor, calendar: WorkCalendar) -> list[dict[str, Any]]:
    """The queue's rows with each deadline and its overdue flag (no further queries)."""
    today = timezone.localdate()
    rows = []
    for app in apps:
        deadline = deadline_of(app, calendar)
        assignment = getattr(app, "review_assignment", None) if _has_assignment(app) else None
        rows.append({
            "application": app, "deadline": deadline, "overdue": deadline is not None and deadline < today,
            "reviewer": assignment.reviewer if assignment else None,
            "mine": assignment is not None and assignment.reviewer_id == actor.pk,
            "age_days": (today - timezone.localdate(app.submitted_at)).days if app.submitted_at else None,
        })
    return rows


def _has_assignment(app: Application) -> bool:
    try:
        app.review_assignment  # noqa: B018 - the reverse one-to-one raises when absent
    except Application.review_assignment.RelatedObjectDoesNotExist:
        return False
    return True


def overdue_for(*, actor, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """逾期事项: applications past their stage deadline (the reviewer's own; all for administrators)
    and, for administrators, objections past their 5-working-day answer."""
    calendar = calendar or calendar_for_queue()
    apps = queue_for(actor=actor, filters=QueueFilters(deadline="overdue",
                                                      scope="" if is_admin(actor) else "mine"), calendar=calendar)
    objections = Objection.objects.none()
    if is_admin(actor):
        objections = (objections_for(actor=actor).filter(status=Objection.Status.OPEN,
                                                         due_date__lt=timezone.localdate())
                      .order_by("due_date", "pk"))
    return {"applications": apps, "objections": objections}


# ---------------------------------------------------------------- one application, for staff

def review_application_get(*, actor, pk: int) -> Application:
    require_staff_reviewer(actor)
    app = application_get_for_actor(actor=actor, pk=pk)
    return app


def supplement_history(application: Application) -> list[dict[str, Any]]:
    """Each return for supplement with its items and the resubmission that answered it (one history)."""
    requests = list(SupplementRequest.objects.filter(application=application).prefetch_related("items")
                    .select_related("requested_by"))
    resubmits = list(ApplicationEvent.objects.filter(application=application, action="resubmit")
                     .order_by("created_at", "id"))
    answered = [next((e for e in resubmits if e.created_at >= sr.created_at), None) for sr in requests]
    file_ids = {pk for e in answered if e for pks in (e.data.get("files") or {}).values() for pk in pks}
    names = dict(Attachment.objects.filter(application=application, pk__in=file_ids)
                 .values_list("pk", "original_name")) if file_ids else {}
    out = []
    for sr, answer in zip(requests, answered, strict=True):
        data = answer.data if answer else {}
        items = [{"item": i, "label": i.label, "note": i.note,  # each item beside what answered it
                  "answer": (data.get("answers") or {}).get(i.code, ""),
                  "files": [names[pk] for pk in (data.get("files") or {}).get(i.code, []) if pk in names]}
                 for i in sr.items.all()]
        out.append({"request": sr, "items": items, "answer": answer})
    return out


def current_decision(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application, current=True).select_related("decided_by").first()


# ---------------------------------------------------------------- experts and panels

def expert_assignments_for(*, actor) -> QuerySet[ExpertAssignment]:
    """The expert's own assignments (on applications of the expert's district), nothing else."""
    if not (actor is not None and actor.is_authenticated and actor.is_active and actor.role == Role.EXPERT):
        return ExpertAssignment.objects.none()
    return (ExpertAssignment.objects.filter(district_q(actor, "application__programme__policy__district"),
                                            expert=actor)
            .select_related("expert", "application__programme__policy", "application__enterprise")
            .order_by("-assigned_at", "-id"))


def related_enterprise_ids(application: Application) -> set[int]:
    """The applicant and the other enterprises the application names by credit code (the supplier
    and the buyer of th-scenario-demo)."""
    ids = {application.enterprise_id}
    codes = [normalize_uscc(v) for m in (application.programme.inputs or []) if m.get("type") == "uscc"
             for v in [(application.inputs or {}).get(m["name"])] if v]
    if codes:
        ids |= set(Enterprise.objects.filter(credit_code__in=codes).values_list("pk", flat=True))
    return ids


def expert_conflicts(*, expert, application: Application) -> list[str]:
    """Why the expert may not review this application (empty when nothing links them)."""
    ids = related_enterprise_ids(application)
    reasons = []
    membership = (EnterpriseMember.objects.filter(user=expert, enterprise_id__in=ids)
                  .select_related("enterprise").first())
    if membership is not None:
        reasons.append(_("%(expert)s 是 %(enterprise)s 的成员")
                       % {"expert": expert, "enterprise": membership.enterprise})
    for rel in ExpertRelation.objects.filter(expert=expert, enterprise_id__in=ids).select_related("enterprise"):
        reasons.append(_("%(expert)s 已登记与 %(enterprise)s 存在利益关联（%(note)s）")
                       % {"expert": expert, "enterprise": rel.enterprise, "note": rel.note or _("未说明")})
    return reasons


def expert_assignment_get(*, actor, pk: int) -> ExpertAssignment:
    """One of the expert's assignments. Refused (403) while the expert still holds a place on the
    panel although something now links them to the application's enterprises — a relation or a
    membership registered after the assignment counts as much as one known before it (利益冲突回避,
    checked at every expert action; services.experts.expert_conflicts_revoke takes the place away).
    A recused place stays visible, without the materials."""
    try:
        assignment = expert_assignments_for(actor=actor).prefetch_related("scores").get(pk=pk)
    except (ExpertAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if assignment.status != ExpertAssignment.Status.RECUSED and expert_conflicts(
            expert=actor, application=assignment.application):
        raise PermissionDenied(conflict_refusal())
    return assignment


def conflict_refusal() -> str:
    return _("您与该申报的企业存在利益关联，本申报的评审权限已撤销（利益冲突回避）。")


def expert_view_of(assignment: ExpertAssignment) -> dict[str, Any]:
    """What an expert needs to review: the programme, the project and its inputs, and (after the
    no-conflict declaration) the materials. Never the enterprise's contact details or other experts'
    scores."""
    app = assignment.application
    labels = {m["name"]: m.get("label_zh") or m["name"] for m in app.programme.inputs or []}
    units = {m["name"]: m.get("unit") or "" for m in app.programme.inputs or []}
    declared = assignment.status in (ExpertAssignment.Status.ACCEPTED, ExpertAssignment.Status.SUBMITTED)
    return {
        "reference": app.reference, "programme": app.programme.name_zh, "programme_code": app.programme.code,
        "policy": app.programme.policy.title, "enterprise": app.enterprise.name, "title": app.title,
        "description": app.description if declared else "",
        "inputs": [{"name": k, "label": labels.get(k, k), "value": v, "unit": units.get(k, "")}
                   for k, v in (app.inputs or {}).items()]
        if declared else [],
        "attachments": list(app.attachments.filter(superseded_at__isnull=True).values("id", "material",
                                                                                    "original_name", "size"))
        if declared else [],
        "criteria": app.programme.criteria or [],
        "state": app.state, "state_label": app.get_state_display(),
    }


def _q(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def panel_summary(application: Application, assignments: Iterable[ExpertAssignment] | None = None
                  ) -> dict[str, Any]:
    """The panel's scores for the bureau: each expert's total, the mean and the spread (population
    standard deviation), and the mean per criterion."""
    if assignments is None:
        assignments = ExpertAssignment.objects.filter(application=application).select_related("expert") \
            .prefetch_related("scores")
    assignments = list(assignments)
    done = [a for a in assignments if a.status == ExpertAssignment.Status.SUBMITTED and a.total is not None]
    totals = [a.total for a in done if a.total is not None]
    criteria = application.programme.criteria or []
    per_criterion = []
    for crit in criteria:
        values = [s.score for a in done for s in a.scores.all() if s.criterion == crit["code"]]
        per_criterion.append({"code": crit["code"], "label": crit.get("label_zh") or crit["code"],
                              "max_score": crit["max_score"],
                              "mean": _q(statistics.mean(values)) if values else None})
    return {
        "experts": assignments, "submitted": len(done), "active": sum(1 for a in assignments if a.active),
        "mean": _q(statistics.mean(totals)) if totals else None,
        "spread": _q(statistics.pstdev(totals)) if totals else None,
        "max_total": sum((Decimal(str(c["max_score"])) for c in criteria), Decimal("0")),
        "per_criterion": per_criterion,
    }


def panel_means(application_ids: Iterable[int]) -> dict[int, dict[str, Decimal | int | None]]:
    """Mean and spread of the submitted totals per application, for a list (one query)."""
    totals: dict[int, list[Decimal]] = {}
    for app_id, total in ExpertAssignment.objects.filter(
            application_id__in=list(application_ids), status=ExpertAssignment.Status.SUBMITTED,
            total__isnull=False).values_list("application_id", "total"):
        if total is not None:
            totals.setdefault(app_id, []).append(total)
    return {app_id: {"mean": _q(statistics.mean(v)), "spread": _q(statistics.pstdev(v)), "n": len(v)}
            for app_id, v in totals.items()}


# ---------------------------------------------------------------- the decision page

LINE_LABELS = {"": "", "supplier": "供应方", "buyer": "采购方"}
LIVE_AWARD = (Award.Status.RESERVED, Award.Status.COMMITTED)
ZERO = Decimal("0.00")


def line_label(line: str) -> str:
    return _(LINE_LABELS.get(line, line)) if line else _("申报企业")



def decision_estimate(application: Application, *, prior: list | None = None) -> Estimate:
    """The calculator's maximum for the application on its basis date (测算基准日: the policy and
    parameters in force then, never the decision date), its own award excluded; `prior`: the awards
    that bound it, when already read for a whole batch."""
    on = basis_of(application)
    try:
        # two-party awards: each party meets the clause's conditions, not only the applicant
        parties = {line: e for line, e in line_enterprises(application).items() if line} or None
        return estimate_for(programme=application.programme, inputs=application.inputs or {}, on=on,
                            enterprise=application.enterprise, exclude_application_id=application.pk,
                            project_key=application.project_key or "", prior=prior, parties=parties)
    except InputError as exc:
        labels = {m["name"]: m.get("label_zh") or m["name"] for m in application.programme.inputs or []}
        labels["date"] = _("测算基准日")
        raise ValidationError({"amount": [_("申报数据无法测算：%(k)s：%(v)s") % {"k": labels.get(k, k), "v": v}
                                          for k, v in exc.errors.items()]}) from None


def line_enterprises(application: Application) -> dict[str, Enterprise | None]:
    """Who receives each award line: the applicant, or for two-line programmes the supplier and the
    buyer named by credit code (None when not registered in the portal)."""
    roles = {m.get("role"): m["name"] for m in (application.programme.inputs or []) if m.get("type") == "uscc"}
    if not roles:
        return {"": application.enterprise}
    codes = {role: normalize_uscc((application.inputs or {}).get(name) or "") for role, name in roles.items()}
    found = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=[c for c in codes.values() if c])}
    return {role: found.get(code) for role, code in codes.items()}


def confirmed_lines(application: Application, receivers: Mapping[str, Enterprise | None]) -> dict[str, bool]:
    """合作方确认: whether each award line may be approved as far as its party goes — the applicant's
    own line needs nothing; another enterprise's line needs that enterprise's own confirmation
    (PartyConfirmation, given in its account); an unregistered party cannot confirm."""
    given = set(PartyConfirmation.objects.filter(application=application).values_list("line", "enterprise_id"))
    return {line: e is not None and (e.pk == application.enterprise_id or (line, e.pk) in given)
            for line, e in receivers.items()}


def _claim_filter(application: Application):
    q = Q(pk__in=[])
    for kind, value in application.claims.values_list("kind", "value"):
        q |= Q(claims__kind=kind, claims__value=value)
    key = (application.project_key or "").strip()
    if key:
        q |= Q(project_key__iexact=key) | Q(claims__kind="project", claims__value__iexact=key)
    return q


def project_conflicts(application: Application) -> list[dict[str, Any]]:
    """Other applications claiming the same contract, invoice or project key under another programme
    (any policy), with what they hold: 从高不重复. `cross_enterprise`: the other application is
    another enterprise's — a clash for the bureau to look into, never settled by superseding."""
    q = _claim_filter(application)
    others = list(Application.objects.filter(q).exclude(pk=application.pk)
                  .exclude(programme_id=application.programme_id)
                  .exclude(state__in=[State.DRAFT, State.WITHDRAWN, State.DECLINED])
                  .select_related("programme__policy", "enterprise").distinct().order_by("pk"))
    if not others:
        return []
    mine = set(application.claims.values_list("kind", "value"))
    key = (application.project_key or "").strip().lower()
    matched: dict[int, list[str]] = {}
    for claim in ProjectClaim.objects.filter(application__in=others):
        if (claim.kind, claim.value) in mine or (key and claim.kind == "project" and claim.value.lower() == key):
            matched.setdefault(claim.application_id, []).append(f"{claim.get_kind_display()} {claim.value}")
    held: dict[int, Decimal] = {}
    for app_id, amount in Award.objects.filter(application__in=others, status__in=LIVE_AWARD) \
            .values_list("application_id", "amount"):
        held[app_id] = held.get(app_id, ZERO) + amount
    rows = []
    for other in others:
        labels = matched.get(other.pk, [])
        if key and (other.project_key or "").strip().lower() == key and not labels:
            labels = [_("项目标识 %(key)s") % {"key": other.project_key}]
        rows.append({"application": other, "id": other.pk, "reference": other.reference,
                     "programme": other.programme.name_zh, "policy": other.programme.policy.code,
                     "policy_name": other.programme.policy.document_number or other.programme.policy.title,
                     "district": other.programme.policy.district,
                     "enterprise": other.enterprise.name, "state": other.state,
                     "cross_enterprise": other.enterprise_id != application.enterprise_id,
                     "state_label": other.get_state_display(),
                     "matched": labels, "held": held.get(other.pk, ZERO)})
    return rows


def conflicts_json(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"application": r["id"], "reference": r["reference"], "programme": r["programme"],
             "policy": r["policy"], "enterprise": r["enterprise"], "state": r["state"], "matched": r["matched"],
             "held": str(r["held"]), "cross_enterprise": r["cross_enterprise"]} for r in rows]



def decision_context(application: Application) -> dict[str, Any]:
    """What the bureau sees before deciding: the calculator's maximum with its explanation, the
    receivers of each award line, the 从高不重复 conflicts and the panel (competitive path)."""
    ctx: dict[str, Any] = {"estimate": None, "estimate_errors": [], "lines": [], "conflicts": [], "panel": None}
    try:
        est = decision_estimate(application)
    except ValidationError as exc:
        ctx["estimate_errors"] = exc.messages
    else:
        receivers = line_enterprises(application)
        confirmed = confirmed_lines(application, receivers)
        ctx["estimate"] = est
        ctx["lines"] = [{"line": ln.line, "label": line_label(ln.line), "max": ln.amount,
                         "capped_by": capped_by_label(ln.capped_by),
                         "enterprise": receivers.get(ln.line), "confirmed": confirmed.get(ln.line, False),
                         "party": receivers.get(ln.line) is not None
                         and receivers[ln.line].pk != application.enterprise_id} for ln in est.lines]
    ctx["conflicts"] = project_conflicts(application)
    if application.programme.review_path == "competitive":
        ctx["panel"] = panel_summary(application)
    return ctx


# ---------------------------------------------------------------- batches (competitive ranking)

def batch_ranking(*, window) -> dict[str, Any]:
    """排名 the applications of a batch awaiting the bureau decision, by the experts' mean, with the
    ranking and the pro-rata options against the quota and the pool (computed, nothing written)."""
    # One programme for every row, its dated parameters read once; the prior awards of the whole
    # batch in one query: a constant number of queries however large the batch.
    programme = Programme.objects.select_related("policy").prefetch_related("parameters").get(pk=window.programme_id)
    apps = list(Application.objects.filter(window=window, state__in=[
        State.EXPERT_REVIEW, State.BUREAU_REVIEW, State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE,
        State.APPROVED]).select_related("enterprise").prefetch_related("enterprise__fact_records__fact_import"))
    for app in apps:
        app.programme = programme
    priors = prior_awards_many(programme=programme, wanted={
        a.pk: (a.inputs or {}, a.enterprise, a.pk) for a in apps if a.state == State.BUREAU_REVIEW})
    means = panel_means([a.pk for a in apps])
    decided = dict(Decision.objects.filter(application__in=apps, current=True).values_list("application_id", "amount"))
    proposed = dict(DecisionProposal.objects.filter(application__in=apps, status=DecisionProposal.Status.PENDING)
                    .values_list("application_id", "amount"))
    on = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for app in apps:
        m = means.get(app.pk, {})
        max_amount, max_lines, problem = Decimal("0"), {}, ""
        if app.state == State.BUREAU_REVIEW:
            try:
                est = decision_estimate(app, prior=priors[app.pk])
                max_amount = est.amount if est.eligible else Decimal("0")
                max_lines = {ln.line: ln.amount for ln in est.lines} if est.eligible else {}
                if not est.eligible:
                    problem = "；".join(est.reasons)
            except Exception as exc:  # noqa: BLE001 - shown on the page, never a 500
                problem = "；".join(getattr(exc, "messages", [str(exc)]))
        rows.append({"application": app, "mean": m.get("mean"), "spread": m.get("spread"), "experts": m.get("n", 0),
                     "max_amount": max_amount, "max_lines": max_lines, "problem": problem,
                     "decided": decided.get(app.pk), "proposed": proposed.get(app.pk), "rank": None,
                     "rank_award": None, "pro_rata_award": None})
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["application"].pk))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    pending = [r for r in rows if r["application"].state == State.BUREAU_REVIEW]
    options = batch_oversubscription(
        programme=programme, fiscal_year=on.year,
        requests=[{"application_id": r["application"].pk, "amount": r["max_amount"], "score": r["mean"]}
                  for r in pending]) if pending else None
    if options:
        rank_award = {x["application_id"]: x["awarded"] for x in options["rank"]["rows"]}
        pro_award = {x["application_id"]: x["awarded"] for x in options["pro_rata"]["rows"]}
        for r in pending:
            r["rank_award"] = rank_award.get(r["application"].pk)
            r["pro_rata_award"] = pro_award.get(r["application"].pk)
    return {"window": window, "programme": programme, "rows": rows, "options": options,
            "pro_rata_ratio": options["pro_rata"]["ratio"] if options else None}


# ---------------------------------------------------------------- public notices and objections

def public_notices() -> QuerySet[PublicNotice]:
    return PublicNotice.objects.select_related("programme__policy", "window").order_by("-published_at", "-id")


def public_notice_get(*, pk: int) -> PublicNotice:
    try:
        return public_notices().prefetch_related(
            Prefetch("entries", queryset=PublicNoticeEntry.objects.order_by("id"))).get(pk=pk)
    except (PublicNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notice_public_entries(notice: PublicNotice) -> list[dict[str, Any]]:
    """What the public page lists: enterprise name, programme and amount (nothing confidential)."""
    return [{"application_id": e.application_id, "enterprise_name": e.enterprise_name,
             "programme_name": e.programme_name, "project_title": e.project_title, "line": e.line,
             "amount": e.amount, "status": e.status, "status_label": e.get_status_display()}
            for e in notice.entries.all()]


def objections_for(*, actor) -> QuerySet[Objection]:
    """Objections with the objectors' contact details: bureau administrators only, of their district."""
    if not is_admin(actor):
        raise PermissionDenied(_("异议及异议人信息仅主管部门管理员可以查看。"))
    return Objection.objects.filter(district_q(actor, "notice__programme__policy__district")) \
        .select_related("notice", "application__enterprise", "resolved_by").order_by("status", "due_date", "pk")


def objection_get(*, actor, pk: int) -> Objection:
    try:
        return objections_for(actor=actor).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notices_for_staff(*, actor) -> QuerySet[PublicNotice]:
    """The published notices an administrator manages: those of their district (all for the system
    administrator). The public list is public_notices()."""
    if not is_admin(actor):
        raise PermissionDenied(_("仅主管部门管理员可以进行此操作。"))
    return public_notices().filter(district_q(actor, "programme__policy__district"))


def notice_get_for_staff(*, actor, pk: int) -> PublicNotice:
    try:
        return notices_for_staff(actor=actor).prefetch_related(
            Prefetch("entries", queryset=PublicNoticeEntry.objects.order_by("id"))).get(pk=pk)
    except (PublicNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notices_with_open_objections() -> QuerySet[PublicNotice]:
    return public_notices().annotate(open_objections=Exists(
        Objection.objects.filter(notice=OuterRef("pk"), status=Objection.Status.OPEN)))


PENDING_UNREAD = ("inputs", "estimate", "draft_data", "description", "programme__spec", "programme__inputs",
                  "programme__materials", "programme__criteria", "programme__clause_text",
                  "programme__eligibility_zh")


def pending_notice_groups(*, actor) -> list[dict[str, Any]]:
    """Approved applications waiting to be published (of the actor's district), grouped by programme
    and batch, each with its decided amount (the current decision's) and, for a competitive programme,
    whether a collective decision (集体决策) covers it; each group with its total."""
    groups: dict[tuple[int, int | None], dict[str, Any]] = {}
    apps = list(Application.objects.filter(district_q(actor, "programme__policy__district"),
                                           state=State.APPROVED_PENDING_NOTICE).select_related(
        "programme", "window", "enterprise").defer(*PENDING_UNREAD).order_by("programme_id", "window_id", "pk"))
    amounts = dict(Decision.objects.filter(application__in=apps, current=True).values_list("application_id", "amount"))
    covered = set(CollectiveDecision.applications.through.objects.filter(application_id__in=[a.pk for a in apps])
                  .values_list("application_id", flat=True))
    for app in apps:
        g = groups.setdefault((app.programme_id, app.window_id), {
            "programme": app.programme, "window": app.window, "applications": [], "total": ZERO,
            "competitive": app.programme.review_path == COMPETITIVE, "uncovered": 0})
        app.decided_amount = amounts.get(app.pk)
        app.collective = app.pk in covered
        g["applications"].append(app)
        g["total"] += app.decided_amount or ZERO
        if g["competitive"] and not app.collective:
            g["uncovered"] += 1
    return list(groups.values())
