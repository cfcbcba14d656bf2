"""Reads of the catalogue and the estimate that combines it with an enterprise's prior awards.
The calculator itself (vouchers.calculator) is pure; this module feeds it from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

from portal.permissions import district_q, is_reviewing_staff
from portal.uscc import normalize as normalize_uscc

from . import calculator
from .models import ApplicationWindow, Award, ParameterValue, Programme

# Awards that count against caps: reserved (decided, pending public notice) and committed.
COUNTING = (Award.Status.RESERVED, Award.Status.COMMITTED)


def programmes_list(*, kind: str = "", policy: str = "") -> QuerySet[Programme]:
    qs = Programme.objects.select_related("policy").order_by("sort_order", "code")
    if kind:
        qs = qs.filter(kind=kind)
    if policy:
        qs = qs.filter(policy__code=policy)
    return qs


def programme_get(*, code: str) -> Programme:
    try:
        return Programme.objects.select_related("policy").get(code=code)
    except Programme.DoesNotExist:
        raise Http404(f"unknown programme {code!r}") from None


def programme_spec(programme: Programme) -> calculator.ProgrammeSpec:
    policy = programme.policy
    spec = dict(programme.spec) if programme.spec else {}
    spec.setdefault("code", programme.code)
    spec.setdefault("formula", programme.formula)
    spec.setdefault("inputs", programme.inputs)
    spec.setdefault("once_only", programme.once_only)
    spec.setdefault("name_zh", programme.name_zh)
    return calculator.ProgrammeSpec.from_dict(
        spec,
        {
            "valid_from": policy.valid_from,
            "valid_to": policy.valid_to,
            "code": policy.code,
            "district": policy.district,
        },
    )


def parameter_values(programme: Programme) -> list[calculator.ParameterValue]:
    rows = (
        programme.parameters.all()
        if hasattr(programme, "_prefetched_objects_cache")
        else ParameterValue.objects.filter(programme=programme)
    )
    return [
        calculator.ParameterValue(
            name=r.name, value=r.value, effective_from=r.effective_from, clause=r.clause, note=r.note
        )
        for r in rows
    ]


def parameters_in_force(*, programme: Programme, on: dt.date) -> dict[str, Decimal]:
    if hasattr(programme, "_prefetched_objects_cache"):
        return calculator.parameters_on(parameter_values(programme), on)
    return _in_force(_values_by(programme, on).values_list("name", "value", "effective_from"), on)


def _values_by(programme: Programme, on: dt.date) -> QuerySet[ParameterValue]:
    """The programme's dated values in force by `on` (without their clause and note texts)."""
    return ParameterValue.objects.order_by().filter(programme=programme, effective_from__lte=on)


def _in_force(rows: Iterable[tuple[str, Decimal, dt.date]], on: dt.date) -> dict[str, Decimal]:
    return calculator.parameters_on(
        (calculator.ParameterValue(name=n, value=v, effective_from=f) for n, v, f in rows), on
    )


def prior_awards(
    *,
    programme: Programme,
    enterprise_ids: Iterable[int],
    credit_codes: Iterable[str] = (),
    exclude_application_id: int | None = None,
) -> list[calculator.PriorAward]:
    """Earlier awards under this programme that count against its caps, of these enterprises and of
    those with these credit codes (the parties a two-line award names; read through the award's own
    foreign key, so vouchers needs no other app's model)."""
    ids, codes = [i for i in enterprise_ids if i], [c for c in credit_codes if c]
    if not ids and not codes:
        return []
    qs = Award.objects.filter(_counted_programmes(programme), _of_enterprises(ids, codes), status__in=COUNTING)
    if exclude_application_id:
        qs = qs.exclude(application_id=exclude_application_id)
    return [_as_prior(a) for a in qs.select_related("application", "programme")]


def _of_enterprises(ids: Iterable[int], codes: Iterable[str]) -> Q:
    return Q(enterprise_id__in=list(ids)) | Q(enterprise__credit_code__in=list(codes))


