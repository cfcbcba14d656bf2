"""Working days on the official calendar (chinesecalendar, or the statute for later years) with
administrators' overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.models import CalendarDay
from portal.workdays import WorkCalendar, add_workdays, is_workday, official_is_workday, workdays_between

pytestmark = pytest.mark.django_db
D = dt.date


def test_national_day_2025_with_its_make_up_days():
    assert is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))  # Sunday and Saturday make-up days
    assert not any(is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert add_workdays(D(2025, 9, 26), 7) == D(2025, 10, 13)
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 13)) == 7


def test_overrides_win_over_the_official_calendar():
    CalendarDay.objects.create(date=D(2025, 10, 9), is_workday=False, note="调整")
    assert official_is_workday(D(2025, 10, 9)) and not is_workday(D(2025, 10, 9))
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 10)


def test_a_year_the_data_does_not_know_counts_its_statutory_holidays_and_overrides():
    # 2027 is provisional (no arrangement entered): 元旦, Friday 1 January, is a statutory holiday.
    assert not is_workday(D(2027, 1, 1)) and not official_is_workday(D(2027, 1, 1))
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)  # Thursday → [元旦, weekend] → Monday
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, note="元旦调休")
    CalendarDay.objects.create(date=D(2027, 1, 2), is_workday=True, note="元旦调休上班")
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 2)
    assert add_workdays(D(2026, 12, 31), 2) == D(2027, 1, 5)


def test_latest_start_turns_a_deadline_into_a_start_date(django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = WorkCalendar(D(2025, 8, 1), D(2025, 12, 31))
    with django_assert_num_queries(0):
        start = cal.latest_start(D(2025, 10, 13), 7)
        assert cal.add_workdays(start, 7) <= D(2025, 10, 13) < cal.add_workdays(start + dt.timedelta(days=1), 7)
        assert start == D(2025, 9, 27)  # a Saturday start counts from the Sunday make-up day too
        assert cal.workdays_between(D(2025, 10, 13), D(2025, 9, 26)) == -7
