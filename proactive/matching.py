"""政策找企业 matching: for every enterprise and every open programme of its district, the calculator on
the enterprise's known facts (一企一档) and prior awards says likely eligible with an estimated amount,
possibly eligible with the facts still missing, or not eligible with the reason. A programme's inputs
name the fact they are read from in the catalogue (`fact: {kind, period}`); an input with none is
missing until the enterprise applies.

`match_enterprise` is the pure part (plain values in, results out); `matching_run` reads everything in
a few queries, runs it for all enterprises and writes only the match sets that changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from applications.models import Enterprise, Industry
from vouchers import calculator
from vouchers.models import Programme
from vouchers.selectors import parameters_in_force, prior_awards_by_enterprise, programme_spec

from . import facts as F
from .models import EnterpriseFact, MatchRun, MatchSet, MatchStatus

WRITE_BATCH = 2000


@dataclass(frozen=True)
class ProgrammeForMatching:
    code: str
    name_zh: str
    district: str
    spec: calculator.ProgrammeSpec
    params: Mapping[str, Decimal]
    on: dt.date
    sources: tuple[tuple[str, str, str, str, bool], ...]  # (input, label, fact kind or "", period, required)
    auto_award: bool


@dataclass(frozen=True)
class EnterpriseForMatching:
    pk: int
    districts: tuple[str, str, str]  # registered, tax, statistics
    industry_zh: str
    above_scale: bool
    credit_code: str


FactsByKind = Mapping[str, Mapping[str, str]]  # kind → period ("" when none) → stored value


def programme_for_matching(programme: Programme, on: dt.date) -> ProgrammeForMatching:
    spec = programme_spec(programme)
    sources = tuple(
        (
            m["name"],
            str(m.get("label_zh") or m["name"]),
            (m.get("fact") or {}).get("kind", ""),
            (m.get("fact") or {}).get("period", "none"),
            bool(m.get("required", True)),
        )
        for m in programme.inputs
    )
    on = min(max(on, spec.valid_from), spec.valid_to)  # the estimate's date must fall inside the policy
    return ProgrammeForMatching(
        code=programme.code,
        name_zh=programme.name_zh,
        district=programme.policy.district,
        spec=spec,
        params=parameters_in_force(programme=programme, on=on),
        on=on,
        sources=sources,
        auto_award=bool((programme.spec or {}).get("auto_award")),
    )


def fact_for(facts: FactsByKind, kind: str, period: str) -> str | None:
    """The fact's value: for a periodic fact the latest period known, or the one a year before it."""
    by_period = facts.get(kind)
    if not by_period:
        return None
    if period == "none" or not F.KINDS[kind].periodic:
        return by_period.get("") or next(iter(by_period.values()))
    latest = max(by_period)
    return by_period.get(latest if period == "latest" else F.period_before(latest))


def inputs_from_facts(programme: ProgrammeForMatching, facts: FactsByKind) -> tuple[dict[str, Any], list[str]]:
    """The inputs the facts give, and the names of the required ones they do not (stored as names, shown
    with their labels: most results are "possible", and their size is most of what a run writes)."""
    inputs: dict[str, Any] = {}
    missing: list[str] = []
    for name, _label, kind, period, required in programme.sources:
        value = fact_for(facts, kind, period) if kind else None
        if value is None:
            if required:
                missing.append(name)
            continue
        inputs[name] = F.as_input(kind, value)
    return inputs, missing


def match_enterprise(
    enterprise: EnterpriseForMatching,
    facts: FactsByKind,
    programmes: Sequence[ProgrammeForMatching],
    prior: Sequence[calculator.PriorAward] = (),
) -> list[dict[str, Any]]:
    """The enterprise's result for each programme of its district (those of another district are not
    its concern and are left out)."""
    registered = enterprise.districts[0]
    in_one_district = len(set(enterprise.districts)) == 1
    above = fact_for(facts, "above_scale", "latest")
    facts_for_calc = calculator.EnterpriseFacts(
        above_scale=enterprise.above_scale if above is None else above == "true",
        district=registered if in_one_district else "",
        industry=enterprise.industry_zh,
        credit_code=enterprise.credit_code,
    )
    out = []
    for programme in programmes:
        if programme.district and programme.district not in enterprise.districts:
            continue
        result: dict[str, Any] = {"programme": programme.code, "amount": None, "missing": [], "reasons": []}
        if not in_one_district:
            result.update(status=MatchStatus.NOT_ELIGIBLE.value, reasons=["注册地、纳税地、统计地须均在本政策适用区域"])
            out.append(result)
            continue
        inputs, missing = inputs_from_facts(programme, facts)
        if missing:
            result.update(status=MatchStatus.POSSIBLE.value, missing=missing)
            out.append(result)
            continue
        try:
            est = calculator.estimate(
                spec=programme.spec,
                params=programme.params,
                inputs=inputs,
                on=programme.on,
                prior=prior,
                enterprise=facts_for_calc,
            )
        except calculator.InputError as error:  # a fact outside what the programme accepts (e.g. DCMM 二级)
            result.update(status=MatchStatus.NOT_ELIGIBLE.value, reasons=list(error.errors.values()))
            out.append(result)
            continue
        if est.eligible:
            result.update(status=MatchStatus.LIKELY.value, amount=str(est.amount), reasons=list(est.reasons))
        else:
            result.update(status=MatchStatus.NOT_ELIGIBLE.value, reasons=list(est.reasons))
        out.append(result)
    return out