def _counted_programmes(programme: Programme) -> Q:
    """This programme's awards and those of the predecessors a successor counts with (its spec's
    `counts_with`: caps, once-only and 从高 keep counting across the pair where the text says so)."""
    codes = [c for c in (programme.spec or {}).get("counts_with") or () if c]
    return Q(programme=programme) | Q(programme__code__in=codes) if codes else Q(programme=programme)


def _award_level(parameters: Mapping[str, Any] | None) -> str:
    """The level an award was made at (th-dcmm): stored as `level`, or read from the one `level_N`
    parameter its computation used."""
    if not parameters:
        return ""
    if parameters.get("level"):
        return str(parameters["level"])
    levels = [name.removeprefix("level_") for name in parameters if name.startswith("level_")]
    return levels[0] if len(levels) == 1 else ""


def _as_prior(a: Award) -> calculator.PriorAward:
    return calculator.PriorAward(
        programme_code=a.programme.code,
        decided_on=a.decided_on,
        amount=a.amount,
        line=a.line,
        level=_award_level(a.parameters),
        project_key=a.application.project_key,
        basis_on=a.basis_date,
    )


def prior_awards_many(
    *, programme: Programme, wanted: Mapping[Any, tuple[Mapping[str, Any], Any, int | None]]
) -> dict[Any, list[calculator.PriorAward]]:
    """prior_awards for several estimates of one programme at once (a batch's ranking), in one query
    whatever their number: key → (inputs, enterprise, exclude_application_id)."""
    codes = {key: set(_uscc_codes(programme, inputs)) for key, (inputs, _e, _x) in wanted.items()}
    ids = {key: {e.pk} if e is not None else set() for key, (_inputs, e, _x) in wanted.items()}
    every_id, every_code = set().union(*ids.values()), set().union(*codes.values())
    awards = (
        list(
            Award.objects.filter(
                _counted_programmes(programme), _of_enterprises(every_id, every_code), status__in=COUNTING
            )
            .annotate(holder_code=F("enterprise__credit_code"))
            .select_related("application", "programme")
        )
        if every_id or every_code
        else []
    )
    return {
        key: [
            _as_prior(a)
            for a in awards
            if (a.enterprise_id in ids[key] or a.holder_code in codes[key]) and a.application_id != exclude
        ]
        for key, (_inputs, _e, exclude) in wanted.items()
    }


def prior_awards_by_enterprise(*, programmes: Iterable[Programme]) -> dict[int, list[calculator.PriorAward]]:
    """Every counting award under these programmes (and the predecessors they count with), by the
    awarded enterprise's id, in one query: for matching all enterprises at once (proactive)."""
    q = Q()
    for programme in programmes:
        q |= _counted_programmes(programme)
    out: dict[int, list[calculator.PriorAward]] = {}
    if not q:
        return out
    for award in Award.objects.filter(q, status__in=COUNTING).select_related("application", "programme"):
        out.setdefault(award.enterprise_id, []).append(_as_prior(award))
    return out


def enterprise_facts(enterprise) -> calculator.EnterpriseFacts | None:
    if enterprise is None:
        return None
    return calculator.EnterpriseFacts(
        above_scale=enterprise.is_above_scale,
        district=enterprise.registered_district if enterprise.in_district(enterprise.registered_district) else "",
        # the Chinese name whatever the reader's language: the catalogue names industries in Chinese
        industry=_industry_zh(enterprise),
        credit_code=enterprise.credit_code,
        verified=_verified(enterprise),
    )


# The calculator's facts and the enterprise's fields they are read from (all of them must be verified).
FACT_FIELDS = {
    "district": ("registered_district", "tax_district", "stats_district"),
    "above_scale": ("is_above_scale",),
    "industry": ("industry",),
}


