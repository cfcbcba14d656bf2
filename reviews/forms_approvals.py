"""Forms of the approval pages (四眼原则) and of the collective decision (集体决策). They only shape
input: whether a comment is required, who may hold a step, which applications a meeting may cover
are the services' rules, put back on the form by errors_to_form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput


class StepApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("必填，如“同意”。"),
    )


class StepReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("必填。"),
    )


class ApproveManyForm(forms.Form):
    comment = forms.CharField(label=_("审批意见"), required=False, max_length=2000, help_text=_("必填，如“同意”。"))
    ids = forms.TypedMultipleChoiceField(
        label=_("拟办意见"), coerce=int, choices=[], error_messages={"required": _("请至少勾选一项。")}
    )

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]


class CollectiveDecisionForm(forms.Form):
    """集体决策: the meeting, for the chosen approved applications of one competitive programme."""

    ids = forms.TypedMultipleChoiceField(
        label=_("决策事项（申报）"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择本次集体决策的申报。")},
    )
    meeting_name = forms.CharField(
        label=_("会议名称"), required=False, max_length=200, help_text=_("如：2026年第5次局务会议")
    )
    meeting_date = forms.DateField(
        label=_("会议日期"), required=False, widget=DateInput, error_messages={"invalid": _("请输入有效的日期。")}
    )
    attendees = forms.CharField(
        label=_("参会人员"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名、职务。"),
    )
    minutes = forms.CharField(
        label=_("会议纪要"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("集体决策的意见和结论。"),
    )
    file = forms.FileField(
        label=_("纪要文件（可选）"), required=False, help_text=_("签批的会议纪要，PDF、OFD 或图片。")
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(a.pk, f"{a.reference} {a.enterprise.name}") for a in applications]
        self.fields["ids"].initial = [a.pk for a in applications]
