"""Experts and panels 专家评审: assignments, conflicts of interest and the panel's scores."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from applications.models import Application, Enterprise, EnterpriseMember
from portal.models import Role
from portal.permissions import district_q
from portal.uscc import normalize as normalize_uscc

from ..models import (
    ExpertAssignment,
    ExpertRelation,
)

SCORE_PLACES = Decimal("0.01")


def expert_assignments_for(*, actor) -> QuerySet[ExpertAssignment]:
    """The expert's own assignments (on applications of the expert's district), nothing else."""
    if not (actor is not None and actor.is_authenticated and actor.is_active and actor.role == Role.EXPERT):
        return ExpertAssignment.objects.none()
    return (
        ExpertAssignment.objects.filter(district_q(actor, "application__programme__policy__district"), expert=actor)
        .select_related("expert", "application__programme__policy", "application__enterprise")
        .order_by("-assigned_at", "-id")
    )


def related_enterprise_ids(application: Application) -> set[int]:
    """The applicant and the other enterprises the application names by credit code (the supplier
    and the buyer of th-scenario-demo)."""
    ids = {application.enterprise_id}
    codes = [
        normalize_uscc(v)
        for m in (application.programme.inputs or [])
        if m.get("type") == "uscc"
        for v in [(application.inputs or {}).get(m["name"])]
        if v
    ]
    if codes:
        ids |= set(Enterprise.objects.filter(credit_code__in=codes).values_list("pk", flat=True))
    return ids


def expert_conflicts(*, expert, application: Application) -> list[str]:
    """Why the expert may not review this application (empty when nothing links them)."""
    ids = related_enterprise_ids(application)
    reasons = []
    membership = (
        EnterpriseMember.objects.filter(user=expert, enterprise_id__in=ids).select_related("enterprise").first()
    )
    if membership is not None:
        reasons.append(
            _("%(expert)s 是 %(enterprise)s 的成员") % {"expert": expert, "enterprise": membership.enterprise}
        )
    for rel in ExpertRelation.objects.filter(expert=expert, enterprise_id__in=ids).select_related("enterprise"):
        reasons.append(
            _("%(expert)s 已登记与 %(enterprise)s 存在利益关联（%(note)s）")
            % {"expert": expert, "enterprise": rel.enterprise, "note": rel.note or _("未说明")}
        )
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
        expert=actor, application=assignment.application
    ):
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
        "reference": app.reference,
        "programme": app.programme.name_zh,
        "programme_code": app.programme.code,
        "policy": app.programme.policy.title,
        "enterprise": app.enterprise.name,
        "title": app.title,
        "description": app.description if declared else "",
        "inputs": [
            {"name": k, "label": labels.get(k, k), "value": v, "unit": units.get(k, "")}
            for k, v in (app.inputs or {}).items()
        ]
        if declared
        else [],
        "attachments": list(
            app.attachments.filter(superseded_at__isnull=True).values("id", "material", "original_name", "size")
        )
        if declared
        else [],
        "criteria": app.programme.criteria or [],
        "state": app.state,
        "state_label": app.get_state_display(),
    }


def _q(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def panel_summary(application: Application, assignments: Iterable[ExpertAssignment] | None = None) -> dict[str, Any]:
    """The panel's scores for the bureau: each expert's total, the mean and the spread (population
    standard deviation), and the mean per criterion."""
    if assignments is None:
        assignments = (
            ExpertAssignment.objects.filter(application=application).select_related("expert").prefetch_related("scores")
        )
    assignments = list(assignments)
    done = [a for a in assignments if a.status == ExpertAssignment.Status.SUBMITTED and a.total is not None]
    totals = [a.total for a in done if a.total is not None]
    criteria = application.programme.criteria or []
    per_criterion = []
    for crit in criteria:
        values = [s.score for a in done for s in a.scores.all() if s.criterion == crit["code"]]
        per_criterion.append(
            {
                "code": crit["code"],
                "label": crit.get("label_zh") or crit["code"],
                "max_score": crit["max_score"],
                "mean": _q(statistics.mean(values)) if values else None,
            }
        )
    return {
        "experts": assignments,
        "submitted": len(done),
        "active": sum(1 for a in assignments if a.active),
        "mean": _q(statistics.mean(totals)) if totals else None,
        "spread": _q(statistics.pstdev(totals)) if totals else None,
        "max_total": sum((Decimal(str(c["max_score"])) for c in criteria), Decimal("0")),
        "per_criterion": per_criterion,
    }


def panel_means(application_ids: Iterable[int]) -> dict[int, dict[str, Decimal | int | None]]:
    """Mean and spread of the submitted totals per application, for a list (one query)."""
    totals: dict[int, list[Decimal]] = {}
    for app_id, total in ExpertAssignment.objects.filter(
        application_id__in=list(application_ids), status=ExpertAssignment.Status.SUBMITTED, total__isnull=False
    ).values_list("application_id", "total"):
        if total is not None:
            totals.setdefault(app_id, []).append(total)
    return {
        app_id: {"mean": _q(statistics.mean(v)), "spread": _q(statistics.pstdev(v)), "n": len(v)}
        for app_id, v in totals.items()
    }
