"""Forms of the public catalogue (filters, the policy calculator) and of the administrators' catalogue
pages (a parameter from a date, an application window). They collect input; the rules live in the
calculator and the services, whose messages are put back on the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput

from .display import input_label, input_unit, param_label
from .models import ApplicationWindow, Policy, Programme


class CatalogueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False)
    policy = forms.ChoiceField(label=_("政策"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部类别")), *Programme.Kind.choices]
        self.fields["policy"].choices = [
            ("", _("全部政策")),
            *((p.code, p.title) for p in Policy.objects.order_by("code")),
        ]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = "1"


def _input_field(meta: Mapping[str, Any]) -> forms.Field:
    label = input_label(meta)
    unit = input_unit(meta)
    help_text = str(meta.get("help_zh") or "")
    if meta.get("must_be") is True:
        help_text = (help_text + " " + str(_("须满足此条件方可获得支持。"))).strip()
    required = bool(meta.get("required", True))
    messages = {"required": _("请填写“%(label)s”") % {"label": label}}
    kind = meta["type"]
    if kind == "bool":
        return forms.BooleanField(label=label, required=False, help_text=help_text)
    if kind == "choice":
        choices = [("", _("请选择")), *((str(c["value"]), c["label_zh"]) for c in meta.get("choices") or ())]
        invalid = _("“%(label)s”选项无效") % {"label": label}
        return forms.ChoiceField(
            label=label,
            choices=choices,
            required=required,
            help_text=help_text,
            error_messages={**messages, "invalid_choice": invalid},
        )
    attrs: dict[str, str] = {"autocomplete": "off"}
    if kind == "decimal":
        attrs.update(inputmode="decimal", placeholder=_("如 1200000.00"))
        if meta.get("unit") == "yuan":
            attrs["data-yuan"] = "1"  # catalogue.js shows the amount in 万元 beside it
    elif kind == "int":
        attrs.update(inputmode="numeric")
    elif kind == "uscc":
        attrs.update(maxlength="60", autocapitalize="characters", placeholder=_("18位统一社会信用代码"))
    # Text, not a number field: the calculator parses the amount exactly (1,200,000.50 too)
    # and words the error; a browser number field would round or drop what it cannot read.
    return forms.CharField(
        label=f"{label}（{unit}）" if unit else label,
        required=required,
        help_text=help_text,
        error_messages=messages,
        widget=forms.TextInput(attrs=attrs),
    )


class EstimateForm(forms.Form):
    """The calculator form of one programme: a field per declared input, plus an optional date."""

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_names = [meta["name"] for meta in programme.inputs]
        for meta in programme.inputs:
            self.fields[meta["name"]] = _input_field(meta)
        policy = programme.policy
        self.fields["date"] = forms.DateField(
            label=_("测算日期"),
            required=False,
            widget=DateInput(),
            help_text=_("留空为今日；须在政策有效期内（%(start)s 至 %(end)s）。")
            % {"start": policy.valid_from.isoformat(), "end": policy.valid_to.isoformat()},
        )

    def estimate_inputs(self) -> dict[str, Any]:
        """The cleaned inputs by their PROGRAMS.md names, amounts as the text typed (parsed exactly
        by the calculator)."""
        return {name: self.cleaned_data.get(name) for name in self.input_names}

    def add_input_errors(self, errors: Mapping[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class ParameterSetForm(forms.Form):
    """调整政策参数 an administrator changes a parameter from a date (an annual guideline)."""

    name = forms.ChoiceField(label=_("参数"))
    value = forms.DecimalField(
        label=_("新取值"),
        max_digits=20,
        decimal_places=4,
        min_value=0,
        help_text=_("比例填小数（30% 填 0.30）；金额以元为单位。"),
    )
    effective_from = forms.DateField(
        label=_("生效日期"), widget=DateInput(), help_text=_("自该日起的测算与核定使用新值；此前已核定的奖励不受影响。")
    )
    clause = forms.CharField(
        label=_("调整依据"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("如“2027年度申报指南 第三条”。")
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted(set(programme.parameters.values_list("name", flat=True)))
        self.fields["name"].choices = [(n, f"{param_label(n)}（{n}）") for n in names]


class WindowOpenForm(forms.Form):
    """开放申报批次 an administrator opens an application window."""

    name = forms.CharField(label=_("批次名称"), max_length=100, help_text=_("如“2026年第一批”。"))
    opens_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    kind = forms.ChoiceField(
        label=_("批次类型"),
        choices=ApplicationWindow.Kind.choices,
        initial=ApplicationWindow.Kind.ORDINARY,
        required=False,
        help_text=_("政策到期后，受理有效期内事项（如上年度业绩）的最后申报请选择“清算批次”。"),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ApplicationWindow.Kind.ORDINARY
