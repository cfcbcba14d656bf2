"""Admin (管理后台) forms every input of which has a name a screen reader can say (issue 17, WCAG 1.3.1
and 4.1.2). Django's admin leaves two kinds unlabelled: the date and the time boxes of a date-time
field (its label is the legend of the pair, which names neither box), and every input of a tabular
inline row (the column heading is no <label>). The portal's ModelAdmin and TabularInline below name
them: 确认时间（日期）, 确认时间（时间）; in a row, the column's name and the row's number."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, RelatedFieldWidgetWrapper
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _


def _inner(widget: forms.Widget) -> forms.Widget:
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def label_split_datetime(field: forms.Field, label: str) -> None:
    """Name the date and time boxes of a date-time field after the field."""
    widget = _inner(field.widget)
    if isinstance(widget, AdminSplitDateTime):
        date, time = widget.widgets
        date.attrs["aria-label"] = _("%(label)s（日期）") % {"label": label}
        time.attrs["aria-label"] = _("%(label)s（时间）") % {"label": label}


class LabelledFormsMixin:
    """For a ModelAdmin or an inline: date-time fields with named boxes."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None:
            label_split_datetime(formfield, str(formfield.label or db_field.verbose_name))
        return formfield


class LabelledInlineFormSet(BaseInlineFormSet):
    """A row's inputs named '<column>（第 n 行）', the delete box included (added by the formset)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("第 %(n)s 行") % {"n": index + 1} if index is not None else _("新增行")
        for name, field in form.fields.items():
            label = str(field.label or name)
            widget = _inner(field.widget)
            if widget.is_hidden:  # the row's id and parent: no box to name
                continue
            if isinstance(widget, AdminSplitDateTime):
                label_split_datetime(field, f"{label}（{row}）")
            else:
                widget.attrs["aria-label"] = f"{label}（{row}）"


class ModelAdmin(LabelledFormsMixin, admin.ModelAdmin):
    pass


class TabularInline(LabelledFormsMixin, admin.TabularInline):
    formset = LabelledInlineFormSet
