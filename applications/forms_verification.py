"""Forms of 实名核验: the owner's new claim after a refusal, a contested claim, and the bureau's decisions.
They parse and render; applications.verification decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import ClaimDocumentsForm
from .models import District, EligibilityFact


class ClaimResubmitForm(ClaimDocumentsForm):
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=100, required=False, help_text=_("与营业执照一致。")
    )
    field_order = ["legal_representative", "claimant_is_legal_representative", "business_licence", "authorization"]


class ContestForm(ClaimDocumentsForm):
    """争议认领: the code someone else registered, the enterprise as the licence shows it, why."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=60, required=False)
    name = forms.CharField(label=_("企业名称"), max_length=200, required=False, help_text=_("与营业执照一致。"))
    legal_representative = forms.CharField(
        label=_("法定代表人"), max_length=100, required=False, help_text=_("与营业执照一致。")
    )
    registered_district = forms.ChoiceField(label=_("注册地"), choices=[("", "—"), *District.choices], required=False)
    statement = forms.CharField(
        label=_("认领说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明现登记有误的情况（如他人冒用本企业代码登记），主管部门据此核验。"),
    )
    evidence = forms.FileField(
        label=_("其他证明材料"), required=False, help_text=_("如加盖公章的情况说明、法定代表人身份证明（可不传）。")
    )
    field_order = [
        "credit_code",
        "name",
        "legal_representative",
        "registered_district",
        "statement",
        "claimant_is_legal_representative",
        "business_licence",
        "authorization",
        "evidence",
    ]


class ClaimDecideForm(forms.Form):
    """核验认领: accept (ticking the facts checked against the documents) or refuse with the reason."""

    decision = forms.ChoiceField(
        label=_("核验结论"), widget=forms.RadioSelect, choices=[("accept", _("核验通过")), ("refuse", _("核验不通过"))]
    )
    facts_verified = forms.MultipleChoiceField(
        label=_("已据材料核实的认定事实"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=EligibilityFact.choices,
        initial=[EligibilityFact.REGISTERED_DISTRICT],
        help_text=_("勾选的事实记为主管部门核验；未勾选的仍为企业自报。"),
    )
    reason = forms.CharField(
        label=_("核验意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不通过须说明理由，将告知认领人。"),
    )


class FactChangeDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核验结论"),
        widget=forms.RadioSelect,
        choices=[("accept", _("核验通过，变更生效")), ("refuse", _("核验不通过"))],
    )
    reason = forms.CharField(
        label=_("核验意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不通过须说明理由，将告知企业。"),
    )
