"""The decision page 决定: the estimate, the award lines and their enterprises, project conflicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from applications.models import Application, Enterprise, ProjectClaim
from applications.selectors import basis_of
from applications.workflow import State
from portal.uscc import normalize as normalize_uscc
from vouchers.calculator import LINE_LABELS, Estimate, InputError
from vouchers.display import capped_by_label
from vouchers.models import Award
from vouchers.selectors import estimate_for

from ..models import (
    PartyConfirmation,
)
from .experts import panel_summary

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
        return estimate_for(
            programme=application.programme,
            inputs=application.inputs or {},
            on=on,
            enterprise=application.enterprise,
            exclude_application_id=application.pk,
            project_key=application.project_key or "",
            prior=prior,
            parties=parties,
        )
    except InputError as exc:
        labels = {m["name"]: m.get("label_zh") or m["name"] for m in application.programme.inputs or []}
        labels["date"] = _("测算基准日")
        raise ValidationError(
            {
                "amount": [
                    _("申报数据无法测算：%(k)s：%(v)s") % {"k": labels.get(k, k), "v": v} for k, v in exc.errors.items()
                ]
            }
        ) from None


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
    return {
        line: e is not None and (e.pk == application.enterprise_id or (line, e.pk) in given)
        for line, e in receivers.items()
    }


def claim_filter(application: Application):
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
    q = claim_filter(application)
    others = list(
        Application.objects.filter(q)
        .exclude(pk=application.pk)
        .exclude(programme_id=application.programme_id)
        .exclude(state__in=[State.DRAFT, State.WITHDRAWN, State.DECLINED])
        .select_related("programme__policy", "enterprise")
        .distinct()
        .order_by("pk")
    )
    if not others:
        return []
    mine = set(application.claims.values_list("kind", "value"))
    key = (application.project_key or "").strip().lower()
    matched: dict[int, list[str]] = {}
    for claim in ProjectClaim.objects.filter(application__in=others):
        if (claim.kind, claim.value) in mine or (key and claim.kind == "project" and claim.value.lower() == key):
            matched.setdefault(claim.application_id, []).append(f"{claim.get_kind_display()} {claim.value}")
    held: dict[int, Decimal] = {}
    for app_id, amount in Award.objects.filter(application__in=others, status__in=LIVE_AWARD).values_list(
        "application_id", "amount"
    ):
        held[app_id] = held.get(app_id, ZERO) + amount
    rows = []
    for other in others:
        labels = matched.get(other.pk, [])
        if key and (other.project_key or "").strip().lower() == key and not labels:
            labels = [_("项目标识 %(key)s") % {"key": other.project_key}]
        rows.append(
            {
                "application": other,
                "id": other.pk,
                "reference": other.reference,
                "programme": other.programme.name_zh,
                "policy": other.programme.policy.code,
                "policy_name": other.programme.policy.document_number or other.programme.policy.title,
                "district": other.programme.policy.district,
                "enterprise": other.enterprise.name,
                "state": other.state,
                "cross_enterprise": other.enterprise_id != application.enterprise_id,
                "state_label": other.get_state_display(),
                "matched": labels,
                "held": held.get(other.pk, ZERO),
            }
        )
    return rows


def conflicts_json(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "application": r["id"],
            "reference": r["reference"],
            "programme": r["programme"],
            "policy": r["policy"],
            "enterprise": r["enterprise"],
            "state": r["state"],
            "matched": r["matched"],
            "held": str(r["held"]),
            "cross_enterprise": r["cross_enterprise"],
        }
        for r in rows
    ]


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
        ctx["lines"] = [
            {
                "line": ln.line,
                "label": line_label(ln.line),
                "max": ln.amount,
                "capped_by": capped_by_label(ln.capped_by),
                "enterprise": receiver,
                "confirmed": confirmed.get(ln.line, False),
                "party": receiver is not None and receiver.pk != application.enterprise_id,
            }
            for ln in est.lines
            for receiver in [receivers.get(ln.line)]
        ]
    ctx["conflicts"] = project_conflicts(application)
    if application.programme.review_path == "competitive":
        ctx["panel"] = panel_summary(application)
    return ctx
