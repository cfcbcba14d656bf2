from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User


class RegistrationForm(forms.Form):
    """企业用户注册 self-registration of an enterprise user (confirmed by e-mail)."""

    email = forms.EmailField(label=_("电子邮箱"), error_messages={"invalid": _("请输入有效的电子邮箱地址。")})
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    phone = forms.RegexField(
        label=_("手机号码"), regex=r"^1[3-9]\d{9}$", error_messages={"invalid": _("请输入11位中国大陆手机号码。")}
    )
    password1 = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=_("至少10位，不能全为数字，不能与个人信息过于相似。"),
    )
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def clean_email(self):
        # Whether the address has an account is never said here (services.user_register writes to it)
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if p1:
            probe = User(
                email=data.get("email", ""), full_name=data.get("full_name", ""), username=data.get("email", "")
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class OTPTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("动态验证码"), regex=r"^\d{6}$", error_messages={"invalid": _("请输入6位数字验证码。")}
    )
