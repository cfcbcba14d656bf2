"""The shipped programme catalogue (one YAML file per policy) and its structural validation.

Pure: reads the YAML files beside this module with PyYAML; no Django. `load_catalogue()` returns
one dict per policy, each with its `programmes`, exactly as in the files (dates as `date`,
parameter values as written), after checking every field a programme needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from vouchers.calculator import FORMULA_PARAMS, FORMULA_ROLES, ParameterValue, ProgrammeSpec

CATALOGUE_DIR = Path(__file__).resolve().parent

KINDS = {"compute", "model", "scenario", "data", "other"}
REVIEW_PATHS = {"standard", "competitive"}
STATUSES = {"in_force", "draft"}
DISTRICTS = {"huangpu", "tianhe"}
INPUT_TYPES = {"decimal", "bool", "choice", "uscc", "int"}
UNITS = {"yuan", "percent", "none"}
THRESHOLD_OPS = {"gt", "ge"}
FACT_PERIODS = {"latest", "previous", "none"}  # an input read from an enterprise fact (一企一档, proactive)

POLICY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "document_number": str,
    "title": str,
    "issuers": list,
    "district": str,
    "issue_date": (date, type(None)),
    "valid_from": date,
    "valid_to": date,
    "status": str,
    "letter_authority": str,
    "letter_prefix": str,
    "full_text_file": str,
    "programmes": list,
}
PROGRAMME_FIELDS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "name_zh": str,
    "name_en": str,
    "kind": str,
    "article": str,
    "clause_text": str,
    "summary_zh": str,
    "eligibility_zh": str,
    "review_path": str,
    "is_voucher": bool,
    "staged_payment": bool,
    "once_only": bool,
    "formula": str,
    "inputs": list,
    "materials": list,
    "criteria": list,
    "parameters": list,
}
INPUT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "type": str,
    "unit": str,
    "label_zh": str,
    "label_en": str,
    "help_zh": str,
    "required": bool,
}
PARAMETER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "value": (str, int),
    "effective_from": date,
    "clause": str,
    "note": str,
}


def _check_fields(where: str, data: Any, fields: Mapping[str, type | tuple[type, ...]]) -> None:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
    for name, kind in fields.items():
        if name not in data:
            raise ValueError(f"{where}: missing field {name!r}")
        value = data[name]
        # bool is an int: a flag must not pass for a number, nor a number for a flag
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (str, int))):
            raise ValueError(f"{where}: field {name!r} has the wrong type ({type(value).__name__})")


def _check_in(where: str, name: str, value: Any, allowed: set[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{where}: {name} {value!r} is not one of {sorted(allowed)}")


def _check_input(where: str, meta: dict[str, Any], param_names: set[str]) -> None:
    _check_fields(where, meta, INPUT_FIELDS)
    _check_in(where, "type", meta["type"], INPUT_TYPES)
    _check_in(where, "unit", meta["unit"], UNITS)
    if meta["type"] == "choice":
        choices = meta.get("choices")
        if not isinstance(choices, list) or not choices:
            raise ValueError(f"{where}: a choice input needs a non-empty 'choices' list")
        for i, choice in enumerate(choices):
            _check_fields(f"{where}.choices[{i}]", choice, {"value": str, "label_zh": str})
    if "must_be" in meta and (meta["type"] != "bool" or not isinstance(meta["must_be"], bool)):
        raise ValueError(f"{where}: 'must_be' needs a bool input and a bool value")
    if "fact" in meta:
        _check_fields(f"{where}.fact", meta["fact"], {"kind": str, "period": str})
        _check_in(f"{where}.fact", "period", meta["fact"]["period"], FACT_PERIODS)
    threshold = meta.get("threshold")
    if threshold is not None:
        _check_fields(f"{where}.threshold", threshold, {"param": str, "op": str})
        _check_in(f"{where}.threshold", "op", threshold["op"], THRESHOLD_OPS)
        if threshold["param"] not in param_names:
            raise ValueError(f"{where}: threshold parameter {threshold['param']!r} is not defined")


def _check_parameter(where: str, param: dict[str, Any]) -> None:
    _check_fields(where, param, PARAMETER_FIELDS)
    try:
        value = Decimal(str(param["value"]))
    except InvalidOperation:
        raise ValueError(f"{where}: value {param['value']!r} is not a decimal") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{where}: value {param['value']!r} must be a finite non-negative decimal")
    if not param["clause"].strip():
        raise ValueError(f"{where}: every parameter names its source clause")


def _check_programme(where: str, prog: dict[str, Any]) -> None:
    _check_fields(where, prog, PROGRAMME_FIELDS)
    where = f"{where} ({prog['code']})"
    _check_in(where, "kind", prog["kind"], KINDS)
    _check_in(where, "review_path", prog["review_path"], REVIEW_PATHS)
    _check_in(where, "formula", prog["formula"], set(FORMULA_ROLES))
    for name in ("clause_text", "summary_zh", "eligibility_zh", "name_zh", "article"):
        if not prog[name].strip():
            raise ValueError(f"{where}: {name} is empty")
    for flag in ("requires_above_scale", "once_per_project", "requires_consent_document", "requires_preapproval"):
        if flag in prog and not isinstance(prog[flag], bool):
            raise ValueError(f"{where}: {flag} must be true or false")
    for name in ("responsible_unit", "letter_prefix"):
        if name in prog and (not isinstance(prog[name], str) or not prog[name].strip()):
            raise ValueError(f"{where}: {name} must be a non-empty text")
    if prog.get("auto_award"):  # 免申即享: every input comes from facts, and the note says why
        if not isinstance(prog.get("auto_award_note"), str) or not prog["auto_award_note"].strip():
            raise ValueError(f"{where}: auto_award needs an auto_award_note saying why")
        if any("fact" not in m for m in prog["inputs"]):
            raise ValueError(f"{where}: auto_award needs every input read from a fact")
    counts_with = prog.get("counts_with", [])
    if not isinstance(counts_with, list) or not all(isinstance(c, str) and c for c in counts_with):
        raise ValueError(f"{where}: counts_with must be a list of programme codes")
    for i, industry in enumerate(prog.get("industries") or []):
        _check_fields(f"{where}.industries[{i}]", industry, {"code": str, "label_zh": str})

    for i, param in enumerate(prog["parameters"]):
        _check_parameter(f"{where}.parameters[{i}]", param)
    param_names = {p["name"] for p in prog["parameters"]}

    names: set[str] = set()
    for i, meta in enumerate(prog["inputs"]):
        _check_input(f"{where}.inputs[{i}]", meta, param_names)
        if meta["name"] in names:
            raise ValueError(f"{where}: input {meta['name']!r} appears twice")
        names.add(meta["name"])
    roles = [m["role"] for m in prog["inputs"] if "role" in m]
    for role in FORMULA_ROLES[prog["formula"]]:
        if roles.count(role) != 1:
            raise ValueError(f"{where}: formula {prog['formula']} needs exactly one input with role {role!r}")

    needed: set[str] = set()
    for name in FORMULA_PARAMS[prog["formula"]]:
        if "{choice}" in name:
            level = next(m for m in prog["inputs"] if m.get("role") == "level")
            needed |= {name.replace("{choice}", c["value"]) for c in level["choices"]}
        else:
            needed.add(name)
    if missing := needed - param_names:
        raise ValueError(f"{where}: formula {prog['formula']} needs parameters {sorted(missing)}")

    for i, material in enumerate(prog["materials"]):
        _check_fields(f"{where}.materials[{i}]", material, {"code": str, "label_zh": str})
    if not prog["materials"]:
        raise ValueError(f"{where}: materials must list the required uploads")
    for i, criterion in enumerate(prog["criteria"]):
        _check_fields(f"{where}.criteria[{i}]", criterion, {"code": str, "label_zh": str, "max_score": int})
    if (prog["review_path"] == "competitive") != bool(prog["criteria"]):
        raise ValueError(f"{where}: competitive programmes, and only they, list scoring criteria")
    if prog["is_voucher"] and prog["formula"] != "rate":
        raise ValueError(f"{where}: a voucher programme is computed by rate")


def validate_policy(data: Any, source: str = "<catalogue>") -> dict[str, Any]:
    """Check one policy file's structure; return it unchanged or raise ValueError."""
    _check_fields(source, data, POLICY_FIELDS)
    _check_in(source, "status", data["status"], STATUSES)
    _check_in(source, "district", data["district"], DISTRICTS)
    if data["valid_from"] > data["valid_to"]:
        raise ValueError(f"{source}: valid_from is after valid_to")
    if not data["issuers"] or not all(isinstance(i, str) and i for i in data["issuers"]):
        raise ValueError(f"{source}: issuers must be a non-empty list of names")
    if "predecessor" in data and not (isinstance(data["predecessor"], str) and data["predecessor"]):
        raise ValueError(f"{source}: predecessor must be a policy code")
    codes: set[str] = set()
    for i, prog in enumerate(data["programmes"]):
        _check_programme(f"{source}: programmes[{i}]", prog)
        if prog["code"] in codes:
            raise ValueError(f"{source}: programme {prog['code']!r} appears twice")
        codes.add(prog["code"])
    policy: dict[str, Any] = data
    return policy


