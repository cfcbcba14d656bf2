"""Conditions every programme shares 通用条件: district, 规上, industry, once-only, per-project, thresholds,
and the two parties of a two-line award; each records the facts it read.

Pure: no database."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .formulas import Calc
from .inputs import yuan
from .spec import DISTRICT_LABELS, DISTRICT_NAMES, LINE_LABELS, EnterpriseFacts


def facts_read(c: Calc, facts: EnterpriseFacts | None, who: str = "") -> None:
    """The enterprise facts this programme's conditions read, each with whether it is verified."""
    spec = c.spec
    if facts is None:
        return
    if spec.district:
        district = facts.district.strip().lower()
        where = DISTRICT_LABELS.get(district, facts.district) or "不一致或未填写"
        c.fact(facts, "district", "注册地、纳税地、统计地", where, who)
    if spec.requires_above_scale and facts.above_scale is not None:
        c.fact(facts, "above_scale", "规模以上企业", "是" if facts.above_scale else "否", who)
    if spec.industries and not who:
        c.fact(facts, "industry", "所属行业", facts.industry or "未填写", who)


def common_checks(c: Calc, enterprise: EnterpriseFacts | None, project_key: str) -> None:
    spec = c.spec
    facts_read(c, enterprise)
    district = enterprise.district.strip().lower() if enterprise else ""
    if enterprise and district and spec.district and district not in DISTRICT_NAMES.get(spec.district, {spec.district}):
        c.fail(
            f"企业注册地（{DISTRICT_LABELS.get(district, enterprise.district)}）不在本政策适用区域"
            f"（{DISTRICT_LABELS.get(spec.district, spec.district)}）"
        )
    if spec.requires_above_scale:
        above = enterprise.above_scale if enterprise else None
        if above is False:
            c.fail("须为规模以上企业（纳入规模以上统计）")
        elif above is None:
            c.reasons.append("须为规模以上企业，由审核核实")
    if spec.industries:
        names = "、".join(label for _, label in spec.industries)
        industry = (enterprise.industry if enterprise else "").strip().upper()
        if not industry:
            c.reasons.append(f"须从事{names}经营活动，由审核核实")
        elif not any(
            industry.lstrip("I").startswith(code.upper().lstrip("I")) or label in industry
            for code, label in spec.industries
        ):
            c.fail(f"行业（{industry}）不属于{names}")
    if spec.once_only and c.prior:
        first = min(c.prior, key=lambda a: a.decided_on)
        c.fail(f"本项目为一次性奖励，已于 {first.decided_on.isoformat()} 获得 {yuan(Decimal(first.amount))} 元")
    if spec.requires_preapproval:
        c.reasons.append("须在活动举办前取得主管部门同意（事前同意），申报时关联该同意，由审核核实")
    if spec.once_per_project:
        if not project_key:
            c.reasons.append("同一项目仅支持一次，由审核核对项目")
        elif any(a.project_key == project_key for a in c.prior):
            c.fail(f"项目 {project_key} 已获本项目支持，同一项目仅支持一次")
    for meta in spec.inputs:
        value, label = c.inputs.get(meta["name"]), meta.get("label_zh") or meta["name"]
        if meta.get("must_be") is not None and value is not meta["must_be"]:
            c.fail(f"未满足条件：{label}")
        threshold = meta.get("threshold")
        if threshold and value is not None:
            minimum = c.p(threshold["param"])
            if threshold["op"] == "gt" and not value > minimum:
                c.fail(f"{label} {yuan(value)} 元须超过 {yuan(minimum)} 元")
            elif threshold["op"] == "ge" and not value >= minimum:
                c.fail(f"{label} {yuan(value)} 元须达到 {yuan(minimum)} 元及以上")


def party_checks(c: Calc, parties: Mapping[str, EnterpriseFacts | None]) -> None:
    """Two-party awards (th-scenario-demo): the clause's conditions hold for each party, not only for
    the applicant — 天河区规模以上企业（供应方）… 天河区规模以上企业（采购方）. A party not registered in
    the portal is left to the review."""
    spec = c.spec
    for role, facts in parties.items():
        who = LINE_LABELS.get(role, role)
        if facts is None:
            c.reasons.append(f"{who}尚未在平台注册，其注册地和规模以上情况由审核核实")
            continue
        facts_read(c, facts, who)
        district = facts.district.strip().lower()
        if district and spec.district and district not in DISTRICT_NAMES.get(spec.district, {spec.district}):
            c.fail(
                f"{who}注册地（{DISTRICT_LABELS.get(district, facts.district)}）不在本政策适用区域"
                f"（{DISTRICT_LABELS.get(spec.district, spec.district)}）"
            )
        elif not district and spec.district:
            where = DISTRICT_LABELS.get(spec.district, spec.district)
            c.reasons.append(f"{who}须在{where}注册、纳税并纳入统计，由审核核实")
        if spec.requires_above_scale and facts.above_scale is False:
            c.fail(f"{who}须为规模以上企业（纳入规模以上统计）")
