"""The working-day calendar's one statement (portal.workdays._read) reads the rows the ORM's union of
two querysets reads: confirmed arrangements' days, the administrators' corrections and the confirmed
years, over ranges across years, an unconfirmed year and the edges."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date
DOCUMENT = "国办发明电〔2026〕x号"


def _load_by_the_orm(start, end):
    """portal.workdays._load as the ORM writes it (the union of two querysets): the reference its
    statement is compared with."""
    from django.db.models import BooleanField, CharField, DateField, Q, Value

    days = (
        CalendarDay.objects.filter(date__gte=start, date__lte=end)
        .filter(Q(source=CalendarDay.Source.ADMINISTRATOR) | Q(arrangement__confirmed=True))
        .order_by()
        .values_list("date", "is_workday", "source", "arrangement__year")
    )
    years = (
        CalendarYear.objects.filter(year__gte=start.year, year__lte=end.year, confirmed=True)
        .order_by()
        .values_list(
            Value(None, output_field=DateField()),
            Value(True, output_field=BooleanField()),
            Value("year", output_field=CharField()),
            "year",
        )
    )
    return sorted(days.union(years, all=True), key=repr)


def test_the_calendar_statement_reads_what_the_orm_reads():
    from portal.workdays import _load, _read

    y2026 = CalendarYear.objects.create(year=2026, document="〔2025〕7号")
    y2027 = CalendarYear.objects.create(year=2027, document=DOCUMENT)
    y2028 = CalendarYear.objects.create(year=2028, document="〔2027〕x号", confirmed=False)
    official = CalendarDay.Source.OFFICIAL
    for entry, day, working in (
        (y2026, D(2026, 12, 31), False),  # named by two arrangements: its own year's wins
        (y2027, D(2026, 12, 31), True),
        (y2027, D(2027, 2, 9), False),
        (y2027, D(2027, 2, 20), True),
        (y2028, D(2028, 1, 29), True),  # an unconfirmed arrangement speaks for nothing
    ):
        CalendarDay.objects.create(date=day, is_workday=working, source=official, arrangement=entry)
    CalendarDay.objects.create(date=D(2027, 2, 20), is_workday=False, note="停电")  # a correction
    CalendarDay.objects.create(date=D(2028, 1, 3), is_workday=False, note="搬迁")
    for start, end in (
        (D(2026, 1, 1), D(2028, 12, 31)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2027, 2, 10), D(2027, 2, 20)),
        (D(2028, 1, 1), D(2028, 2, 1)),
        (D(2030, 1, 1), D(2030, 12, 31)),
    ):
        read = [tuple(row) if row[0] is not None else (None, True, "year", row[3]) for row in _read(start, end)]
        assert sorted(read, key=repr) == _load_by_the_orm(start, end), (start, end)
        rows = _load(start, end)
        assert all(type(day) is dt.date and type(w) is bool for day, w in rows.official.items())
        assert all(type(day) is dt.date and type(w) is bool for day, w in rows.corrections.items())
    rows = _load(D(2026, 1, 1), D(2028, 12, 31))
    assert rows.entered == {2026, 2027}
    assert rows.official == {D(2026, 12, 31): False, D(2027, 2, 9): False, D(2027, 2, 20): True}
    assert rows.corrections == {D(2027, 2, 20): False, D(2028, 1, 3): False}
