"""Deadlines on the working-day calendar: a date in a provisional year (the State Council's
arrangement not yet entered) is shown with the note 暂按法定节假日计算, and administrators are told
which years wait for their arrangement.

    {% load workdays %}
    {{ app.due_date|date:"Y-m-d" }}{% provisional_mark app.due_date %}
    {% calendar_warning %}
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..workdays import confirmed_years, is_provisional, library_covers

register = template.Library()
MEMO = "_portal_confirmed_years"


def _confirmed(context) -> frozenset[int]:
    """The confirmed years, read once per request (or once per render without a request)."""
    request = context.get("request")
    if request is not None:
        memo = getattr(request, MEMO, None)
        if memo is None:
            memo = confirmed_years()
            setattr(request, MEMO, memo)
        return memo
    if MEMO not in context.render_context:
        context.render_context[MEMO] = confirmed_years()
    return context.render_context[MEMO]


@register.simple_tag(takes_context=True)
def provisional_mark(context, day) -> str:
    """ " （暂按法定节假日计算）" after a deadline in a provisional year, else nothing."""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day)
    if not isinstance(day, dt.date) or library_covers(day.year):  # no query for the years the data knows
        return ""
    if not is_provisional(day, confirmed=_confirmed(context)):
        return ""
    return format_html(
        ' <span class="muted provisional" title="{}">{}</span>',
        _("该年度国务院放假安排尚未录入，期限按法定节假日和周末计算，录入后将自动重算。"),
        _("（暂按法定节假日计算）"),
    )


@register.simple_tag(takes_context=True)
def calendar_warning(context) -> str:
    """For administrators: a banner while this year or the next is provisional."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_bureau_admin:
        return ""
    year = timezone.localdate().year
    waiting = [y for y in (year, year + 1) if not library_covers(y)]
    if waiting:
        confirmed = _confirmed(context)
        waiting = [y for y in waiting if is_provisional(y, confirmed=confirmed)]
    if not waiting:
        return ""
    text = _("%(years)s年的国务院放假安排尚未录入，相关办理期限暂按法定节假日计算。") % {
        "years": "、".join(str(y) for y in waiting)
    }
    if user.has_perm("portal.add_calendaryear"):  # the Django admin is the system administrators'
        action = format_html('<a href="{}">{}</a>', reverse("admin:portal_calendaryear_changelist"), _("录入放假安排"))
    else:
        action = _("请系统管理员在管理后台“年度放假安排”中录入。")
    # the status role on a wrapper: on the list itself it would take the list's role from its item
    return format_html(
        '<div role="status"><ul class="messages calendar-warning"><li class="msg-warning">{} {}</li></ul></div>',
        text,
        action,
    )
