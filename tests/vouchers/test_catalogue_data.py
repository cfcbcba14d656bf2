"""The shipped catalogue (vouchers/catalogue/*.yaml) against PROGRAMS.md and the seed texts.

Pure: no database, no Django. The expected values below are copied by hand from PROGRAMS.md; the
programme codes are also read from the repository's copy of PROGRAMS.md (docs/) and every
clause_text is checked to be verbatim in its seed (vouchers/catalogue/texts/).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from vouchers.calculator import FORMULA_PARAMS, FORMULA_ROLES, ProgrammeSpec
from vouchers.catalogue import CATALOGUE_DIR, find_programme, load_catalogue
from vouchers.officialtext import clause_reference, official_text, profile_of, to_simplified

REPO = Path(__file__).resolve().parents[2]
# The specification and the policy texts live in the repository (docs/PROGRAMS.md, the seeds beside
# the catalogue with their provenance in texts/README.md), so none of these tests depends on a folder
# outside the clone.
PROGRAMS_MD = REPO / "docs" / "PROGRAMS.md"
SEEDS = CATALOGUE_DIR / "texts"

CATALOGUE = load_catalogue()
PROGRAMMES = {prog["code"]: (policy, prog) for policy in CATALOGUE for prog in policy["programmes"]}

# code: (policy, kind, review_path, inputs named in PROGRAMS.md)
EXPECTED: dict[str, tuple[str, str, str, set[str]]] = {
    "hp-compute-voucher": ("hp2025", "compute", "standard", {"eligible_cost"}),
    "hp-vertical-model-compute": ("hp2025", "compute", "competitive", {"compute_spend"}),
    "hp-model-genai-filing": (
        "hp2025",
        "model",
        "standard",
        {"first_national_genai_filing", "demonstration_scenario"},
    ),
    "hp-model-deepsynth-filing": ("hp2025", "model", "standard", {"first_deep_synthesis_filing"}),
    "hp-scenario-voucher": ("hp2025", "scenario", "competitive", {"requested_amount"}),
    "hp-data-space": ("hp2025", "data", "standard", {"recognized_by_higher_authority"}),
    "hp-data-asset-entry": ("hp2025", "data", "standard", {"booked_value", "service_fees"}),
    "hp-data-trading": ("hp2025", "data", "standard", {"annual_listed_trading"}),
    "hp-revenue-growth": ("hp2025", "other", "standard", {"revenue_current", "revenue_previous"}),
    "hp-transformation-center": ("hp2025", "other", "competitive", {"investment"}),
    "hp-open-source": ("hp2025", "other", "competitive", {"requested_amount"}),
    "th-landing-scale": (
        "th2024",
        "other",
        "standard",
        {"fortune500_or_national_platform", "new_in_tianhe", "in_above_scale_stats"},
    ),
    "th-landing-revenue": ("th2024", "other", "standard", {"fortune500_or_national_platform", "annual_revenue"}),
    "th-scale-leap": (
        "th2024",
        "other",
        "standard",
        {"revenue_current", "revenue_previous", "rd_current", "rd_previous"},
    ),
    "th-scenario-demo": ("th2024", "scenario", "competitive", {"contract_paid", "supplier_uscc", "buyer_uscc"}),
    "th-software-matching": ("th2024", "model", "standard", {"superior_funding", "level"}),
    "th-rd-subsidy": ("th2024", "model", "standard", {"cac_filed_deep_synthesis", "rd_current", "rd_previous"}),
    "th-consortium": ("th2024", "other", "standard", {"funds_paid_to_institutions"}),
    "th-dcmm": ("th2024", "data", "standard", {"dcmm_level"}),
    "th-compute-subsidy": ("th2024", "compute", "standard", {"annual_contract_total"}),
    "th-vc-subsidy": ("th2024", "other", "standard", {"vc_received_last_year"}),
    "th-loan-interest": ("th2024", "other", "standard", {"cumulative_loans", "interest_paid_last_year"}),
    "th-events": ("th2024", "other", "standard", {"event_cost"}),
    "th-case-by-case": ("th2024", "other", "standard", {"requested_amount"}),
}

# Every rate, cap, threshold, quota and fixed amount of PROGRAMS.md, by hand.
EXPECTED_PARAMETERS: dict[str, dict[str, str]] = {
    "hp-compute-voucher": {
        "rate": "1.00",
        "cap_per_enterprise_period": "500000",
        "programme_total_period": "10000000",
        "voucher_validity_months": "12",
    },
    "hp-vertical-model-compute": {"rate": "0.30", "cap_per_enterprise_period": "5000000", "awardee_quota_period": "10"},
    "hp-model-genai-filing": {"fixed_amount": "1000000"},
    "hp-model-deepsynth-filing": {"fixed_amount": "200000"},
    "hp-scenario-voucher": {"project_quota_period": "30", "programme_total_period": "10000000"},
    "hp-data-space": {"fixed_amount": "1000000"},
    "hp-data-asset-entry": {"min_booked_value": "500000", "rate": "0.30", "cap_per_enterprise_year": "100000"},
    "hp-data-trading": {"min_annual_listed_trading": "1000000", "rate": "0.03", "cap_per_enterprise_period": "200000"},
    "hp-revenue-growth": {
        "min_growth_rate": "0.10",
        "unit_size": "10000000",
        "tier1_increment": "50000000",
        "tier1_per_unit": "30000",
        "tier2_increment": "150000000",
        "tier2_per_unit": "40000",
        "tier3_increment": "400000000",
        "tier3_per_unit": "55000",
        "cap_per_enterprise_year": "10000000",
        "payment_promise_workdays": "60",
    },
    "hp-transformation-center": {"rate": "0.30", "cap_per_enterprise_period": "5000000"},
    "hp-open-source": {"cap_per_enterprise_period": "1000000", "awardee_quota_period": "10"},
    "th-landing-scale": {"fixed_amount": "100000"},
    "th-landing-revenue": {"min_annual_revenue": "100000000", "fixed_amount": "1000000"},
    "th-scale-leap": {
        "min_revenue": "5000000000",
        "min_rd": "500000000",
        "unit_size": "10000000",
        "amount_per_unit": "100000",
        "cap_per_enterprise_year": "10000000",
    },
    "th-scenario-demo": {
        "rate_supplier": "0.10",
        "rate_buyer": "0.10",
        "cap_supplier_year": "500000",
        "cap_buyer_year": "500000",
        "project_quota_year": "10",
    },
    "th-software-matching": {
        "rate": "0.50",
        "cap_national": "1000000",
        "cap_provincial": "500000",
        "cap_municipal": "300000",
    },
    "th-rd-subsidy": {"min_increment": "10000000", "rate": "0.03", "cap_per_enterprise_year": "1000000"},
    "th-consortium": {"rate": "0.10", "cap_per_enterprise_year": "1000000"},
    "th-dcmm": {"level_3": "50000", "level_4": "100000", "level_5": "200000"},
    "th-compute-subsidy": {
        "min_annual_contract_total": "5000000",
        "rate": "0.05",
        "cap_per_enterprise_period": "1000000",
    },
    "th-vc-subsidy": {"min_vc_received": "1000000", "rate": "0.03", "cap_per_enterprise_year": "1000000"},
    "th-loan-interest": {
        "min_cumulative_loans": "5000000",
        "min_interest_paid": "200000",
        "rate": "0.50",
        "cap_per_enterprise_year": "1000000",
    },
    "th-events": {"rate": "0.50", "cap_per_enterprise_year": "500000"},
    "th-case-by-case": {},
}
# hp-data-asset-entry: 首次实现数据资源入表 is once per enterprise, ever (issue 11).
ONCE_ONLY = {
    "hp-model-genai-filing",
    "hp-model-deepsynth-filing",
    "hp-data-asset-entry",
    "th-landing-scale",
    "th-landing-revenue",
}
ONCE_PER_PROJECT = {"hp-data-space", "th-software-matching"}
STAGED = {"hp-vertical-model-compute", "hp-transformation-center"}
ABOVE_SCALE = {"th-landing-scale", "th-scenario-demo", "th-consortium", "th-dcmm", "th-loan-interest"}
# Readings PROGRAMS.md lists, each recorded as a note on the parameter it concerns.
READINGS = {
    ("hp-compute-voucher", "rate"): "条文未规定支持比例",
    ("hp-data-trading", "cap_per_enterprise_period"): "政策有效期内",
    ("hp-model-deepsynth-filing", "fixed_amount"): "良好應用",
    ("th-compute-subsidy", "cap_per_enterprise_period"): "政策有效期内",
    ("th-dcmm", "level_4"): "差额",
    ("hp-revenue-growth", "tier3_per_unit"): "全部增量",
}
PROGRAMME_FIELDS = [
    "code",
    "name_zh",
    "name_en",
    "kind",
    "article",
    "clause_text",
    "summary_zh",
    "eligibility_zh",
    "review_path",
    "is_voucher",
    "staged_payment",
    "once_only",
    "formula",
    "inputs",
    "materials",
    "criteria",
    "parameters",
]
INPUT_FIELDS = ["name", "type", "unit", "label_zh", "label_en", "help_zh", "required"]


def test_policies() -> None:
    hp, th = CATALOGUE
    assert hp["code"] == "hp2025" and th["code"] == "th2024"
    assert hp["document_number"] == "穗开经信规字〔2025〕7号"
    assert hp["issuers"] == ["广州开发区经济和信息化局", "广州市黄埔区工业和信息化局"]
    assert (hp["issue_date"], hp["valid_from"], hp["valid_to"]) == (
        date(2025, 6, 27),
        date(2025, 6, 27),
        date(2028, 6, 26),
    )
    assert (hp["status"], hp["district"]) == ("in_force", "huangpu")
    assert (hp["letter_authority"], hp["letter_prefix"]) == ("广州开发区经济和信息化局", "穗开经信批字")
    assert hp["full_text_file"] == "000_9b2724bc12ca28f5.txt"
    assert th["document_number"] == ""
    assert (th["valid_from"], th["valid_to"]) == (date(2024, 1, 1), date(2026, 12, 31))
    assert (th["status"], th["district"]) == ("draft", "tianhe")
    assert "征求意见稿" in th["note"]
    assert (th["letter_authority"], th["letter_prefix"]) == ("广州市天河区科技工业和信息化局", "天科工信批字")
    assert th["full_text_file"] == "002_b4e07f6a1d9fdc80.txt"


def test_every_programme_of_programs_md_is_shipped() -> None:
    assert set(PROGRAMMES) == set(EXPECTED)
    assert len(PROGRAMMES) == 24


def test_programme_codes_match_programs_md() -> None:
    text = PROGRAMS_MD.read_text(encoding="utf-8")
    codes = set(re.findall(r"^\| `((?:hp|th)-[a-z0-9-]+)` \|", text, flags=re.MULTILINE))
    assert codes == set(PROGRAMMES)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_programme_fields(code: str) -> None:
    policy, prog = PROGRAMMES[code]
    policy_code, kind, review_path, inputs = EXPECTED[code]
    for name in PROGRAMME_FIELDS:
        assert name in prog, name
    assert (policy["code"], prog["kind"], prog["review_path"]) == (policy_code, kind, review_path)
    names = {i["name"] for i in prog["inputs"]}
    assert inputs <= names, inputs - names
    for meta in prog["inputs"]:
        for name in INPUT_FIELDS:
            assert name in meta, (meta["name"], name)
        assert meta["label_zh"] and meta["label_en"]
        if meta["type"] == "choice":
            assert all(c["value"] and c["label_zh"] for c in meta["choices"])
    assert prog["is_voucher"] is (code == "hp-compute-voucher")
    assert prog["once_only"] is (code in ONCE_ONLY)
    assert prog.get("once_per_project", False) is (code in ONCE_PER_PROJECT)
    assert prog["staged_payment"] is (code in STAGED)
    assert prog.get("requires_above_scale", False) is (code in ABOVE_SCALE)
    assert prog["materials"] and all(m["code"] and m["label_zh"] for m in prog["materials"])
    assert len({m["code"] for m in prog["materials"]}) == len(prog["materials"])
    if review_path == "competitive":
        assert sum(c["max_score"] for c in prog["criteria"]) == 100
    else:
        assert prog["criteria"] == []
    assert prog["formula"] in FORMULA_ROLES and prog["formula"] in FORMULA_PARAMS
    spec = ProgrammeSpec.from_dict(prog, policy)
    assert (spec.valid_from, spec.valid_to) == (policy["valid_from"], policy["valid_to"])


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_parameters_match_programs_md(code: str) -> None:
    policy, prog = PROGRAMMES[code]
    got = {p["name"]: Decimal(str(p["value"])) for p in prog["parameters"]}
    want = {k: Decimal(v) for k, v in EXPECTED_PARAMETERS[code].items()}
    assert got == want
    for p in prog["parameters"]:
        assert p["effective_from"] == policy["valid_from"], p["name"]
        assert p["clause"].startswith(prog["article"]), p["clause"]
        assert "note" in p


def test_open_source_criteria() -> None:
    _, prog = find_programme(CATALOGUE, "hp-open-source")
    assert [c["code"] for c in prog["criteria"]] == ["downloads", "performance", "influence"]


@pytest.mark.parametrize(("code", "param", "words"), [(c, p, w) for (c, p), w in READINGS.items()])
def test_readings_are_recorded_as_notes(code: str, param: str, words: str) -> None:
    _, prog = PROGRAMMES[code]
    note = next(p["note"] for p in prog["parameters"] if p["name"] == param)
    assert words in note


def _normalised_seed(text: str) -> str:
    """The seed without PDF page markers (— 7 —), list bullets and whitespace."""
    lines = [
        re.sub(r"^- ", "", line.strip())
        for line in text.splitlines()
        if not re.fullmatch(r"\s*—\s*\d+\s*\**\s*—\**\s*", line)
    ]
    return re.sub(r"\s+", "", "".join(lines))


def _quoted_parts(clause: str, seed: str) -> list[str]:
    """`第六条:<words>` → the words quoted from the seed, split at ……; a remark of the portal's in
    parentheses that the seed does not have ((条文未规定券的有效期)) is no quote (officialtext moves it
    to the parameter's note, shown as 平台口径)."""
    words = clause.split(":", 1)[1]

    def remark(m: re.Match[str]) -> str:
        squashed = re.sub(r"\s+", "", m.group(0)).replace("（", "(").replace("）", ")")
        return m.group(0) if squashed in seed else ""

    words = re.sub(r"[（(][^（）()]*[）)]", remark, words)
    return [re.sub(r"\s+", "", part) for part in words.split("……")]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_clause_text_is_verbatim(code: str) -> None:
    """The YAML quotes the seed as collected (traditional characters, half-width punctuation): it is
    the source the official text is made from, not the text shown."""
    policy, prog = PROGRAMMES[code]
    seed = _normalised_seed((SEEDS / policy["full_text_file"]).read_text(encoding="utf-8"))
    assert re.sub(r"\s+", "", prog["clause_text"]) in seed


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_parameter_clauses_quote_the_seed(code: str) -> None:
    """`第六条:<words>`: the words (split at ……, less the portal's remark) are in the seed."""
    policy, prog = PROGRAMMES[code]
    seed = _normalised_seed((SEEDS / policy["full_text_file"]).read_text(encoding="utf-8"))
    for p in prog["parameters"]:
        parts = _quoted_parts(p["clause"], seed)
        assert any(parts), p["name"]
        for part in parts:
            assert part in seed, (p["name"], part)


def _seed_shipped(policy: dict[str, Any]) -> str:
    return (CATALOGUE_DIR / "texts" / policy["full_text_file"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_official_clause_text_is_the_conversion_of_the_quote(code: str) -> None:
    """What the portal stores and shows (officialtext of the verbatim quote) reads exactly as the
    clause does in the policy's official text, with no traditional character or half-width comma left."""
    policy, prog = PROGRAMMES[code]
    seed = _seed_shipped(policy)
    profile = profile_of(seed)
    full = official_text(seed, profile)
    clause = official_text(prog["clause_text"], profile)
    assert clause in full
    assert to_simplified(clause) == clause and not re.search(r"[,:;()]", clause)
    for p in prog["parameters"]:
        reference, _remark = clause_reference(p["clause"], source=seed, profile=profile)
        for part in reference.split("：", 1)[1].split("……"):
            assert part in full, (p["name"], part)


# ---------------------------------------------------------------- malformed files are refused


def _copy_catalogue(tmp_path: Path) -> Path:
    for path in CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_copy_loads(tmp_path: Path) -> None:
    assert load_catalogue(_copy_catalogue(tmp_path)) == CATALOGUE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["programmes"][0].pop("clause_text"), "missing field 'clause_text'"),
        (lambda d: d["programmes"][0].update(formula="magic"), "formula 'magic'"),
        (lambda d: d["programmes"][0].update(kind="misc"), "kind 'misc'"),
        (lambda d: d["programmes"][0].update(once_only="yes"), "'once_only' has the wrong type"),
        (lambda d: d["programmes"][0]["parameters"].pop(0), "needs parameters ['rate']"),
        (lambda d: d["programmes"][0]["parameters"][0].update(value="lots"), "is not a decimal"),
        (lambda d: d["programmes"][0]["parameters"][0].update(clause=""), "source clause"),
        (lambda d: d["programmes"][0]["inputs"][0].update(type="text"), "type 'text'"),
        (lambda d: d["programmes"][0]["inputs"][0].pop("role"), "role 'base'"),
        (lambda d: d["programmes"][0]["inputs"][0].update(threshold={"param": "nope", "op": "gt"}), "'nope'"),
        (lambda d: d["programmes"][1].update(criteria=[]), "criteria"),
        (lambda d: d["programmes"].append(d["programmes"][0]), "appears twice"),
        (lambda d: d.update(valid_to=date(2020, 1, 1)), "valid_from is after valid_to"),
        (lambda d: d.update(code="hp2026"), "does not match the file name"),
        (lambda d: d.update(status="repealed"), "status 'repealed'"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, change: Any, message: str) -> None:
    directory = _copy_catalogue(tmp_path)
    _edit(directory / "hp2025.yaml", change)
    with pytest.raises(ValueError, match="hp2025.yaml") as info:
        load_catalogue(directory)
    assert message in str(info.value)


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    (directory / "th2024.yaml").write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="th2024.yaml: not valid YAML"):
        load_catalogue(directory)


def test_a_programme_in_two_files_is_refused(tmp_path: Path) -> None:
    directory = _copy_catalogue(tmp_path)
    hp = yaml.safe_load((directory / "hp2025.yaml").read_text(encoding="utf-8"))
    _edit(directory / "th2024.yaml", lambda d: d["programmes"].append(hp["programmes"][0]))
    with pytest.raises(ValueError, match="'hp-compute-voucher' is also in hp2025.yaml"):
        load_catalogue(directory)
