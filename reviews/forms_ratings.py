"""好差评 form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import ServiceRating

SCORES = [
    (5, _("5分 非常满意")),
    (4, _("4分 满意")),
    (3, _("3分 基本满意")),
    (2, _("2分 不满意")),
    (1, _("1分 非常不满意")),
]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("评分"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    step = forms.ChoiceField(
        label=_("评价环节"), choices=ServiceRating.Step.choices, initial=ServiceRating.Step.OVERALL
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("差评请写明原因，主管部门将回访整改。"),
    )
