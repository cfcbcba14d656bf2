"""政策找企业 matching: for every enterprise and every open programme of its district, the calculator on
the enterprise's known facts (一企一档) and prior awards says likely eligible with an estimated amount,
possibly eligible with the facts still missing, or not eligible with the reason. A programme's inputs
name the fact they are read from in the catalogue (`fact: {kind, period}`); an input with none is
missing until the enterprise applies.

`Matcher` is the pure part (plain values in, results out; what does not depend on the enterprise worked
out once per run); `matching_run` reads everything in a few queries, runs it for all enterprises and
writes only the match sets that changed, streaming them to the database as they come (matchset_write)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
from .matchset_write import MatchSetWriter
from .models import EnterpriseFact, MatchRun, MatchSet, MatchStatus


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


_LIKELY = MatchStatus.LIKELY.value
_POSSIBLE = MatchStatus.POSSIBLE.value
_NOT_ELIGIBLE = MatchStatus.NOT_ELIGIBLE.value
NOT_IN_ONE_DISTRICT = "注册地、纳税地、统计地须均在本政策适用区域"


class Matcher:
    """Matching of many enterprises against the same programmes, with what does not depend on the
    enterprise worked out once: each programme's reads as (input, fact key or None, kind, required), the
    distinct facts read by all of them (each enterprise's looked up once, not once per programme), and
    the calculator's answers for programmes whose inputs take few values (flags, levels: no amount),
    which many enterprises share. The results are those of `inputs_from_facts` and `calculator.estimate`
    per enterprise and programme; tests/proactive/test_matching_equivalence.py compares them."""

    def __init__(self, programmes: Sequence[ProgrammeForMatching]) -> None:
        self.programmes = list(programmes)
        keys: dict[tuple[str, str], int] = {("above_scale", "latest"): 0}
        self.reads: list[tuple[tuple[str, int | None, str, bool], ...]] = []
        self.memo_ok: list[bool] = []
        for programme in self.programmes:
            reads = []
            for name, _label, kind, period, required in programme.sources:
                key = keys.setdefault((kind, period), len(keys)) if kind else None
                reads.append((name, key, kind, required))
            self.reads.append(tuple(reads))
            # an amount read from the facts differs by enterprise: remembering its answers saves nothing
            self.memo_ok.append(all(kind and F.KINDS[kind].type != F.YUAN for _n, _k, kind, _r in reads))
        self.keys = list(keys)
        self.memo: dict[tuple, tuple[str, str | None, list[str]]] = {}

    def match(
        self,
        enterprise: EnterpriseForMatching,
        facts: FactsByKind,
        prior: Sequence[calculator.PriorAward] = (),
    ) -> list[dict[str, Any]]:
        registered = enterprise.districts[0]
        in_one_district = len(set(enterprise.districts)) == 1
        known = [fact_for(facts, kind, period) for kind, period in self.keys]
        above = known[0]
        facts_for_calc = calculator.EnterpriseFacts(
            above_scale=enterprise.above_scale if above is None else above == "true",
            district=registered if in_one_district else "",
            industry=enterprise.industry_zh,
            credit_code=enterprise.credit_code,
        )
        # the calculator's conditions read the district, 规上 and the industry, never the credit code
        who = (facts_for_calc.above_scale, facts_for_calc.district, facts_for_calc.industry, tuple(prior))
        out = []
        for i, programme in enumerate(self.programmes):
            if programme.district and programme.district not in enterprise.districts:
                continue
            if not in_one_district:
                out.append(_row(programme.code, _NOT_ELIGIBLE, None, [], [NOT_IN_ONE_DISTRICT]))
                continue
            reads = self.reads[i]
            missing = [name for name, key, _k, required in reads if required and (key is None or known[key] is None)]
            if missing:
                out.append(_row(programme.code, _POSSIBLE, None, missing, []))
                continue
            inputs = {
                name: F.as_input(kind, value)
                for name, key, kind, _r in reads
                if key is not None and (value := known[key]) is not None
            }
            memo_key = (i, tuple(inputs.items()), who) if self.memo_ok[i] else None
            answer = self.memo.get(memo_key) if memo_key is not None else None
            if answer is None:
                answer = _estimate(programme, inputs, prior, facts_for_calc)
                if memo_key is not None:
                    self.memo[memo_key] = answer
            status, amount, reasons = answer
            out.append(_row(programme.code, status, amount, [], list(reasons)))
        return out


def _row(code: str, status: str, amount: str | None, missing: list[str], reasons: list[str]) -> dict[str, Any]:
    return {"programme": code, "amount": amount, "missing": missing, "reasons": reasons, "status": status}


def _estimate(
    programme: ProgrammeForMatching,
    inputs: dict[str, Any],
    prior: Sequence[calculator.PriorAward],
    enterprise: calculator.EnterpriseFacts,
) -> tuple[str, str | None, list[str]]:
    try:
        est = calculator.estimate(
            spec=programme.spec,
            params=programme.params,
            inputs=inputs,
            on=programme.on,
            prior=prior,
            enterprise=enterprise,
        )
    except calculator.InputError as error:  # a fact outside what the programme accepts (e.g. DCMM 二级)
        return _NOT_ELIGIBLE, None, list(error.errors.values())
    if est.eligible:
        return _LIKELY, str(est.amount), list(est.reasons)
    return _NOT_ELIGIBLE, None, list(est.reasons)


def match_enterprise(
    enterprise: EnterpriseForMatching,
    facts: FactsByKind,
    programmes: Sequence[ProgrammeForMatching],
    prior: Sequence[calculator.PriorAward] = (),
) -> list[dict[str, Any]]:
    """The enterprise's result for each programme of its district (those of another district are not
    its concern and are left out)."""
    return Matcher(programmes).match(enterprise, facts, prior)


def results_text(results: list[dict[str, Any]]) -> str:
    """The results as stored and digested (keys sorted, Chinese as itself)."""
    return json.dumps(results, ensure_ascii=False, sort_keys=True)


def digest_of(results: list[dict[str, Any]]) -> str:
    return _digest(results_text(results))


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


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
        )
    ]


def facts_by_enterprise(
    ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None
) -> dict[int, dict[str, dict[str, str]]]:
    """kind → period → value of each enterprise (only the kinds matching reads, when given), in one pass."""
    out: dict[int, dict[str, dict[str, str]]] = {}
    qs = EnterpriseFact.objects.order_by()
    if kinds is not None:
        qs = qs.filter(kind__in=sorted(set(kinds)))
    if ids is not None:
        qs = qs.filter(enterprise_id__in=list(ids))
    for enterprise_id, kind, period, value in qs.values_list("enterprise_id", "kind", "period", "value"):
        by_kind = out.get(enterprise_id)
        if by_kind is None:
            by_kind = out[enterprise_id] = {}
        by_period = by_kind.get(kind)
        if by_period is None:
            by_period = by_kind[kind] = {}
        by_period[period] = value
    return out


def facts_of_enterprise(enterprise_id: int) -> dict[str, dict[str, str]]:
    return facts_by_enterprise([enterprise_id]).get(enterprise_id, {})


def matches_iter(
    *, programmes: Sequence[Programme], enterprise_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(enterprise id, results) of each enterprise: everything is read now, in a handful of queries
    whatever the number of enterprises; the iteration is computation only (no query), so that the
    results can stream to the database as they come."""
    on = on or timezone.localdate()
    matcher = Matcher([programme_for_matching(p, on) for p in programmes])
    ids = list(enterprise_ids) if enterprise_ids is not None else None
    facts = facts_by_enterprise(ids, {kind for kind, _period in matcher.keys})
    priors = prior_awards_by_enterprise(programmes=programmes)
    enterprises = enterprises_for_matching(ids)
    empty: dict[str, dict[str, str]] = {}
    return ((e.pk, matcher.match(e, facts.get(e.pk, empty), priors.get(e.pk, ()))) for e in enterprises)