def _verified(enterprise) -> dict[str, str]:
    """How each of the calculator's facts was verified (实名核验, applications), from the enterprise's
    verified_facts(): field → 核验方式; a fact read from several fields is verified when all of them are."""
    by_field = enterprise.verified_facts() if hasattr(enterprise, "verified_facts") else {}
    out = {}
    for fact, fields in FACT_FIELDS.items():
        if all(f in by_field for f in fields):
            out[fact] = "；".join(dict.fromkeys(by_field[f] for f in fields))
    return out


def _industry_zh(enterprise) -> str:
    with translation.override("zh-hans"):
        return str(enterprise.get_industry_display())


def _uscc_codes(programme: Programme, inputs: Mapping[str, Any]) -> list[str]:
    return [
        normalize_uscc(v) for m in programme.inputs if m.get("type") == "uscc" for v in [inputs.get(m["name"])] if v
    ]


def estimate_for(
    *,
    programme: Programme,
    inputs: Mapping[str, Any],
    on: dt.date | None = None,
    enterprise=None,
    exclude_application_id: int | None = None,
    project_key: str = "",
    prior: list[calculator.PriorAward] | None = None,
    parties: Mapping[str, Any] | None = None,
) -> calculator.Estimate:
    """What the programme would award on `on` (default today) for these inputs, counting the
    enterprise's prior awards (read here unless given, e.g. by prior_awards_many for a batch).
    `parties`: each award line's enterprise (or None) by line, whose facts the calculator checks
    like the applicant's (two-party awards; the bureau's estimate, not the public one).
    Raises calculator.InputError with a message per field."""
    on = on or timezone.localdate()
    if prior is None:
        prior = prior_awards(
            programme=programme,
            enterprise_ids=[enterprise.pk] if enterprise is not None else [],
            credit_codes=_uscc_codes(programme, inputs),
            exclude_application_id=exclude_application_id,
        )
    return calculator.estimate(
        spec=programme_spec(programme),
        params=parameters_in_force(programme=programme, on=on),
        inputs=inputs,
        on=on,
        prior=prior,
        enterprise=enterprise_facts(enterprise),
        project_key=project_key,
        parties={line: enterprise_facts(e) for line, e in parties.items()} if parties else None,
    )


def window_open_for(*, programme: Programme, at: dt.datetime | None = None) -> ApplicationWindow | None:
    """The application window of the programme open at `at` (default now), if any."""
    at = at or timezone.now()
    return programme.windows.filter(opens_at__lte=at, closes_at__gt=at).order_by("closes_at").first()


def windows_for_actor(*, actor) -> QuerySet[ApplicationWindow]:
    """申报批次 as the bureau works them: reviewers' and administrators' of their district (all for
    the system administrator), newest first; nobody else's (the public reads a programme's windows
    on its catalogue page)."""
    qs = ApplicationWindow.objects.select_related("programme__policy").order_by("-opens_at", "-id")
    if not is_reviewing_staff(actor):
        return qs.none()
    return qs.filter(district_q(actor, "programme__policy__district"))


def window_get_for_actor(*, actor, pk: Any) -> ApplicationWindow:
    try:
        return windows_for_actor(actor=actor).get(pk=pk)
    except (ApplicationWindow.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def estimate_as_json(est: calculator.Estimate) -> dict[str, Any]:
    """An estimate as stored with an application or an award: amounts as strings, never floats."""
    return {
        "programme": est.programme_code,
        "on": est.on.isoformat(),
        "eligible": est.eligible,
        "amount": str(est.amount),
        "uncapped_amount": str(est.uncapped_amount),
        "capped_by": est.capped_by,
        "reasons": list(est.reasons),
        "steps": [
            {"label": s.label, "expression": s.expression, "amount": None if s.amount is None else str(s.amount)}
            for s in est.steps
        ],
        "lines": [{"line": ln.line, "amount": str(ln.amount), "capped_by": ln.capped_by} for ln in est.lines],
        "parameters": dict(est.parameters),
        "facts": [
            {"fact": f.fact, "label": f.label, "value": f.value, "verified": f.verified, "source": f.source}
            for f in est.facts
        ],
    }
