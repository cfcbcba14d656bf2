"""Reads of two-party awards for the parties themselves: the applications that name the actor's
enterprise as a party other than the applicant (to confirm its part), and the awards whose line is
the enterprise's — its own applications' and those where it is the other party. Scoped to the
actor's enterprise; everyone else gets nothing (404 for one object)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from applications.models import Application
from applications.selectors import enterprise_of
from applications.workflow import State
from portal.models import Role
from vouchers.models import Award, Programme

from .models import Letter, PartyConfirmation
from .selectors import line_enterprises, line_label
from .services.parties import CONFIRMABLE

# An application a party sees: from submission on (not drafts, not withdrawn ones).
VISIBLE = tuple(s for s in State.values if s not in (State.DRAFT, State.WITHDRAWN))


def _enterprise(actor):
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.role != Role.ENTERPRISE:
        return None
    return enterprise_of(actor)


def _two_party_filter(enterprise) -> Q:
    """Applications whose party inputs (uscc inputs with a line role) name the enterprise."""
    q = Q(pk__in=[])
    for programme in Programme.objects.filter(formula="two_line").only("pk", "inputs"):
        for meta in programme.inputs or []:
            if meta.get("type") == "uscc" and meta.get("role"):
                q |= Q(programme=programme, **{f"inputs__{meta['name']}": enterprise.credit_code})
    return q


def party_applications_for(*, actor) -> list[dict[str, Any]]:
    """The applications naming the actor's enterprise as a party other than the applicant, newest
    first, each with its line and whether the enterprise has confirmed."""
    enterprise = _enterprise(actor)
    if enterprise is None:
        return []
    apps = list(
        Application.objects.filter(_two_party_filter(enterprise), state__in=VISIBLE)
        .exclude(enterprise=enterprise)
        .select_related("programme", "enterprise")
        .order_by("-submitted_at", "-id")[:200]
    )
    given = {
        (c.application_id, c.line): c
        for c in PartyConfirmation.objects.filter(application__in=apps, enterprise=enterprise)
    }
    rows = []
    for app in apps:
        line = next(
            (ln for ln, e in line_enterprises(app).items() if ln and e is not None and e.pk == enterprise.pk), None
        )
        if line is None:
            continue
        confirmation = given.get((app.pk, line))
        rows.append(
            {
                "application": app,
                "line": line,
                "label": line_label(line),
                "confirmation": confirmation,
                "confirmed": confirmation is not None,
                "can_confirm": confirmation is None and app.state in CONFIRMABLE,
            }
        )
    return rows


def party_application_get(*, actor, pk: int) -> Application:
    """One application naming the actor's enterprise as the other party, else 404."""
    for row in party_applications_for(actor=actor):
        if row["application"].pk == int(pk):
            return row["application"]
    raise Http404


def awards_for(*, actor) -> QuerySet[Award]:
    """核定奖励 the awards whose line is the actor's enterprise's (released ones included, marked)."""
    enterprise = _enterprise(actor)
    if enterprise is None:
        return Award.objects.none()
    return (
        Award.objects.filter(enterprise=enterprise)
        .select_related("application__enterprise", "programme")
        .order_by("-decided_on", "-id")
    )


def award_letters(awards) -> dict[int, Letter]:
    """The standing approval letter of each award (of its line: two-party awards have one each)."""
    awards = list(awards)
    letters = Letter.objects.filter(
        application__in={a.application_id for a in awards}, kind=Letter.Kind.APPROVAL, revoked_at__isnull=True
    )
    by_key = {(x.application_id, x.line): x for x in letters}
    return {a.pk: by_key[(a.application_id, a.line)] for a in awards if (a.application_id, a.line) in by_key}
