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
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (v, mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)
