"""Stored values in the admin (管理后台) as a system administrator reads them (issue 17): JSON columns
(audit rows' before/after, award explanations, a letter's printed data, task arguments) as labelled
lists instead of raw JSON, and machine data (a browser's user-agent string, a file's storage key, a
MIME type) marked as such.

Machine data is not language: it is written inside lang="zxx" (BCP 47: no linguistic content) with
translate="no", so screen readers, translation tools and the walk's text scan (tests/browser/a11y.py
skips parts marked with a non-Chinese lang) read it as data, not as English in a Chinese page. Only
values that are machine data go through machine_text; everything a person wrote or a code with a
Chinese name is shown in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .admin_readonly import PORTAL_APPS
from .templatetags.money import yuan

EMPTY = "—"

# Keys of the JSON columns that are no model field's name; each app's admin adds its own
# (json_labels_add), e.g. the calculator's parameter names.
_KEY_LABELS: dict[str, Any] = {
    # words many models use, each in its own sense: named generally here
    "name": _("名称"),
    "title": _("标题"),
    "label": _("名称"),
    "number": _("编号"),
    "reference": _("编号"),
    "status": _("状态"),
    "kind": _("类别"),
    "note": _("说明"),
    "value": _("值"),
    "address": _("地址"),
    # the award calculator's lines and explanations
    "line": _("奖励对象"),
    "lines": _("奖励对象"),
    "amount": _("金额"),
    "max": _("上限"),
    "expression": _("算式"),
    "explanation": _("测算说明"),
    "parameters": _("政策参数"),
    "conflicts": _("冲突"),
    "steps": _("环节"),
    "changes": _("变更"),
    # a letter's printed data (reviews.letters)
    "addressee": _("受文单位"),
    "article": _("条款"),
    "clause_text": _("条款原文"),
    "items": _("事项"),
    "due_on": _("期限"),
    "submitted_on": _("提交日期"),
    "staged_payment": _("分期拨付"),
    "amount_capital": _("金额（大写）"),
    "amount_figures": _("金额（小写）"),
    "copy_to": _("抄送"),
    "decision_text": _("决定内容"),
    "payment_mode": _("拨付方式"),
    "tranches": _("分期"),
    "expires_on": _("有效期至"),
    # what the services write into the audit trail
    "id": _("编号"),
    "applications": _("申报"),
    "awards": _("奖励"),
    "documents": _("材料"),
    "experts": _("评审专家"),
    "conflict": _("存在利益关联"),
    "scores": _("评分"),
    "invoice": _("发票号码"),
    "supplement_request": _("补正通知"),
    "validity_months": _("有效期（月）"),
    "user_ids": _("用户编号"),
}
# Coded values of keys that are no field with choices, by key: {"payment_mode": {"voucher": …}}.
_VALUE_LABELS: dict[str, Mapping[str, Any]] = {}
_KEY_LABEL_FUNCTIONS: list[Callable[[str], Any]] = []
# Not shown: the same date or title again in another form (due_on_zh beside due_on); and a "code"
# beside a "name", an internal identifier of the thing named (a letter's programme).
HIDDEN_KEYS = {"due_on_zh", "issued_on_zh", "expires_on_zh", "title_words"}
# Fields holding machine data, shown through machine_text wherever the admin shows them (lists and
# read-only forms): what a browser or a storage wrote, or a key only programs read. Named one by one:
# a field is added here only when its content is never a person's words.
MACHINE_FIELDS = {
    "axes.AccessAttempt.user_agent",
    "axes.AccessAttempt.http_accept",
    "axes.AccessAttempt.get_data",
    "axes.AccessAttempt.post_data",
    "axes.AccessAttempt.path_info",
    "axes.AccessLog.path_info",
    "axes.AccessFailureLog.path_info",
    "axes.AccessLog.user_agent",
    "axes.AccessLog.http_accept",
    "axes.AccessFailureLog.user_agent",
    "axes.AccessFailureLog.http_accept",
    "applications.Attachment.content_type",
    "applications.VerificationDocument.content_type",
    "vouchers.Redemption.content_type",
    "vouchers.LedgerEntry.idempotency_key",
    "portal.OutboxMessage.task",
    "reviews.Letter.template",
}
# Keys whose values are amounts of money, written in yuan (1,000,000.00 元) as the rest of the admin.
AMOUNT_KEYS = {"amount", "max", "max_amount", "estimate_amount", "amount_above", "amount_up_to", "disbursed"}


def json_labels_add(labels: Mapping[str, Any] | Callable[[str], Any]) -> None:
    """Names for keys of JSON columns: a mapping, or a function giving a name or None."""
    if callable(labels):
        _KEY_LABEL_FUNCTIONS.append(labels)
    else:
        _KEY_LABELS.update(labels)


def json_values_add(key: str, names: Mapping[str, Any]) -> None:
    """Names for the coded values of one key of JSON columns."""
    _VALUE_LABELS[key] = {**_VALUE_LABELS.get(key, {}), **names}


@cache
def _fields_by_name() -> dict[str, list[models.Field]]:
    found: dict[str, list[models.Field]] = {}
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                found.setdefault(field.name, []).append(field)
                if field.is_relation:
                    found.setdefault(field.attname, []).append(field)
    return found


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {m._meta.model_name: m for label in PORTAL_APPS for m in apps.get_app_config(label).get_models()}


def key_label(key: str) -> str:
    """The name of a JSON key: registered, a model field's verbose name, an app's (a parameter's,
    a criterion's), '<model>编号' for '<model>_id'."""
    if key in _KEY_LABELS:
        return str(_KEY_LABELS[key])
    if fields := _fields_by_name().get(key):
        field = fields[0]
        return f"{field.verbose_name}编号" if key == field.attname and field.is_relation else str(field.verbose_name)
    for function in _KEY_LABEL_FUNCTIONS:
        if name := function(key):
            return str(name)
    if key.endswith("_id") and (model := _models_by_name().get(key[:-3].replace("_", ""))):
        return f"{model._meta.verbose_name}编号"
    return key


def _code_label(key: str, value: str) -> str | None:
    """A stored code by its name: registered for the key, or a field of the key's name has choices holding it."""
    if (name := _VALUE_LABELS.get(key, {}).get(value)) is not None:
        return str(name)
    for field in _fields_by_name().get(key, []):
        if field.choices and (name := dict(field.flatchoices).get(value)) is not None:
            return str(name)
    return None


def readable(value: Any, key: str = "") -> SafeString:
    """A JSON value as nested lists of labelled values: 是/否 for flags, names for coded values."""
    if value is None or value == "" or value == [] or value == {}:
        return format_html("{}", EMPTY)
    if isinstance(value, bool):
        return format_html("{}", _("是") if value else _("否"))
    if isinstance(value, dict):
        hidden = HIDDEN_KEYS | ({"code"} if "name" in value else set())
        rows = [(key_label(str(k)), readable(v, str(k))) for k, v in value.items() if k not in hidden]
        return format_html('<dl class="readable">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return mark_safe("、".join(readable(v, key) for v in value))  # each part escaped by readable()
        return format_html(
            '<ol class="readable">{}</ol>', format_html_join("", "<li>{}</li>", ((readable(v, key),) for v in value))
        )
    if isinstance(value, str) and key and (name := _code_label(key, value)):
        return format_html("{}", name)
    if key in AMOUNT_KEYS and (amount := _decimal(value)) is not None:
        return format_html("{}", yuan(amount))
    return format_html("{}", value)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def machine_text(value: Any) -> SafeString:
    """Machine data (a user-agent string, a storage key, a MIME type), marked as no language."""
    if value in (None, ""):
        return format_html("{}", EMPTY)
    return format_html('<span lang="zxx" translate="no">{}</span>', value)


def readable_json_fields() -> None:
    """The admin shows a read-only JSON column as its JSON text, a read-only file as its storage key,
    and machine data as any text (django.contrib.admin.utils.display_for_field, which the change
    form's read-only fields call through django.contrib.admin.helpers and the lists through
    admin_list): the first as readable(), the others as machine_text()."""
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    for module in (helpers, admin_list):
        original = module.display_for_field
        if not getattr(original, "readable", False):
            module.display_for_field = _readable_display(original)


def _readable_display(original: Callable) -> Callable:
    def display_for_field(value, field, empty_value_display, *args, **kwargs):
        if isinstance(field, models.JSONField) and value not in (None, "", [], {}):
            return readable(value)
        if isinstance(field, models.FileField) and value:
            return machine_text(value.name)
        if f"{field.model._meta.label}.{field.name}" in MACHINE_FIELDS and value:
            return machine_text(value)
        return original(value, field, empty_value_display, *args, **kwargs)

    display_for_field.readable = True  # type: ignore[attr-defined]
    return display_for_field
