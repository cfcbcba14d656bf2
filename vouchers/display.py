"""How the catalogue is shown to people: Chinese names of the parameters, the parameters in force
on a date with their clauses, the formula in words, and the eligibility hint (可能符合/不符合) for a
signed-in enterprise. Reads only; the amounts themselves come from the calculator."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from portal.templatetags.money import yuan

from . import calculator
from .models import Award, ParameterValue, Programme
from .officialtext import profile_of

# 参数名称 the Chinese name of each parameter a programme may carry.
PARAM_LABELS = {
    "rate": gettext_lazy("支持比例"),
    "rate_supplier": gettext_lazy("供应方奖励比例"),
    "rate_buyer": gettext_lazy("采购方奖励比例"),
    "fixed_amount": gettext_lazy("奖励金额（定额）"),
    "cap_per_enterprise_year": gettext_lazy("每家企业每年最高"),
    "cap_per_enterprise_period": gettext_lazy("政策有效期内每家企业最高"),
    "programme_total_period": gettext_lazy("政策有效期内扶持总额"),
    "cap_supplier_year": gettext_lazy("供应方每家企业每年最高"),
    "cap_buyer_year": gettext_lazy("采购方每家企业每年最高"),
    "cap_national": gettext_lazy("国家级项目最高"),
    "cap_provincial": gettext_lazy("省级项目最高"),
    "cap_municipal": gettext_lazy("市级项目最高"),
    "level_3": gettext_lazy("数据管理能力成熟度三级奖励"),
    "level_4": gettext_lazy("数据管理能力成熟度四级奖励"),
    "level_5": gettext_lazy("数据管理能力成熟度五级奖励"),
    "awardee_quota_period": gettext_lazy("政策有效期内支持主体名额"),
    "project_quota_period": gettext_lazy("政策有效期内支持项目名额"),
    "project_quota_year": gettext_lazy("每年支持项目名额"),
    "min_growth_rate": gettext_lazy("营业收入同比增速须超过"),
    "unit_size": gettext_lazy("计奖单位（每增长）"),
    "tier1_increment": gettext_lazy("第一档：增量超过"),
    "tier1_per_unit": gettext_lazy("第一档：每单位奖励"),
    "tier2_increment": gettext_lazy("第二档：增量超过"),
    "tier2_per_unit": gettext_lazy("第二档：每单位奖励"),
    "tier3_increment": gettext_lazy("第三档：增量超过"),
    "tier3_per_unit": gettext_lazy("第三档：每单位奖励"),
    "min_revenue": gettext_lazy("年度营业收入须达到"),
    "min_rd": gettext_lazy("研发投入须达到"),
    "amount_per_unit": gettext_lazy("每单位奖励"),
    "min_increment": gettext_lazy("增量须达到"),
    "min_annual_contract_total": gettext_lazy("年度合同总额须超过"),
    "min_annual_listed_trading": gettext_lazy("年度场内交易额须达到"),
    "min_annual_revenue": gettext_lazy("年营业收入须达到"),
    "min_booked_value": gettext_lazy("入表数据资产价值须超过"),
    "min_cumulative_loans": gettext_lazy("累计贷款须达到"),
    "min_interest_paid": gettext_lazy("上年实付利息须达到"),
    "min_vc_received": gettext_lazy("上年获得风险投资须超过"),
    "voucher_validity_months": gettext_lazy("算力券有效期"),
    "payment_promise_workdays": gettext_lazy("承诺兑付时限"),  # 快申快享 (applications.promise)
}
CAP_PREFIXES = ("cap_", "programme_total_")
QUOTA_NAMES = ("awardee_quota_period", "project_quota_period", "project_quota_year")
_FORMAL = gettext_lazy("形式审查（材料齐全性；需补正的，一次性告知全部补正事项）")
_NOTICE = gettext_lazy("公示（默认7个工作日，可提出异议）")
REVIEW_STEPS = {
    Programme.ReviewPath.STANDARD: [
        _FORMAL,
        gettext_lazy("实质审核（主管部门核定金额，不超过测算上限）"),
        _NOTICE,
        gettext_lazy("核定并拨付"),
    ],
    Programme.ReviewPath.COMPETITIVE: [
        _FORMAL,
        gettext_lazy("专家评审（至少3名专家，声明无利益冲突后按指标评分）"),
        gettext_lazy("主管部门按名额和资金池排名决定"),
        _NOTICE,
        gettext_lazy("核定并拨付"),
    ],
}
DISTRICT_LABELS = {
    "huangpu": gettext_lazy("黄埔区/广州开发区"),
    "tianhe": gettext_lazy("天河区"),
    "other": gettext_lazy("其他区域"),
}


def param_label(name: str) -> str:
    """The parameter's Chinese name; its code name is never shown to readers."""
    label = PARAM_LABELS.get(name) or calculator.CAP_LABELS.get(name)
    return str(label) if label else _("政策参数")


