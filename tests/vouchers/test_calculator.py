"""The award calculator against hand-computed case tables (tests/vouchers/cases/<programme>.yaml).

Pure: no database, no Django. Each case file is a list of cases:

    - name: what the case shows
      on: 2025-08-01                       # estimate date
      inputs: {eligible_cost: "120000.00"}
      prior: [{decided_on: 2025-09-01, amount: "300000", line: "", level: "", project_key: "",
               programme_code: <defaults to the file's programme>}]
      enterprise: {above_scale: true, district: tianhe, industry: I65, credit_code: ...}
      project_key: P-1                     # optional
      params_override: [{name: rate, value: "0.50", effective_from: 2026-01-01}]
      expect: {eligible: true, amount: "120000.00", capped_by: null, uncapped: ...,
               lines: [{line: supplier, amount: ..., capped_by: ...}],
               steps_mention: [...], reasons_mention: [...], error_fields: [...]}
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from vouchers.calculator import (
    EnterpriseFacts,
    Estimate,
    InputError,
    ParameterValue,
    PriorAward,
    ProgrammeSpec,
    clean_inputs,
    estimate,
    parameters_on,
    remaining_caps,
    uscc_check_char,
)
from vouchers.catalogue import find_programme, load_catalogue, parameter_values

CASES_DIR = Path(__file__).resolve().parent / "cases"
CATALOGUE = load_catalogue()
CASE_KEYS = {"name", "on", "inputs", "prior", "enterprise", "project_key", "params_override", "expect"}
EXPECT_KEYS = {
    "eligible",
    "amount",
    "capped_by",
    "uncapped",
    "lines",
    "steps_mention",
    "reasons_mention",
    "error_fields",
}


class _CaseLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so the key `on:` stays the string "on"."""


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases = yaml.load(path.read_text(encoding="utf-8"), Loader=_CaseLoader)  # noqa: S506 (a SafeLoader)
        assert isinstance(cases, list) and cases, path.name
        for case in cases:
            params.append(pytest.param(path.stem, case, id=f"{path.stem}::{case['name']}"))
    return params


def _spec_and_values(code: str) -> tuple[ProgrammeSpec, list[ParameterValue]]:
    policy, programme = find_programme(CATALOGUE, code)
    return ProgrammeSpec.from_dict(programme, policy), parameter_values(programme)


def _run(code: str, case: dict[str, Any]) -> Estimate:
    spec, values = _spec_and_values(code)
    for change in case.get("params_override") or []:
        values.append(ParameterValue(change["name"], Decimal(str(change["value"])), change["effective_from"]))
    on: date = case["on"]
    prior = [
        PriorAward(
            programme_code=p.get("programme_code", code),
            decided_on=p["decided_on"],
            amount=Decimal(str(p["amount"])),
            line=p.get("line", ""),
            level=str(p.get("level", "")),
            project_key=p.get("project_key", ""),
            basis_on=p.get("basis_on"),
        )
        for p in case.get("prior") or []
    ]
    enterprise = EnterpriseFacts(**case["enterprise"]) if case.get("enterprise") else None
    return estimate(
        spec=spec,
        params=parameters_on(values, on),
        inputs=case.get("inputs") or {},
        on=on,
        prior=prior,
        enterprise=enterprise,
        project_key=case.get("project_key", ""),
    )


