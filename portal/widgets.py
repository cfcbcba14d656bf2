"""Widgets for pages that must stay fast: a <select> rendered in Python. Django renders every
<option> through a template include, which on a filter form of some fifty options costs more than
the rest of the form."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """forms.Select for flat choices (no option groups), rendered without templates; the same
    markup apart from whitespace."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class DateInput(forms.DateInput):
    """<input type="date">: the browser takes and gives ISO dates (2025-07-01) only, whatever the
    language, so the value is always written that way — a localised 2025/07/01 would be dropped and
    every edit would ask for the date again."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