def param_kind(name: str) -> str:
    """percent / count / months / workdays / yuan: how the value is written."""
    if name.startswith("rate") or name == "min_growth_rate":
        return "percent"
    if name in QUOTA_NAMES:
        return "count"
    if name.endswith("_months"):
        return "months"
    if name.endswith("_workdays"):
        return "workdays"
    return "yuan"


def _in_units(value: Decimal, unit: int) -> Decimal | None:
    """value / unit when that is exact to two places (50万元, 5.5万元), else None: 1,000,000.01 元 is
    never written 100万元, so an amount just above a cap never reads as the cap."""
    q = Decimal(value) / unit
    return q.normalize() if q == q.quantize(calculator.CENT) else None


def wan_exact(value: Decimal) -> str:
    """'50万元' for an amount that is a whole number of hundreds of yuan, else '' (yuan only)."""
    q = _in_units(value, 10_000) if Decimal(value) >= 10_000 else None
    return _("%(n)s万元") % {"n": f"{q:,f}"} if q is not None else ""


def param_value(name: str, value: Decimal) -> str:
    """The value for the API: yuan as a decimal string with two places (500000.00), a rate as the
    decimal itself (0.03), a count or months as a whole number."""
    kind = param_kind(name)
    value = Decimal(value)
    if kind == "yuan":
        return f"{value.quantize(calculator.CENT)}"
    if kind == "percent":
        return f"{value.normalize():f}"
    return str(int(value))


def param_text(name: str, value: Decimal) -> str:
    """The value as a reader expects it: 30%, 10 个, 12 个月, 500,000.00 元（50万元）; the 万元 only
    where it is exact."""
    kind = param_kind(name)
    if kind == "percent":
        return calculator.pct(Decimal(value))
    if kind == "count":
        return _("%(n)s 个") % {"n": int(value)}
    if kind == "months":
        return _("%(n)s 个月") % {"n": int(value)}
    if kind == "workdays":
        return _("%(n)s 个工作日") % {"n": int(value)}
    wan = wan_exact(value)
    return _("%(yuan)s（%(wan)s）") % {"yuan": yuan(value), "wan": wan} if wan else yuan(value)


def param_short(name: str, value: Decimal) -> str:
    """Compact, for sentences: 30%, 1,000万元, 1.5亿元, 500元; 万元/亿元 only where exact."""
    if param_kind(name) != "yuan":
        return param_text(name, value)
    value = Decimal(value)
    if (get_language() or "zh").startswith("zh"):  # 万元/亿元 read naturally only in Chinese
        yi = _in_units(value, 100_000_000) if value >= 100_000_000 else None
        if yi is not None:
            return f"{yi:,f}亿元"
        wan = _in_units(value, 10_000) if value >= 10_000 else None
        if wan is not None:
            return f"{wan:,f}万元"
    return _("%(n)s元") % {"n": f"{value.normalize():,f}"}


# 平台口径 a note that records a reading the portal chose where the clause is silent or open (a rate it
# leaves open, what 超/达…以上 mean, the tier and difference rules, a cap without 每年); any other note
# only says how the clause is applied (说明). The words below mark a reading.
READING_MARKS = ("平台口径", "条文未", "理解", "=", "默认", "差额", "全部增量", "判断", "测算按", "基准日", "向下取整")
# An English gloss or a reference for the developers inside a note: (the clause names no ratio), (PROGRAMS.md)
_GLOSS = re.compile(r"\s*[（(](?=[^（）()]*[a-z])[\x20-\x7e]*[）)]")


def note_kind(note: str) -> str:
    """'reading' (平台口径), 'explanation' (说明) or '' for no note."""
    if not note.strip():
        return ""
    return "reading" if any(mark in note for mark in READING_MARKS) else "explanation"


def note_for_readers(note: str) -> str:
    """The note without the English glosses and developer references it carries, and without a
    leading 平台口径： (the page labels it)."""
    note = _GLOSS.sub("", note).strip()
    return re.sub(r"^平台口径\s*[:：]\s*", "", note)


NOTE_LABELS = {"reading": gettext_lazy("平台口径"), "explanation": gettext_lazy("说明")}


