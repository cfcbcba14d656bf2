"""A successor policy loaded beside the old one (issue 11): its own document number, programmes,
parameters and windows; nothing of the old policy's applications or awards changes; per-enterprise
caps, once-only rules and 从高不重复 keep counting across the pair where the new text says so."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from applications.models import Application, District
from applications.workflow import State
from vouchers.catalogue import CATALOGUE_DIR, load_catalogue
from vouchers.models import Award, BudgetPool, Policy, Programme
from vouchers.selectors import estimate_for
from vouchers.services.budget import award_reserve
from vouchers.services.catalogue import catalogue_load

from ..factories import EnterpriseFactory, member

pytestmark = pytest.mark.django_db


def _successor_dir(tmp_path: Path) -> Path:
    """The shipped files plus th2027: a successor of th2024 whose DCMM and landing programmes count
    with their predecessors (the new text says so), and a compute subsidy that starts afresh."""
    for path in CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    old = yaml.safe_load((CATALOGUE_DIR / "th2024.yaml").read_text(encoding="utf-8"))
    new = {
        **old,
        "code": "th2027",
        "document_number": "天科工信规字〔2027〕1号",
        "predecessor": "th2024",
        "title": "天河区促进人工智能产业高质量发展若干措施(2027-2029年)",
        "status": "in_force",
        "valid_from": dt.date(2027, 1, 1),
        "valid_to": dt.date(2029, 12, 31),
        "issue_date": dt.date(2026, 12, 1),
        "note": "继任政策(测试)",
        "full_text_file": "",
    }
    programmes = []
    for code, new_code, counts in (
        ("th-dcmm", "th27-dcmm", True),
        ("th-landing-scale", "th27-landing-scale", True),
        ("th-compute-subsidy", "th27-compute-subsidy", False),
    ):
        prog = copy.deepcopy(next(p for p in old["programmes"] if p["code"] == code))
        prog["code"] = new_code
        if counts:
            prog["counts_with"] = [code]
        for param in prog["parameters"]:
            param["effective_from"] = dt.date(2027, 1, 1)
        programmes.append(prog)
    new["programmes"] = programmes
    (tmp_path / "th2027.yaml").write_text(yaml.safe_dump(new, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp_path


@pytest.fixture
def tianhe_co(db):
    return EnterpriseFactory(
        name="广州天河数据治理有限公司",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
    )


def _award(programme: Programme, enterprise, *, amount: str, on: dt.date, parameters: dict) -> Award:
    owner = enterprise.members.first().user if enterprise.members.exists() else member(enterprise)
    app = Application.objects.create(
        reference=f"T-{programme.code}-{Application.objects.count() + 1}",
        enterprise=enterprise,
        programme=programme,
        state=State.APPROVED,
        created_by=owner,
        inputs={},
        basis_date=on,
    )
    BudgetPool.objects.get_or_create(programme=programme, fiscal_year=on.year, defaults={"amount": Decimal("1e8")})
    [award] = award_reserve(
        actor=None,
        application=app,
        decided_on=on,
        basis_date=on,
        parameters=parameters,
        explanation=[],
        idempotency_key=f"t:{app.pk}",
        lines=[{"line": "", "enterprise_id": enterprise.pk, "amount": amount}],
    )
    return award


def test_the_successor_loads_beside_the_old_policy_and_touches_nothing_of_it(catalogue, tianhe_co, tmp_path):
    old_award = _award(
        catalogue["th-dcmm"], tianhe_co, amount="50000", on=dt.date(2025, 5, 1), parameters={"level_3": "50000"}
    )
    before = (
        list(Award.objects.values()),
        list(Application.objects.values()),
        list(Programme.objects.filter(policy__code="th2024").values()),
    )
    catalogue_load(_successor_dir(tmp_path))
    successor = Policy.objects.get(code="th2027")
    assert successor.predecessor == Policy.objects.get(code="th2024")
    assert successor.document_number == "天科工信规字〔2027〕1号"
    assert set(successor.programmes.values_list("code", flat=True)) == {
        "th27-dcmm",
        "th27-landing-scale",
        "th27-compute-subsidy",
    }
    assert (
        list(Award.objects.values()),
        list(Application.objects.values()),
        list(Programme.objects.filter(policy__code="th2024").values()),
    ) == before
    old_award.refresh_from_db()
    assert old_award.programme.code == "th-dcmm"
    catalogue_load(_successor_dir(tmp_path))  # loading again changes nothing
    assert catalogue_load(_successor_dir(tmp_path))["changed"] == 0


def test_caps_and_once_only_rules_count_across_the_pair_where_the_text_says_so(catalogue, tianhe_co, tmp_path):
    catalogue_load(_successor_dir(tmp_path))
    _award(catalogue["th-dcmm"], tianhe_co, amount="50000", on=dt.date(2025, 5, 1), parameters={"level_3": "50000"})
    _award(
        catalogue["th-landing-scale"],
        tianhe_co,
        amount="100000",
        on=dt.date(2025, 6, 1),
        parameters={"fixed_amount": "100000"},
    )
    _award(
        catalogue["th-compute-subsidy"],
        tianhe_co,
        amount="1000000",
        on=dt.date(2026, 6, 30),
        parameters={"rate": "0.05"},
    )
    on = dt.date(2027, 3, 1)
    dcmm = estimate_for(
        programme=Programme.objects.get(code="th27-dcmm"), inputs={"dcmm_level": "4"}, on=on, enterprise=tianhe_co
    )
    assert dcmm.amount == Decimal("50000.00")  # 从高不重复: the difference to the level-3 award under th2024
    landing = estimate_for(
        programme=Programme.objects.get(code="th27-landing-scale"),
        on=on,
        enterprise=tianhe_co,
        inputs={"fortune500_or_national_platform": True, "new_in_tianhe": True, "in_above_scale_stats": True},
    )
    assert not landing.eligible and any("一次性" in r for r in landing.reasons)
    # the compute subsidy's new text starts its period cap afresh: th2024's 1,000,000 does not count
    compute = estimate_for(
        programme=Programme.objects.get(code="th27-compute-subsidy"),
        on=on,
        enterprise=tianhe_co,
        inputs={"annual_contract_total": "10000000"},
    )
    assert compute.amount == Decimal("500000.00")
    # while under th2024 the same enterprise has nothing left of its period cap
    old = estimate_for(
        programme=catalogue["th-compute-subsidy"],
        on=dt.date(2026, 12, 31),
        enterprise=tianhe_co,
        inputs={"annual_contract_total": "10000000"},
    )
    assert old.amount == Decimal("0.00")


def test_a_successor_counting_with_an_unknown_programme_is_refused(tmp_path):
    directory = _successor_dir(tmp_path)
    data = yaml.safe_load((directory / "th2027.yaml").read_text(encoding="utf-8"))
    data["programmes"][0]["counts_with"] = ["th-nothing"]
    (directory / "th2027.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="counts_with 'th-nothing'"):
        load_catalogue(directory)
