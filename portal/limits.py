"""A length limit is the field's (CONVENTIONS.md, "Values have types"): services read a column's
max_length from the model and refuse an over-long value with a message naming the field and its
limit, instead of cutting it silently with a slice."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext as _


def max_length(model: type[models.Model], field: str) -> int:
    """The max_length of `model.field` (a CharField's column width)."""
    found = model._meta.get_field(field)
    length = found.max_length if isinstance(found, models.Field) else None
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{field} has no max_length")
    return length


def length_problem(value: str, *, model: type[models.Model], field: str, label: str | None = None) -> str | None:
    """Why `value` does not fit `model.field` (its name as the user knows it, `label`, default the
    field's verbose name, and its limit), or None when it fits."""
    limit = max_length(model, field)
    if len(value) <= limit:
        return None
    name = label if label is not None else str(model._meta.get_field(field).verbose_name)
    return _("“%(field)s”不能超过 %(limit)s 个字符（现为 %(length)s 个）。") % {
        "field": name,
        "limit": limit,
        "length": len(value),
    }


def require_length(
    value: str, *, model: type[models.Model], field: str, label: str | None = None, key: str | None = None
) -> str:
    """`value` unchanged if it fits `model.field`, else a ValidationError under `key` (default: the
    field's name) saying which field is too long and its limit."""
    problem = length_problem(value, model=model, field=field, label=label)
    if problem is not None:
        raise ValidationError({key or field: problem})
    return value
