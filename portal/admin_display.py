"""Columns of the admin (管理后台) as people read them: amounts in yuan with thousands separators and
two decimals (1,234,567.50 元), and stored codes by their names. Used by each app's admin.py in
list_display and readonly_fields instead of the raw field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import admin

from .templatetags.money import yuan


def yuan_column(field: str, description: Any) -> Callable[[Any, Any], str]:
    """A column (or read-only field) showing `field` in yuan, sorted by the amount itself."""

    @admin.display(description=description, ordering=field)
    def column(self, obj) -> str:
        value = getattr(obj, field)
        return "—" if value is None else yuan(value)

    column.__name__ = f"{field}_yuan"
    return column


def named_column(field: str, description: Any, names: Mapping[str, Any] | Callable[[str], Any]) -> Callable:
    """A column showing the stored code of `field` by its name (a mapping or a function of the code)."""

    @admin.display(description=description, ordering=field)
    def column(self, obj) -> str:
        code = getattr(obj, field) or ""
        name = names(code) if callable(names) else names.get(code)
        return str(name) if name else (code or "—")

    column.__name__ = f"{field}_name"
    return column


def coded_filter(field: str, title: Any, names: Callable[[str], Any]) -> type[admin.SimpleListFilter]:
    """A list filter on the stored codes of `field`, each offered by its name (names(code))."""

    class CodedFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            codes = model_admin.get_queryset(request).order_by().values_list(field, flat=True).distinct()
            return sorted(((code, str(names(code))) for code in codes if code), key=lambda pair: pair[1])

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    CodedFilter.title = title
    CodedFilter.__name__ = f"{field.title().replace('_', '')}Filter"
    return CodedFilter
