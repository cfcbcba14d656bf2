"""好差评 reads: the administrators' summary by programme and step, scoped to their district."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from portal.permissions import district_q, is_bureau_admin
from reviews.models import ServiceRating


def ratings_for_actor(*, actor) -> QuerySet[ServiceRating]:
    if not is_bureau_admin(actor):
        return ServiceRating.objects.none()
    return ServiceRating.objects.filter(district_q(actor, "application__programme__policy__district"))


def ratings_summary(*, actor) -> list[dict]:
    """Per programme and step: how many ratings, their average, and how many were 差评 (1–2)."""
    rows = (
        ratings_for_actor(actor=actor)
        .values("application__programme__code", "application__programme__name_zh", "step")
        .annotate(n=Count("id"), average=Avg("score"), poor=Count("id", filter=Q(score__lte=2)))
        .order_by("application__programme__code", "step")
    )
    labels = dict(ServiceRating.Step.choices)
    return [
        {
            "programme": r["application__programme__code"],
            "programme_name": r["application__programme__name_zh"],
            "step": r["step"],
            "step_label": str(labels.get(r["step"], r["step"])),
            "count": r["n"],
            "average": round(float(r["average"]), 2),
            "poor": r["poor"],
        }
        for r in rows
    ]
