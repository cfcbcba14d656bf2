"""快申快享 承诺兑付日期: the date by which an application's first payment is promised, counted in working
days (the portal's calendar, portal.workdays) from its submission — for a 免申 award from the batch's
publication, which is when the system submits it. The count is the programme's dated parameter
`payment_promise_workdays` in force on that day, else settings.PORTAL_PAYMENT_PROMISE_WORKDAYS (60)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from portal.workdays import add_workdays
from vouchers.models import Programme
from vouchers.selectors import parameters_in_force

PROMISE_PARAM = "payment_promise_workdays"


def promise_workdays(*, programme: Programme, on: dt.date) -> int:
    value = parameters_in_force(programme=programme, on=on).get(PROMISE_PARAM)
    return int(value) if value is not None else int(settings.PORTAL_PAYMENT_PROMISE_WORKDAYS)


def payment_promise_date(*, programme: Programme, submitted_on: dt.date) -> dt.date:
    return add_workdays(submitted_on, promise_workdays(programme=programme, on=submitted_on))
