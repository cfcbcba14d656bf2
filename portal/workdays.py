"""Working days (工作日) on the official Chinese calendar: statutory holidays and make-up working
days (调休) from the maintained `chinesecalendar` data, overridden by administrators'
CalendarDay rows (for years the library does not know yet, or corrections).

`WorkCalendar` loads the overrides of a date range once, so that a page computing many deadlines
runs one query; the module functions are the one-off forms of the same rules."""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from .models import CalendarDay

ONE_DAY = dt.timedelta(days=1)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def _library_is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the data does not cover yet: weekdays work
        return day.weekday() < 5


def official_is_workday(day: dt.date) -> bool:
    """What the official calendar data says, before administrators' overrides."""
    return _library_is_workday(day)


def _span(count: int) -> dt.timedelta:
    # Long enough for `count` working days across the longest holiday (Spring Festival, 9 days).
    return dt.timedelta(days=count * 3 + 40)


class WorkCalendar:
    """The working-day calendar over [start, end] with the administrators' overrides loaded once.
    Dates outside the range fall back to a query of their own (correct, just slower)."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start, self.end = start, end
        self.overrides = _overrides(start, end)

    @classmethod
    def around(cls, day: dt.date, *, back: int = 60, ahead: int = 60) -> WorkCalendar:
        return cls(day - dt.timedelta(days=back), day + dt.timedelta(days=ahead))

    def is_workday(self, day: dt.date) -> bool:
        inside = self.start <= day <= self.end
        override = self.overrides.get(day) if inside else _overrides(day, day).get(day)
        return _library_is_workday(day) if override is None else override

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The date `count` working days after `start` (start itself not counted). count >= 0."""
        if count < 0:
            raise ValueError("count must be >= 0")
        day, left = start, count
        while left > 0:
            day += ONE_DAY
            if self.is_workday(day):
                left -= 1
        return day

    def latest_start(self, deadline: dt.date, count: int) -> dt.date:
        """The latest start date whose deadline (`count` working days later) falls on or before
        `deadline`; used to turn "deadline before D" into a filter on the start date."""
        if count <= 0:
            return deadline
        day = deadline - ONE_DAY
        while self.add_workdays(day, count) > deadline:
            day -= ONE_DAY
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        n, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                n += 1
        return n


def is_workday(day: dt.date) -> bool:
    override = _overrides(day, day).get(day)
    return _library_is_workday(day) if override is None else override


def add_workdays(start: dt.date, count: int) -> dt.date:
    """The date `count` working days after `start` (start itself not counted). count >= 0."""
    if count < 0:
        raise ValueError("count must be >= 0")
    return WorkCalendar(start, start + _span(count)).add_workdays(start, count)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    if end < start:
        return 0
    return WorkCalendar(start, end).workdays_between(start, end)