def text_provenance(source: str) -> list[str]:
    """How the official text shown was made from the seed kept as its source (Policy.full_text_source)."""
    if not source.strip():
        return []
    profile = profile_of(source)
    steps = []
    if profile.web_header:
        steps.append(_("原始文本为政府网站页面的抓取稿，已去除页面的时间、作者、点击数信息行。"))
    if profile.paginated:
        steps.append(_("原始文本为 PDF 提取的文字，已去除页码标记、列表符号和断行留下的空格，跨页断开的段落已接续。"))
    if profile.traditional:
        steps.append(_("原文为繁体，已转换为简体。"))
    steps.append(_("中文语句中的半角标点已改为全角，数字照录；文字未作其他改动。"))
    return steps


@dataclass(frozen=True)
class ParameterRow:
    """A parameter as shown: its clause (official text) and, apart from it, the portal's note, labelled
    平台口径 when it is a reading, 说明 when it only says how the clause is applied."""

    name: str
    label: str
    value: Decimal
    text: str
    effective_from: dt.date
    clause: str
    note: str
    is_cap: bool
    unit: str = "yuan"
    note_kind: str = ""

    @property
    def note_label(self) -> str:
        return str(NOTE_LABELS.get(self.note_kind, ""))

    @property
    def value_text(self) -> str:
        return param_value(self.name, self.value)


def _row(pv: ParameterValue) -> ParameterRow:
    note = note_for_readers(pv.note)
    return ParameterRow(
        name=pv.name,
        label=param_label(pv.name),
        value=pv.value,
        text=param_text(pv.name, pv.value),
        effective_from=pv.effective_from,
        clause=pv.clause,
        note=note,
        is_cap=pv.name.startswith(CAP_PREFIXES) or pv.name in QUOTA_NAMES,
        unit=param_kind(pv.name),
        note_kind=note_kind(pv.note),
    )


def parameter_rows(*, programme: Programme, on: dt.date) -> tuple[list[ParameterRow], list[ParameterRow]]:
    """(the values in force on `on`, the changes scheduled after it), each with its clause and note."""
    in_force: dict[str, ParameterValue] = {}
    scheduled: list[ParameterValue] = []
    for pv in ParameterValue.objects.filter(programme=programme).order_by("name", "effective_from"):
        if pv.effective_from <= on:
            in_force[pv.name] = pv  # ordered by date: the latest wins
        else:
            scheduled.append(pv)
    order = {pv.name: i for i, pv in enumerate(ParameterValue.objects.filter(programme=programme).order_by("id"))}
    rows = sorted((_row(pv) for pv in in_force.values()), key=lambda r: order.get(r.name, 0))
    return rows, [_row(pv) for pv in scheduled]


def input_unit(meta: Mapping[str, Any]) -> str:
    return {"yuan": _("元"), "percent": "%"}.get(meta.get("unit", ""), "")


def input_label(meta: Mapping[str, Any]) -> str:
    """label_en on the English interface when the catalogue gives one, else the Chinese label."""
    if meta.get("label_en") and (get_language() or "").startswith("en"):
        return str(meta["label_en"])
    return str(meta.get("label_zh") or meta["name"])


def formula_in_words(programme: Programme, params: Mapping[str, Decimal]) -> str:
    """The award rule in one Chinese sentence, with today's values."""
    spec = programme.spec or {}
    inputs = spec.get("inputs") or programme.inputs

    def role(r: str) -> str:
        return next((input_label(m) for m in inputs if m.get("role") == r), r)

    def p(name: str) -> str:
        return param_short(name, params[name]) if name in params else "—"

    f = programme.formula
    if f == "rate":
        text = _("补助金额 = %(base)s × %(rate)s") % {"base": role("base"), "rate": p("rate")}
    elif f == "increment_rate":
        text = _("增量 = %(cur)s − %(prev)s；增量须达到 %(min)s，补助金额 = 增量 × %(rate)s") % {
            "cur": role("current"),
            "prev": role("previous"),
            "min": p("min_increment"),
            "rate": p("rate"),
        }
    elif f == "fixed":
        text = _("满足条件的，给予定额奖励 %(amount)s") % {"amount": p("fixed_amount")}
    elif f == "requested":
        text = _("按申请金额经评审核定，不超过上限")
    elif f == "revenue_tiers":
        tiers = []
        n = 1
        while f"tier{n}_increment" in params:
            tiers.append(
                _("增量超过 %(t)s 的，每单位 %(u)s") % {"t": p(f"tier{n}_increment"), "u": p(f"tier{n}_per_unit")}
            )
            n += 1
        text = _(
            "同比增速须超过 %(g)s；按增量每完整 %(unit)s 计一个单位（向下取整），"
            "按达到的最高档次对全部增量计奖：%(tiers)s"
        ) % {"g": p("min_growth_rate"), "unit": p("unit_size"), "tiers": "；".join(tiers)}
    elif f == "scale_leap":
        text = _("营业收入达到 %(rev)s、研发投入达到 %(rd)s 且正增长；按营业收入每增长完整 %(unit)s 奖励 %(per)s") % {
            "rev": p("min_revenue"),
            "rd": p("min_rd"),
            "unit": p("unit_size"),
            "per": p("amount_per_unit"),
        }
    elif f == "level_table":
        text = _("补助金额 = %(base)s × %(rate)s，按项目级别设上限") % {"base": role("base"), "rate": p("rate")}
    elif f == "two_line":
        text = _("供应方奖励 %(base)s × %(rs)s，采购方奖励 %(base)s × %(rb)s，两方分别计上限") % {
            "base": role("base"),
            "rs": p("rate_supplier"),
            "rb": p("rate_buyer"),
        }
    elif f == "dcmm_levels":
        levels = "、".join(f"{k[-1]}级 {p(k)}" for k in sorted(params) if k.startswith("level_"))
        text = _("按数据管理能力成熟度评估等级奖励：%(levels)s；此前获较低等级奖励的，只补差额") % {"levels": levels}
    else:
        text = programme.summary_zh
    return text


