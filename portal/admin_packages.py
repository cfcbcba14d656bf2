"""The admins of third-party packages in the admin (管理后台), in Chinese. Two-step verification
(django-otp) ships no Simplified Chinese, and its field names, help, section titles and search help
are plain English strings, not translatable ones: its admins are kept (the QR-code page, the hidden
secrets) with the words replaced here; the field names are set by portal.admin_names. Login
protection (django-axes) filters its lists by the requested path, machine data shown as such."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin, StaticTokenInline
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_forms import LabelledFormsMixin, LabelledInlineFormSet
from .admin_values import machine_text

# Set on the model fields' verbose_name by portal.admin_names (the migrations read the original).
FIELD_NAMES = {
    "user": _("用户"),
    "name": _("设备名称"),
    "confirmed": _("已启用"),
    "created_at": _("创建时间"),
    "last_used_at": _("最近使用时间"),
    "throttling_failure_timestamp": _("最近验证失败时间"),
    "throttling_failure_count": _("连续失败次数"),
    "key": _("密钥"),
    "step": _("时间步长（秒）"),
    "t0": _("起算时间"),
    "digits": _("动态码位数"),
    "tolerance": _("允许偏差步数"),
    "drift": _("时钟偏差步数"),
    "last_t": _("最近验证时间步"),
    "token": _("备用码"),
    "device": _("设备"),
}
HELP = {
    "user": _("使用该设备的用户。"),
    "name": _("便于识别的设备名称。"),
    "confirmed": _("设备是否已可使用。"),
    "key": _("十六进制密钥，最长 40 字节。"),
    "step": _("每个动态码的有效时长。"),
    "t0": _("开始计算时间步的时刻（自 1970 年起的秒数）。"),
    "digits": _("动态码的位数。"),
    "tolerance": _("验证时向前、向后允许的时间步数。"),
    "drift": _("已知该设备时钟与服务器相差的时间步数。"),
    "last_t": _("最近一次验证通过的时间步；下一个动态码须晚于它。"),
    "throttling_failure_timestamp": _("最近一次验证失败的时间；从未失败则为空。"),
    "throttling_failure_count": _("连续验证失败的次数。"),
}
SEARCH_HELP = _("按用户的用户名或电子邮箱搜索")
SECTIONS = {
    "Identity": _("设备"),
    "Timestamps": _("时间"),
    "Configuration": _("动态码设置"),
    "State": _("状态"),
    "Throttling": _("失败限制"),
}


class _ChineseDeviceAdmin(LabelledFormsMixin):
    list_display = ["user", "created_at", "last_used_at", "confirmed"]  # the name is the user's own label
    search_help_text = SEARCH_HELP

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        return [(SECTIONS.get(title, title) if title else None, options) for title, options in fieldsets]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {**HELP, **kwargs.get("help_texts", {})}
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]


class ChineseTOTPDeviceAdmin(_ChineseDeviceAdmin, TOTPDeviceAdmin):
    @admin.display(description=_("二维码"))
    def qrcode_link(self, device):
        try:
            href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        except Exception:  # as upstream: no link where the page cannot be named
            return ""
        return format_html('<a href="{}">{}</a>', href, _("查看二维码"))


class ChineseStaticTokenInline(LabelledFormsMixin, StaticTokenInline):
    formset = LabelledInlineFormSet


class ChineseStaticDeviceAdmin(_ChineseDeviceAdmin, StaticDeviceAdmin):
    inlines = [ChineseStaticTokenInline]


class MachineValuesFilter(admin.AllValuesFieldListFilter):
    """A filter by the values of a field of machine data (a requested path), each shown as data."""

    def choices(self, changelist):
        values = {str(v) for v in self.lookup_choices if v is not None}
        for choice in super().choices(changelist):
            if choice.get("display") in values:
                choice = {**choice, "display": machine_text(choice["display"])}
            yield choice


def _with_machine_filters(model_admin: type[admin.ModelAdmin], fields: set[str]) -> type[admin.ModelAdmin]:
    list_filter = [(f, MachineValuesFilter) if f in fields else f for f in model_admin.list_filter]
    return type(model_admin.__name__, (model_admin,), {"list_filter": list_filter, "__module__": __name__})


def register_package_admins(site: admin.AdminSite = admin.site) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    admins = {TOTPDevice: ChineseTOTPDeviceAdmin, StaticDevice: ChineseStaticDeviceAdmin}
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if site.is_registered(model):
            admins[model] = _with_machine_filters(type(site.get_model_admin(model)), {"path_info"})
    for model, model_admin in admins.items():
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