def matches_compute(
    *, programmes: Sequence[Programme], enterprise_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Results by enterprise id."""
    return dict(matches_iter(programmes=programmes, enterprise_ids=enterprise_ids, on=on))


def matching_run(*, trigger: str, programmes: Sequence[Programme] | None = None, on: dt.date | None = None) -> MatchRun:
    """Match every enterprise against the open programmes (or those given) and store what changed.
    Idempotent: a second run with nothing changed writes no match set."""
    started = timezone.now()
    programmes = open_programmes() if programmes is None else list(programmes)
    existing = dict(MatchSet.objects.values_list("enterprise_id", "digest"))
    counts: dict[str, dict[str, int]] = {}
    enterprises = 0
    with transaction.atomic():
        results = matches_iter(programmes=programmes, on=on)
        with MatchSetWriter(computed_at=started) as writer:
            for enterprise_id, rows in results:
                enterprises += 1
                for row in rows:
                    by_status = counts.setdefault(row["programme"], {})
                    by_status[row["status"]] = by_status.get(row["status"], 0) + 1
                text = results_text(rows)
                digest = _digest(text)
                old = existing.get(enterprise_id)
                if old != digest:
                    writer.write(enterprise_id, rows, text, digest, new=old is None)
        run = MatchRun.objects.create(
            trigger=trigger[:100],
            started_at=started,
            finished_at=timezone.now(),
            enterprises=enterprises,
            written=writer.written,
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