def _text(result: Estimate) -> str:
    return "\n".join(f"{s.label} {s.expression}" for s in result.steps)


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_case(code: str, case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, set(case) - CASE_KEYS
    expect = case["expect"]
    assert set(expect) <= EXPECT_KEYS, set(expect) - EXPECT_KEYS

    if "error_fields" in expect:
        with pytest.raises(InputError) as info:
            _run(code, case)
        assert sorted(info.value.errors) == sorted(expect["error_fields"])
        assert all(info.value.errors.values())  # every field has a message
        return

    result = _run(code, case)
    assert result.programme_code == code
    assert result.eligible is expect["eligible"], result.reasons
    assert result.amount == Decimal(str(expect["amount"]))
    assert result.amount.as_tuple().exponent == -2  # quantized to 0.01
    assert result.capped_by == expect.get("capped_by")
    if "uncapped" in expect:
        assert result.uncapped_amount == Decimal(str(expect["uncapped"]))
    if not result.eligible:
        assert result.reasons, "a refusal says why"
        assert result.capped_by is None
    assert result.amount == sum((line.amount for line in result.lines), Decimal("0"))
    if "lines" in expect:
        got = [(ln.line, ln.amount, ln.capped_by) for ln in result.lines]
        want = [(ln["line"], Decimal(str(ln["amount"])), ln.get("capped_by")) for ln in expect["lines"]]
        assert got == want
    for needle in expect.get("steps_mention") or []:
        assert needle in _text(result), _text(result)
    for needle in expect.get("reasons_mention") or []:
        assert any(needle in r for r in result.reasons), result.reasons
    if result.capped_by:
        assert "限制" in _text(result), "the steps say that a cap bound"
    for name in result.parameters:  # the explanation speaks Chinese, never a parameter's name
        assert name not in _text(result) and all(name not in r for r in result.reasons), name
    assert all(isinstance(v, str) for v in result.parameters.values())


def test_every_programme_has_a_case_file() -> None:
    codes = {prog["code"] for policy in CATALOGUE for prog in policy["programmes"]}
    files = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert files == codes


# ---------------------------------------------------------------- the API around the tables


def test_parameters_on_takes_the_latest_value_in_force() -> None:
    values = [
        ParameterValue("rate", Decimal("0.30"), date(2025, 6, 27)),
        ParameterValue("rate", Decimal("0.25"), date(2026, 1, 1)),
        ParameterValue("rate", Decimal("0.20"), date(2027, 1, 1)),
        ParameterValue("cap", Decimal("100"), date(2026, 6, 1)),
    ]
    assert parameters_on(values, date(2025, 6, 26)) == {}
    assert parameters_on(values, date(2025, 12, 31)) == {"rate": Decimal("0.30")}
    assert parameters_on(values, date(2026, 1, 1)) == {"rate": Decimal("0.25")}
    assert parameters_on(reversed(values), date(2026, 6, 1)) == {"rate": Decimal("0.25"), "cap": Decimal("100")}
    assert parameters_on(values, date(2030, 1, 1))["rate"] == Decimal("0.20")


def test_clean_inputs_parses_exactly() -> None:
    spec, _ = _spec_and_values("hp-data-asset-entry")
    cleaned = clean_inputs(spec, {"first_booking": "是", "booked_value": 0.1, "service_fees": "1,200,000.5"})
    assert cleaned == {"first_booking": True, "booked_value": Decimal("0.10"), "service_fees": Decimal("1200000.50")}
    assert str(cleaned["booked_value"]) == "0.10"  # not 0.1000000000000000055511151231257827


def test_clean_inputs_reports_every_bad_field_at_once() -> None:
    spec, _ = _spec_and_values("hp-data-asset-entry")
    with pytest.raises(InputError) as info:
        clean_inputs(spec, {"first_booking": "maybe", "booked_value": "-1", "service_fees": "1.2.3", "x": 1})
    errors = info.value.errors
    assert set(errors) == {"first_booking", "booked_value", "service_fees", "x"}
    assert "负数" in errors["booked_value"]
    assert "数字" in errors["service_fees"]
    assert errors["x"] == "未知字段"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), "1e6", "", None, [1]])
def test_non_numbers_are_refused(bad: Any) -> None:
    spec, _ = _spec_and_values("th-events")
    with pytest.raises(InputError) as info:
        clean_inputs(spec, {"event_cost": bad})
    assert set(info.value.errors) == {"event_cost"}


def test_uscc_check_character() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"  # the GB 32100-2015 worked example
    assert uscc_check_char("91440106MA9Y00001") == "6"


def test_a_missing_parameter_is_a_configuration_error_not_an_input_error() -> None:
    spec, values = _spec_and_values("th-events")
    params = {k: v for k, v in parameters_on(values, date(2025, 1, 1)).items() if k != "rate"}
    with pytest.raises(ValueError, match="rate") as info:
        estimate(spec=spec, params=params, inputs={"event_cost": "1"}, on=date(2025, 1, 1))
    assert not isinstance(info.value, InputError)


def test_estimate_records_parameters_and_explains() -> None:
    spec, values = _spec_and_values("hp-revenue-growth")
    on = date(2025, 12, 15)
    result = estimate(
        spec=spec,
        params=parameters_on(values, on),
        inputs={"revenue_current": "700000000", "revenue_previous": "500000000"},
        on=on,
    )
    assert result.amount == Decimal("800000.00")
    assert result.parameters["tier2_per_unit"] == "40000"
    assert result.parameters["unit_size"] == "10000000"
    assert "20 × 40,000.00 = 800,000.00" in _text(result)
    assert result.lines == [type(result.lines[0])("", Decimal("800000.00"), None)]


def test_remaining_caps() -> None:
    spec, values = _spec_and_values("th-scenario-demo")
    on = date(2025, 9, 1)
    prior = [
        PriorAward("th-scenario-demo", date(2025, 3, 1), Decimal("120000"), line="supplier"),
        PriorAward("th-scenario-demo", date(2024, 3, 1), Decimal("500000"), line="buyer"),
        PriorAward("th-events", date(2025, 3, 1), Decimal("500000")),
    ]
    left = remaining_caps(spec=spec, params=parameters_on(values, on), on=on, prior=prior)
    assert left == {"cap_supplier_year": Decimal("380000"), "cap_buyer_year": Decimal("500000")}