@dataclass
class EligibilityHint:
    """可能符合 / 不符合 for one programme, from the enterprise profile only (the review decides)."""

    likely: bool
    reasons: list[str] = field(default_factory=list)  # why not
    to_check: list[str] = field(default_factory=list)  # what the review verifies

    @property
    def headline(self) -> str:
        if self.likely:
            return _("可能符合")
        return _("不符合，原因：%(why)s") % {"why": "；".join(self.reasons)}


def awarded_programme_codes(enterprise) -> set[str]:
    """Programmes under which the enterprise holds a counting award (once-only check)."""
    if enterprise is None:
        return set()
    return set(
        Award.objects.filter(
            enterprise=enterprise, status__in=(Award.Status.RESERVED, Award.Status.COMMITTED)
        ).values_list("programme__code", flat=True)
    )


def eligibility_hint(*, programme: Programme, enterprise, awarded: Iterable[str] = ()) -> EligibilityHint:
    """From the enterprise profile: registered, taxed and counted in the policy's district; keeps
    independent accounts; above-scale where the clause names it; the industry where the clause
    names one; once-only awards not received before (PROGRAMS.md rules 3 and 4)."""
    spec = programme.spec or {}
    hint = EligibilityHint(likely=True)
    district = programme.policy.district
    where = DISTRICT_LABELS.get(district, district)
    for attr, what in (
        ("registered_district", _("注册地")),
        ("tax_district", _("税收关系")),
        ("stats_district", _("统计关系")),
    ):
        value = getattr(enterprise, attr, "")
        if value != district:
            hint.reasons.append(
                _("%(what)s在%(there)s，不在%(here)s")
                % {"what": what, "there": DISTRICT_LABELS.get(value, value or _("未填写")), "here": where}
            )
    if not getattr(enterprise, "has_independent_accounts", True):
        hint.reasons.append(_("须独立核算"))
    if spec.get("requires_above_scale") and not getattr(enterprise, "is_above_scale", False):
        hint.reasons.append(_("须为规模以上企业"))
    industries = spec.get("industries") or []
    if industries:
        names = [i["label_zh"] for i in industries]
        with translation.override("zh-hans"):  # the catalogue names industries in Chinese
            label_zh = str(enterprise.get_industry_display()) if hasattr(enterprise, "get_industry_display") else ""
        label = str(enterprise.get_industry_display()) if label_zh else ""
        if label_zh not in names:
            hint.reasons.append(
                _("所属行业为%(mine)s，本项目限%(names)s")
                % {"mine": label or _("未填写"), "names": _("、").join(industry_names(spec))}
            )
    if programme.once_only and programme.code in set(awarded):
        hint.reasons.append(_("本项目为一次性奖励，贵企业已获得"))
    hint.likely = not hint.reasons
    hint.to_check.append(programme.eligibility_zh)
    return hint


def industry_names(spec: Mapping[str, Any]) -> list[str]:
    """The industries a programme is limited to, in the reader's language (the catalogue names them in
    Chinese, as the enterprise's industry choices do, so their translations are the choices')."""
    return [_(str(i["label_zh"])) for i in spec.get("industries") or []]


def capped_by_label(name: str | None) -> str:
    if not name:
        return ""
    return param_label(name) if name in PARAM_LABELS else (calculator.CAP_LABELS.get(name) or name)
