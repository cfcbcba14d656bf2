"""Forms of the payment pages. They only shape input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.amounts import MAX_AMOUNT
from portal.widgets import DateInput


def _amount(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=16, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT
    )


class AccountForm(forms.Form):
    account_name = forms.CharField(
        label=_("账户名称"),
        max_length=200,
        help_text=_("须与企业名称完全一致，补贴资金只拨付至以本企业名称开立的账户。"),
    )
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, help_text=_("如：中国工商银行"))
    branch_name = forms.CharField(label=_("开户网点"), max_length=100, help_text=_("如：广州开发区支行"))
    account_number = forms.CharField(
        label=_("银行账号"), max_length=60, help_text=_("10至30位数字；银联卡号（62开头、16至19位）另校验末位校验码。")
    )


class AcceptanceForm(forms.Form):
    summary = forms.CharField(
        label=_("验收情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("完成的建设内容、验收结论、验收文件名称与编号。"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class BatchForm(forms.Form):
    tranche = forms.TypedMultipleChoiceField(label=_("待拨付款项"), coerce=int, choices=())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].choices = choices


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("回执文件（xlsx 或 csv）"))


class ClawbackForm(forms.Form):
    amount = _amount(_("追回金额（元）"))
    reason = forms.CharField(label=_("追回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("退回期限"), required=False, widget=DateInput())


class RepaymentForm(forms.Form):
    amount = _amount(_("到账金额（元）"))
    repaid_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    voucher_number = forms.CharField(label=_("凭证号"), max_length=60)
