"""Batches of competitive programmes 竞争性评审批次: ranking against the pool."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from vouchers.models import Programme
from vouchers.selectors import prior_awards_many
from vouchers.services.budget import batch_oversubscription

from ..models import (
    Decision,
    DecisionProposal,
)
from .decision import decision_estimate
from .experts import panel_means


def batch_ranking(*, window) -> dict[str, Any]:
    """排名 the applications of a batch awaiting the bureau decision, by the experts' mean, with the
    ranking and the pro-rata options against the quota and the pool (computed, nothing written)."""
    # One programme for every row, its dated parameters read once; the prior awards of the whole
    # batch in one query: a constant number of queries however large the batch.
    programme = Programme.objects.select_related("policy").prefetch_related("parameters").get(pk=window.programme_id)
    apps = list(
        Application.objects.filter(
            window=window,
            state__in=[
                State.EXPERT_REVIEW,
                State.BUREAU_REVIEW,
                State.APPROVED_PENDING_NOTICE,
                State.IN_PUBLIC_NOTICE,
                State.APPROVED,
            ],
        )
        .select_related("enterprise")
        .prefetch_related("enterprise__fact_records__fact_import")
    )
    for app in apps:
        app.programme = programme
    priors = prior_awards_many(
        programme=programme,
        wanted={a.pk: (a.inputs or {}, a.enterprise, a.pk) for a in apps if a.state == State.BUREAU_REVIEW},
    )
    means = panel_means([a.pk for a in apps])
    decided = dict(Decision.objects.filter(application__in=apps, current=True).values_list("application_id", "amount"))
    proposed = dict(
        DecisionProposal.objects.filter(application__in=apps, status=DecisionProposal.Status.PENDING).values_list(
            "application_id", "amount"
        )
    )
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
        rows.append(
            {
                "application": app,
                "mean": m.get("mean"),
                "spread": m.get("spread"),
                "experts": m.get("n", 0),
                "max_amount": max_amount,
                "max_lines": max_lines,
                "problem": problem,
                "decided": decided.get(app.pk),
                "proposed": proposed.get(app.pk),
                "rank": None,
                "rank_award": None,
                "pro_rata_award": None,
            }
        )
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["application"].pk))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    pending = [r for r in rows if r["application"].state == State.BUREAU_REVIEW]
    options = (
        batch_oversubscription(
            programme=programme,
            fiscal_year=on.year,
            requests=[
                {"application_id": r["application"].pk, "amount": r["max_amount"], "score": r["mean"]} for r in pending
            ],
        )
        if pending
        else None
    )
    if options:
        rank_award = {x["application_id"]: x["awarded"] for x in options["rank"]["rows"]}
        pro_award = {x["application_id"]: x["awarded"] for x in options["pro_rata"]["rows"]}
        for r in pending:
            r["rank_award"] = rank_award.get(r["application"].pk)
            r["pro_rata_award"] = pro_award.get(r["application"].pk)
    return {
        "window": window,
        "programme": programme,
        "rows": rows,
        "options": options,
        "pro_rata_ratio": options["pro_rata"]["ratio"] if options else None,
    }
