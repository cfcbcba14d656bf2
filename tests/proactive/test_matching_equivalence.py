"""The optimised matching (proactive.matching.Matcher, and match sets written by COPY on PostgreSQL) gives
exactly what the straightforward reading gives: for each enterprise and each programme of its district,
the inputs the facts give (`inputs_from_facts`) and one call of the calculator. The world is small and
random (seeded): facts missing, periods missing, DCMM levels the programme refuses, enterprises split
across districts, 规上 from the facts or from the register, prior awards."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from applications.models import Industry
from proactive.matching import (
    EnterpriseForMatching,
    Matcher,
    fact_for,
    inputs_from_facts,
    matches_compute,
    matching_run,
    open_programmes,
    programme_for_matching,
    results_text,
)
from proactive.matchset_write import MatchSetWriter
from proactive.models import Department, EnterpriseFact, MatchSet
from tests.factories import EnterpriseFactory
from vouchers import calculator
from vouchers.models import ApplicationWindow

DISTRICTS = ("huangpu", "tianhe")
INDUSTRY_ZH = {"ai": "人工智能", "data": "数据服务", "other": "其他"}


def reference_match(enterprise, facts, programmes, prior=()) -> list[dict[str, Any]]:
    """Straightforward: every programme of the enterprise's district, its inputs from the facts, the
    calculator once per programme."""
    in_one = len(set(enterprise.districts)) == 1
    above = fact_for(facts, "above_scale", "latest")
    who = calculator.EnterpriseFacts(
        above_scale=enterprise.above_scale if above is None else above == "true",
        district=enterprise.districts[0] if in_one else "",
        industry=enterprise.industry_zh,
        credit_code=enterprise.credit_code,
    )
    out = []
    for p in programmes:
        if p.district and p.district not in enterprise.districts:
            continue
        row: dict[str, Any] = {"programme": p.code, "amount": None, "missing": [], "reasons": []}
        inputs, missing = inputs_from_facts(p, facts)
        if not in_one:
            row.update(status="not_eligible", reasons=["注册地、纳税地、统计地须均在本政策适用区域"])
        elif missing:
            row.update(status="possible", missing=missing)
        else:
            try:
                est = calculator.estimate(
                    spec=p.spec, params=p.params, inputs=inputs, on=p.on, prior=prior, enterprise=who
                )
            except calculator.InputError as error:
                row.update(status="not_eligible", reasons=list(error.errors.values()))
            else:
                if est.eligible:
                    row.update(status="likely", amount=str(est.amount), reasons=list(est.reasons))
                else:
                    row.update(status="not_eligible", reasons=list(est.reasons))
        out.append(row)
    return out


def random_facts(rng: random.Random) -> dict[str, dict[str, str]]:
    """kind → period → value, each fact present or not."""
    facts: dict[str, dict[str, str]] = {}

    def maybe(kind: str, period: str, value: str, share: float = 0.8) -> None:
        if rng.random() < share:
            facts.setdefault(kind, {})[period] = value

    revenue = rng.choice([1e7, 3e8, 6e9]) * rng.uniform(0.8, 1.2)
    for year, factor in (("2025", 1.0), ("2024", rng.uniform(0.6, 1.1))):
        maybe("annual_revenue", year, f"{revenue * factor:.2f}")
        maybe("revenue_jan_nov", f"{year}-11", f"{revenue * factor * 0.9:.2f}")
        maybe("rd_expense", year, f"{revenue * factor * rng.uniform(0.01, 0.12):.2f}")
    maybe("above_scale", "2025", rng.choice(["true", "false"]), 0.6)
    maybe("dcmm_level", "", rng.choice("12345"))
    maybe("cac_deep_synthesis", "", rng.choice(["true", "false"]))
    maybe("national_platform", "", rng.choice(["true", "false"]))
    return facts


def random_enterprise(rng: random.Random, pk: int) -> EnterpriseForMatching:
    home = rng.choice(DISTRICTS)
    tax = home if rng.random() < 0.85 else next(d for d in DISTRICTS if d != home)
    return EnterpriseForMatching(
        pk=pk,
        districts=(home, tax, home),
        industry_zh=INDUSTRY_ZH[rng.choice(list(INDUSTRY_ZH))],
        above_scale=rng.random() < 0.5,
        credit_code=f"code-{pk}",
    )


def random_prior(rng: random.Random) -> tuple[calculator.PriorAward, ...]:
    if rng.random() < 0.7:
        return ()
    on = timezone.localdate() - dt.timedelta(days=rng.randint(30, 300))
    return tuple(
        calculator.PriorAward(programme_code=code, decided_on=on, amount=Decimal(amount), level=level, basis_on=on)
        for code, amount, level in rng.sample(
            [("th-dcmm", "100000", "4"), ("th-scale-leap", "3000000", ""), ("th-rd-subsidy", "500000", "")], 2
        )
    )


@pytest.mark.django_db
def test_matcher_equals_the_straightforward_reading(catalogue):
    from vouchers.models import Programme

    on = timezone.localdate()
    catalogue_order = Programme.objects.select_related("policy").order_by("sort_order")
    programmes = [programme_for_matching(p, on) for p in catalogue_order]
    rng = random.Random(18)
    matcher = Matcher(programmes)  # one for all: what it remembers of one enterprise must not leak to another
    seen = set()
    for pk in range(1, 401):
        enterprise, facts, prior = random_enterprise(rng, pk), random_facts(rng), random_prior(rng)
        expected = reference_match(enterprise, facts, programmes, prior)
        assert matcher.match(enterprise, facts, prior) == expected, pk
        seen |= {(r["programme"], r["status"], bool(r["missing"]), bool(r["reasons"])) for r in expected}
    statuses = {status for _code, status, _m, _r in seen}
    assert statuses == {"likely", "possible", "not_eligible"}
    # the calculator refused an input (DCMM 二级), and a prior award bound a result
    assert any(code == "th-dcmm" and status == "not_eligible" for code, status, _m, _r in seen)
    assert matcher.memo  # the programmes read only flags and levels share answers


def _world(catalogue, n: int, seed: int):
    now = timezone.now()
    for programme in catalogue.values():
        ApplicationWindow.objects.create(
            programme=programme,
            name="第一批",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=9),
        )
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        home = rng.choice(DISTRICTS)
        enterprise = EnterpriseFactory(
            registered_district=home,
            tax_district=home if rng.random() < 0.85 else next(d for d in DISTRICTS if d != home),
            stats_district=home,
            industry=rng.choice([Industry.AI, Industry.DATA, Industry.OTHER]),
            is_above_scale=rng.random() < 0.5,
        )
        for kind, by_period in random_facts(rng).items():
            for period, value in by_period.items():
                rows.append(
                    EnterpriseFact(
                        enterprise=enterprise,
                        kind=kind,
                        value=value,
                        period=period,
                        department=Department.STATISTICS,
                        source="测试数据",
                    )
                )
    EnterpriseFact.objects.bulk_create(rows)


def _reference_all() -> dict[int, list[dict[str, Any]]]:
    from proactive.matching import enterprises_for_matching, facts_by_enterprise

    programmes = [programme_for_matching(p, timezone.localdate()) for p in open_programmes()]
    facts = facts_by_enterprise()
    return {e.pk: reference_match(e, facts.get(e.pk, {}), programmes) for e in enterprises_for_matching()}


@pytest.mark.django_db
def test_stored_match_sets_equal_the_straightforward_reading_and_only_changes_are_rewritten(catalogue):
    _world(catalogue, 40, seed=7)
    run = matching_run(trigger="test")
    stored = dict(MatchSet.objects.values_list("enterprise_id", "results"))
    assert run.written == run.enterprises == 40
    assert stored == _reference_all()
    digests = dict(MatchSet.objects.values_list("enterprise_id", "digest"))
    assert digests == {e: hashlib.md5(results_text(r).encode()).hexdigest() for e, r in stored.items()}
    EnterpriseFact.objects.filter(enterprise_id__in=sorted(stored)[:5]).delete()
    EnterpriseFact.objects.filter(kind="dcmm_level").update(value="4")
    expected = _reference_all()
    changed = {e for e in stored if expected[e] != stored[e]}
    assert changed
    before = dict(MatchSet.objects.values_list("enterprise_id", "computed_at"))
    again = matching_run(trigger="facts")
    assert again.written == len(changed)
    assert dict(MatchSet.objects.values_list("enterprise_id", "results")) == expected
    after = dict(MatchSet.objects.values_list("enterprise_id", "computed_at"))
    assert {e for e in after if after[e] != before[e]} == changed  # the others were not rewritten


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_what_the_framework_writes(catalogue):
    _world(catalogue, 12, seed=3)
    computed = matches_compute(programmes=open_programmes())
    at = timezone.now()

    def written(framework: bool) -> dict[int, tuple]:
        MatchSet.objects.all().delete()
        ids = sorted(computed)
        with transaction.atomic(), MatchSetWriter(computed_at=at, framework=framework) as w:
            for pk in ids[:8]:
                w.write(pk, computed[pk], results_text(computed[pk]), "new", new=True)
        changed = [{**r, "reasons": ["变化"]} for r in computed[ids[0]]]
        with transaction.atomic(), MatchSetWriter(computed_at=at, framework=framework) as w:
            w.write(ids[0], changed, results_text(changed), "changed", new=False)
            for pk in ids[8:]:
                w.write(pk, computed[pk], results_text(computed[pk]), "new", new=True)
        return {m.enterprise_id: (m.results, m.digest, m.computed_at) for m in MatchSet.objects.all()}

    assert written(framework=False) == written(framework=True)
