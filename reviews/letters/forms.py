"""Forms of the letter pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from reviews.models import Letter

from .selectors import SHA256_HEX, sha256_normalize


class VerifyCodeForm(forms.Form):
    code = forms.CharField(label=_("核验码"), max_length=40, help_text=_("文书二维码下方的10位核验码。"))


class HashCheckForm(forms.Form):
    """Upload the PDF or paste its SHA-256 to check it against the stored letter."""

    file = forms.FileField(label=_("上传PDF文件"), required=False)
    sha256 = forms.CharField(
        label=_("或粘贴SHA-256哈希值"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_sha256(self) -> str:
        value = sha256_normalize(self.cleaned_data.get("sha256", ""))
        if value and not SHA256_HEX.match(value):
            raise forms.ValidationError(_("哈希值格式不正确：应为64位十六进制字符（0-9、a-f）。"))
        return value

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.PORTAL_UPLOAD_MAX_FILE_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(_("文件超过 %(limit)s，无法核验。") % {"limit": filesizeformat(limit)})
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("sha256") and not self.errors:
            raise forms.ValidationError(_("请上传PDF文件或粘贴哈希值。"))
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class LetterFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("文书类别"), required=False, choices=[("", _("全部"))] + list(Letter.Kind.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + list(Letter.Status.choices))
    q = forms.CharField(label=_("文号/企业/申报编号"), required=False, max_length=100)
