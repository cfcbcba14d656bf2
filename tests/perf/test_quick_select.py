"""portal.widgets.QuickSelect gives the markup of forms.Select (apart from whitespace) without a
template per option: the selected option, the attributes, escaping."""

import re

from django import forms

from portal.widgets import QuickSelect

CHOICES = [("", "全部"), ("a&b", "<甲>"), ("2", "乙")]


class Plain(forms.Form):
    pick = forms.ChoiceField(choices=CHOICES, required=False)


class Quick(forms.Form):
    pick = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html).strip())


def test_quick_select_renders_what_select_renders():
    for data in ({}, {"pick": "a&b"}, {"pick": "2"}):
        assert squeeze(Quick(data)["pick"]) == squeeze(Plain(data)["pick"])
    html = str(Quick({"pick": "a&b"})["pick"])
    assert '<option value="a&amp;b" selected>&lt;甲&gt;</option>' in html and 'id="id_pick"' in html
