"""Chinese names, in the admin (管理后台), for the apps and models that third-party packages bring
(login protection, two-step verification, API tokens), whose own names are English. Only the
display names are set (_meta.verbose_name, not the Meta options the migrations read)."""

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("登录防护"),
    "otp_totp": _("两步验证（动态码）"),
    "otp_static": _("两步验证（备用码）"),
    "knox": _("接口令牌"),
    "auth": _("用户组与权限"),
}


def name_third_party_apps() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    for label, name in APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for model, name in (
        (AccessAttempt, _("登录失败记录")),
        (AccessLog, _("登录记录")),
        (AccessFailureLog, _("登录失败日志")),
        (TOTPDevice, _("动态码设备")),
        (StaticDevice, _("备用码")),
        (AuthToken, _("接口令牌")),
    ):
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name
    # django-otp's field names are no translatable strings. Field.verbose_name is only what is shown:
    # the migrations read the field's original (Field._verbose_name), so nothing changes for them.
    from .admin_packages import FIELD_NAMES, register_package_admins

    for model in (TOTPDevice, StaticDevice, StaticToken):
        for field in model._meta.concrete_fields:
            if field.name in FIELD_NAMES:
                field.verbose_name = FIELD_NAMES[field.name]
    register_package_admins()
    # What the admin calls one row (breadcrumbs, page titles, the list's select box): upstream
    # English sentences ("Access Log for …", "default (…)"), said in Chinese.
    AccessAttempt.__str__ = _failed_sign_in  # type: ignore[method-assign]
    AccessFailureLog.__str__ = _failed_sign_in  # type: ignore[method-assign]
    AccessLog.__str__ = _sign_in  # type: ignore[method-assign]
    TOTPDevice.__str__ = _totp_device  # type: ignore[method-assign]
    StaticDevice.__str__ = _static_device  # type: ignore[method-assign]


def _failed_sign_in(row) -> str:
    return _("%(user)s 于 %(time)s 登录失败") % {"user": row.username, "time": _local(row.attempt_time)}


def _sign_in(row) -> str:
    return _("%(user)s 于 %(time)s 登录") % {"user": row.username, "time": _local(row.attempt_time)}


def _totp_device(device) -> str:
    return _("%(user)s的动态码设备") % {"user": _device_user(device)}


def _static_device(device) -> str:
    return _("%(user)s的备用码") % {"user": _device_user(device)}


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _device_user(device) -> str:
    try:
        return str(device.user)
    except ObjectDoesNotExist:
        return "—"


BOOLEAN_ALT = {True: _("是"), False: _("否"), None: _("未知")}


def name_boolean_icons() -> None:
    """The admin shows a yes/no value as an icon whose alt text is Python's True/False/None
    (django.contrib.admin.templatetags.admin_list._boolean_icon, which the list, the read-only
    fields and display_for_value all import when they draw one): the same icon, with 是/否/未知."""
    from django.contrib.admin.templatetags import admin_list
    from django.templatetags.static import static
    from django.utils.html import format_html

    def boolean_icon(field_val):
        icon = {True: "yes", False: "no", None: "unknown"}[field_val]
        return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), BOOLEAN_ALT[field_val])

    admin_list._boolean_icon = boolean_icon
