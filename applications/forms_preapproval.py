"""Forms of the 事前同意 pages: the enterprise's request and the bureau's decision. They parse and
render; the rules are in applications.services_preapproval."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput

from .models import PreApproval
from .selectors_preapproval import programmes_requiring_preapproval


class PreApprovalRequestForm(forms.Form):
    """申请事前同意: what the bureau decides on (plan, budget, date), before the event."""

    programme = forms.ModelChoiceField(
        label=_("申报项目"), queryset=None, empty_label=_("请选择"), to_field_name="code"
    )
    event_name = forms.CharField(label=_("活动名称"), max_length=PreApproval._meta.get_field("event_name").max_length)
    event_date = forms.DateField(
        label=_("活动日期"), widget=DateInput(), help_text=_("须晚于今天：事前同意须在活动举办前申请并作出。")
    )
    venue = forms.CharField(
        label=_("举办地点"),
        max_length=PreApproval._meta.get_field("venue").max_length,
        help_text=_("活动须在天河区举办。"),
    )
    plan = forms.CharField(
        label=_("活动方案"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("活动主题、规模、议程、主办及协办单位等。"),
    )
    budget = forms.CharField(
        label=_("活动预算（元）"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("精确到分，如 600000.00。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        field.queryset = programmes_requiring_preapproval()
        field.label_from_instance = lambda p: p.display_name
        if field.queryset.count() == 1:
            field.initial = field.queryset.first().code


class PreApprovalDecideForm(forms.Form):
    """审核事前同意: approve or refuse, before the event; a refusal gives its reason."""

    decision = forms.ChoiceField(
        label=_("审核意见"), widget=forms.RadioSelect, choices=[("approve", _("同意")), ("refuse", _("不予同意"))]
    )
    reason = forms.CharField(
        label=_("意见说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予同意须说明理由。"),
    )