def load_catalogue(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every policy of the shipped catalogue (one YAML file each), validated, sorted by code."""
    directory = directory or CATALOGUE_DIR
    policies = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc
        policy = validate_policy(data, path.name)
        if policy["code"] != path.stem:
            raise ValueError(f"{path.name}: policy code {policy['code']!r} does not match the file name")
        for prog in policy["programmes"]:
            if prog["code"] in seen:
                raise ValueError(f"{path.name}: programme {prog['code']!r} is also in {seen[prog['code']]}")
            seen[prog["code"]] = path.name
        policies.append(policy)
    known_policies = {p["code"] for p in policies}
    for policy in policies:
        if policy.get("predecessor") and policy["predecessor"] not in known_policies:
            raise ValueError(f"{policy['code']}: predecessor {policy['predecessor']!r} is not in the catalogue")
        for prog in policy["programmes"]:
            for code in prog.get("counts_with") or ():
                if code not in seen or seen[code] == f"{policy['code']}.yaml":
                    raise ValueError(
                        f"{policy['code']}: {prog['code']} counts_with {code!r}, "
                        "which is not a programme of another policy"
                    )
    return sorted(policies, key=lambda p: p["code"])


def find_programme(catalogue: list[dict[str, Any]], code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(policy, programme) for a programme code; KeyError if absent."""
    for policy in catalogue:
        for prog in policy["programmes"]:
            if prog["code"] == code:
                return policy, prog
    raise KeyError(code)


def programme_spec(policy: dict[str, Any], programme: dict[str, Any]) -> ProgrammeSpec:
    return ProgrammeSpec.from_dict(programme, policy)


def parameter_values(programme: dict[str, Any]) -> list[ParameterValue]:
    """The programme's dated parameters as calculator values."""
    return [
        ParameterValue(
            name=p["name"],
            value=Decimal(str(p["value"])),
            effective_from=p["effective_from"],
            clause=p["clause"],
            note=p["note"],
        )
        for p in programme["parameters"]
    ]