def digest_of(results: list[dict[str, Any]]) -> str:
    return hashlib.md5(
        json.dumps(results, ensure_ascii=False, sort_keys=True).encode(), usedforsecurity=False
    ).hexdigest()


def open_programmes(at: dt.datetime | None = None) -> list[Programme]:
    """Programmes with an application window open now."""
    at = at or timezone.now()
    return list(
        Programme.objects.select_related("policy")
        .prefetch_related("parameters")
        .filter(windows__opens_at__lte=at, windows__closes_at__gt=at)
        .distinct()
        .order_by("sort_order")
    )


def _industry_names() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in Industry.choices}


def enterprises_for_matching(ids: Iterable[int] | None = None) -> list[EnterpriseForMatching]:
    industry = _industry_names()
    qs = Enterprise.objects.order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return [
        EnterpriseForMatching(
            pk=pk, districts=(r, t, s), industry_zh=industry.get(ind, ind), above_scale=above, credit_code=code
        )
        for pk, r, t, s, ind, above, code in qs.values_list(
            "pk", "registered_district", "tax_district", "stats_district", "industry", "is_above_scale", "credit_code"
        ).iterator(chunk_size=5000)
    ]


def facts_by_enterprise(
    ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None
) -> dict[int, dict[str, dict[str, str]]]:
    """kind → period → value of each enterprise (only the kinds matching reads, when given)."""
    out: dict[int, dict[str, dict[str, str]]] = {}
    qs = EnterpriseFact.objects.order_by()
    if kinds is not None:
        qs = qs.filter(kind__in=sorted(set(kinds)))
    if ids is not None:
        qs = qs.filter(enterprise_id__in=list(ids))
    for enterprise_id, kind, period, value in qs.values_list("enterprise_id", "kind", "period", "value").iterator(
        chunk_size=10000
    ):
        out.setdefault(enterprise_id, {}).setdefault(kind, {})[period] = value
    return out


def facts_of_enterprise(enterprise_id: int) -> dict[str, dict[str, str]]:
    return facts_by_enterprise([enterprise_id]).get(enterprise_id, {})


def matches_compute(
    *, programmes: Sequence[Programme], enterprise_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Results by enterprise id, read in a handful of queries whatever the number of enterprises."""
    on = on or timezone.localdate()
    prepared = [programme_for_matching(p, on) for p in programmes]
    ids = list(enterprise_ids) if enterprise_ids is not None else None
    kinds = {"above_scale"} | {kind for p in prepared for _n, _l, kind, _p, _r in p.sources if kind}
    facts = facts_by_enterprise(ids, kinds)
    priors = prior_awards_by_enterprise(programmes=programmes)
    return {
        e.pk: match_enterprise(e, facts.get(e.pk, {}), prepared, priors.get(e.pk, ()))
        for e in enterprises_for_matching(ids)
    }


def matching_run(*, trigger: str, programmes: Sequence[Programme] | None = None, on: dt.date | None = None) -> MatchRun:
    """Match every enterprise against the open programmes (or those given) and store what changed.
    Idempotent: a second run with nothing changed writes no match set."""
    started = timezone.now()
    programmes = open_programmes() if programmes is None else list(programmes)
    results = matches_compute(programmes=programmes, on=on)
    existing = dict(MatchSet.objects.values_list("enterprise_id", "digest").iterator(chunk_size=10000))
    new, changed = [], []
    counts: dict[str, dict[str, int]] = {}
    for enterprise_id, rows in results.items():
        for row in rows:
            by_status = counts.setdefault(row["programme"], {})
            by_status[row["status"]] = by_status.get(row["status"], 0) + 1
        digest = digest_of(rows)
        old = existing.get(enterprise_id)
        if old == digest:
            continue
        match = MatchSet(enterprise_id=enterprise_id, results=rows, digest=digest, computed_at=started)
        (new if old is None else changed).append(match)
    with transaction.atomic():
        MatchSet.objects.bulk_create(new, batch_size=WRITE_BATCH)
        if changed:
            MatchSet.objects.bulk_create(
                changed,
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["enterprise"],
                update_fields=["results", "digest", "computed_at"],
            )
        run = MatchRun.objects.create(
            trigger=trigger[:100],
            started_at=started,
            finished_at=timezone.now(),
            enterprises=len(results),
            written=len(new) + len(changed),
            counts=counts,
        )
    return run


def matches_for_enterprise(enterprise: Enterprise) -> list[dict[str, Any]]:
    """The enterprise's stored results, each with its programme's name (freshly computed when none stored)."""
    stored = MatchSet.objects.filter(enterprise=enterprise).values_list("results", flat=True).first()
    if stored is None:
        stored = matches_compute(programmes=open_programmes(), enterprise_ids=[enterprise.pk]).get(enterprise.pk, [])
    programmes = {p.code: p for p in Programme.objects.filter(code__in=[r["programme"] for r in stored])}
    order = {MatchStatus.LIKELY: 0, MatchStatus.POSSIBLE: 1, MatchStatus.NOT_ELIGIBLE: 2}
    rows = []
    for r in stored:
        programme = programmes.get(r["programme"])
        labels = {m["name"]: str(m.get("label_zh") or m["name"]) for m in (programme.inputs if programme else ())}
        rows.append(
            {
                **r,
                "programme_name": programme.name_zh if programme else r["programme"],
                "status_label": str(MatchStatus(r["status"]).label),
                "missing": [labels.get(name, name) for name in r["missing"]],
            }
        )
    return sorted(rows, key=lambda r: (order[MatchStatus(r["status"])], r["programme"]))
