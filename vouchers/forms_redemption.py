"""Forms of the voucher and provider pages. They only shape input; the rules are in
vouchers.services.redemption."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput

from .models import ComputeProvider, ProviderRelation


class RedeemForm(forms.Form):
    voucher_code = forms.CharField(label=_("券码"), max_length=30, help_text=_("如 SLQ-2026-ABCD-EFGH。"))
    holder_credit_code = forms.CharField(
        label=_("持券企业统一社会信用代码"), max_length=30, help_text=_("算力券不可转让：须与持券企业一致。")
    )
    invoice_number = forms.CharField(label=_("发票号码"), max_length=40)
    invoice_date = forms.DateField(label=_("开票日期"), widget=DateInput)
    amount = forms.CharField(label=_("核销金额（元）"), max_length=20, help_text=_("不超过算力券余额，精确到分。"))
    invoice_file = forms.FileField(label=_("发票文件"), help_text=_("PDF、JPG 或 PNG。"))


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ProviderForm(forms.ModelForm):
    class Meta:
        model = ComputeProvider
        fields = [
            "name",
            "credit_code",
            "services",
            "district",
            "contact_name",
            "contact_phone",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": DateInput, "valid_to": DateInput, "services": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("valid_from", timezone.localdate())


class MemberLinkForm(forms.Form):
    email = forms.EmailField(label=_("服务商用户邮箱"))


class RelationForm(forms.Form):
    enterprise_credit_code = forms.CharField(label=_("关联企业统一社会信用代码"), max_length=30)
    kind = forms.ChoiceField(label=_("关联类型"), choices=ProviderRelation.Kind.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SettlementForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2020, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )
