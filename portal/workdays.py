"""Working days (工作日) on the official Chinese calendar, for any year.

A day's status comes from the first of these that speaks for it:

1. an administrator's correction (CalendarDay, source administrator);
2. a day of a confirmed State Council arrangement entered by an administrator (CalendarYear and its
   CalendarDay rows, source official: bridged rest days and make-up working days, 调休);
3. for a year with such an entry: the statutory holidays and the weekends;
4. for a year the shipped `chinesecalendar` data covers: that data (the official arrangement too);
5. otherwise the year is provisional (暂按法定节假日计算): the statutory holidays of
   《全国年节及纪念日放假办法》 (as revised from 2025), computed by the maintained `holidays` library
   (lunar dates included), and the weekends.

`WorkCalendar` loads the rows of a date range in one query, so that a page computing many deadlines
runs one query; the module functions are the one-off forms of the same rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
import holidays
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CalendarDay, CalendarYear
from .rawrows import Converters, column_converters, convert, per_connection

ONE_DAY = dt.timedelta(days=1)
MIN_YEAR, MAX_YEAR = 2000, 2100  # the years the portal answers for (the libraries know more)

# The statutory holidays (法定节假日) of 《全国年节及纪念日放假办法》 as the `holidays` library names them
# (in English, its stable language) → their official Chinese names. 元旦 Jan 1; 春节 除夕 to 初三;
# 清明节 the solar term; 劳动节 May 1–2; 端午节 5/5 lunar; 中秋节 8/15 lunar; 国庆节 Oct 1–3. The library
# also lists the bridged days of the years it knows ("Day off (substituted …)"): those are the
# yearly arrangement, not the statute, and are left out here.
STATUTORY_NAMES = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "春节",
    "Chinese New Year (Spring Festival)": "春节",
    "Tomb-Sweeping Day": "清明节",
    "Labor Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}
# chinesecalendar's holidays under the same names.
_LIBRARY_NAMES = {
    chinese_calendar.Holiday.new_years_day.value: "元旦",
    chinese_calendar.Holiday.spring_festival.value: "春节",
    chinese_calendar.Holiday.tomb_sweeping_day.value: "清明节",
    chinese_calendar.Holiday.labour_day.value: "劳动节",
    chinese_calendar.Holiday.dragon_boat_festival.value: "端午节",
    chinese_calendar.Holiday.mid_autumn_festival.value: "中秋节",
    chinese_calendar.Holiday.national_day.value: "国庆节",
}


def _days_of(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += ONE_DAY


@lru_cache(maxsize=256)
def _statutory(year: int) -> Mapping[dt.date, str]:
    found = holidays.China(years=year, observed=False, language="en_US")
    out: dict[dt.date, str] = {}
    for day, names in sorted(found.items()):
        zh = [STATUTORY_NAMES[n] for n in names.split("; ") if n in STATUTORY_NAMES]
        if zh:
            out[day] = "、".join(dict.fromkeys(zh))
    return MappingProxyType(out)


def statutory_holidays(year: int) -> Mapping[dt.date, str]:
    """The statutory holidays of `year`, date → Chinese name (春节 for 除夕 to 初三)."""
    return _statutory(year)


@lru_cache(maxsize=256)
def _library_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]] | None:
    """What chinesecalendar says of `year` apart from the ordinary week — (weekdays off, weekend
    days worked) — or None when its data does not cover the year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return None
    off, worked = set(), set()
    for day in _days_of(year):
        working = chinese_calendar.is_workday(day)
        if day.weekday() < 5 and not working:
            off.add(day)
        elif day.weekday() >= 5 and working:
            worked.add(day)
    return frozenset(off), frozenset(worked)


def library_covers(year: int) -> bool:
    """Whether the shipped chinesecalendar data holds the official arrangement of `year`."""
    return _library_year(year) is not None


def _computed_is_workday(day: dt.date, *, entered: bool) -> bool:
    """Steps 3–5: without rows of its own, a day of an entered year or of a provisional year follows
    the statute and the week; a day of a year the library covers follows the library."""
    if not entered:
        library = _library_year(day.year)
        if library is not None:
            off, worked = library
            return day in worked if day.weekday() >= 5 else day not in off
    return day.weekday() < 5 and day not in _statutory(day.year)


@dataclass
class _Rows:
    corrections: dict[dt.date, bool]  # administrators' corrections
    official: dict[dt.date, bool]  # days of confirmed, entered arrangements
    entered: set[int]  # years with a confirmed, entered arrangement

    def merge(self, other: _Rows) -> None:
        self.corrections.update(other.corrections)
        self.official.update(other.official)
        self.entered |= other.entered


@dataclass(frozen=True)
class _Statement:
    sql: str
    converters: Converters


@per_connection
def _statement(connection: BaseDatabaseWrapper) -> _Statement:
    """_load's statement, written once per connection from the models' tables and columns: the days
    (corrections, and days of confirmed arrangements, with their arrangement's year), then the
    confirmed years (rows without a date). Every page with a deadline loads its calendar, and the
    ORM's union of the two querysets cost 1.6 ms of CPU to build on each request against 0.15 ms
    for the statement (tests/portal/test_calendar_rows.py compares the rows with the ORM's)."""
    q = connection.ops.quote_name
    day, year = CalendarDay._meta, CalendarYear._meta
    d = {n: q(day.get_field(n).column) for n in ("date", "is_workday", "source", "arrangement")}
    y = {n: q(year.get_field(n).column) for n in ("id", "year", "confirmed")}
    day_t, year_t = q(day.db_table), q(year.db_table)
    sql = (
        f"SELECT d.{d['date']}, d.{d['is_workday']}, d.{d['source']}, y.{y['year']} "  # noqa: S608 - names from _meta
        f"FROM {day_t} d LEFT OUTER JOIN {year_t} y ON y.{y['id']} = d.{d['arrangement']} "
        f"WHERE d.{d['date']} >= %s AND d.{d['date']} <= %s AND (d.{d['source']} = %s OR y.{y['confirmed']}) "
        f"UNION ALL SELECT NULL, NULL, NULL, y.{y['year']} FROM {year_t} y "
        f"WHERE y.{y['year']} >= %s AND y.{y['year']} <= %s AND y.{y['confirmed']}"
    )
    columns = [day.get_field("date"), day.get_field("is_workday"), day.get_field("source"), year.get_field("year")]
    return _Statement(sql, column_converters(connection, columns))


def _read(start: dt.date, end: dt.date) -> list[list]:
    """The statement's rows for [start, end], converted as the ORM converts them: [date, is_workday,
    source, the arrangement's year] for a day, [None, None, None, year] for a confirmed year."""
    connection = connections[CalendarDay.objects.db]
    statement = _statement(connection)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            statement.sql, [adapt(start), adapt(end), CalendarDay.Source.ADMINISTRATOR.value, start.year, end.year]
        )
        fetched = cursor.fetchall()
    return [convert(list(row), statement.converters, connection) for row in fetched]


def _load(start: dt.date, end: dt.date) -> _Rows:
    """The rows that speak for [start, end], in one query: the days (corrections, and days of
    confirmed arrangements) and the confirmed years."""
    rows = _Rows({}, {}, set())
    own_year: set[dt.date] = set()  # official days set by the arrangement of their own year
    for day, working, source, year in _read(start, end):
        if day is None:  # a confirmed year
            rows.entered.add(year)
        elif source == CalendarDay.Source.ADMINISTRATOR:
            rows.corrections[day] = working
        elif day not in own_year:  # a day named by two arrangements: its own year's wins
            rows.official[day] = working
            if year == day.year:
                own_year.add(day)
    return rows


def _decide(day: dt.date, rows: _Rows) -> bool:
    corrected = rows.corrections.get(day)
    if corrected is not None:
        return corrected
    official = rows.official.get(day)
    if official is not None:
        return official
    return _computed_is_workday(day, entered=day.year in rows.entered)


def official_is_workday(day: dt.date) -> bool:
    """What the official calendar says (entered arrangement, library data or statute), before
    administrators' corrections."""
    rows = _load(day, day)
    rows.corrections.clear()
    return _decide(day, rows)


def _span(count: int) -> dt.timedelta:
    # Long enough for `count` working days across the longest holiday (Spring Festival, 9 days).
    return dt.timedelta(days=count * 3 + 40)


class WorkCalendar:
    """The working-day calendar over [start, end] with its rows loaded once. A date outside the
    range widens it by a further query (correct, just slower)."""

    CHUNK = dt.timedelta(days=90)

    def __init__(self, start: dt.date, end: dt.date):
        self.start, self.end = start, end
        self.rows = _load(start, end)

    @classmethod
    def around(cls, day: dt.date, *, back: int = 60, ahead: int = 60) -> WorkCalendar:
        return cls(day - dt.timedelta(days=back), day + dt.timedelta(days=ahead))

    def _cover(self, day: dt.date) -> None:
        if day > self.end:
            start, end = self.end + ONE_DAY, max(day, self.end + self.CHUNK)
            self.end = end
        else:
            start, end = min(day, self.start - self.CHUNK), self.start - ONE_DAY
            self.start = start
        loaded = _load(start, end)
        # a year already known confirmed stays so; a newly covered year is added
        self.rows.merge(loaded)

    def is_workday(self, day: dt.date) -> bool:
        if not self.start <= day <= self.end:
            self._cover(day)
        return _decide(day, self.rows)

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
    return _decide(day, _load(day, day))


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


# ---------------------------------------------------------------- provisional years


def confirmed_years() -> frozenset[int]:
    """The years with a confirmed, entered arrangement (one query on a table of a row a year)."""
    return frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))


def is_provisional(day: dt.date | int, *, confirmed: frozenset[int] | None = None) -> bool:
    """Whether the working days of the year of `day` (a date or a year) are provisional: its
    official arrangement is neither entered nor in chinesecalendar, so statutory holidays and
    weekends only (暂按法定节假日计算). Pass `confirmed` (confirmed_years()) to spare the query."""
    year = day if isinstance(day, int) else day.year
    if library_covers(year):
        return False
    if confirmed is not None:
        return year not in confirmed
    return not CalendarYear.objects.filter(year=year, confirmed=True).exists()


def provisional_note(year: int) -> str:
    return _("%(year)s年的国务院放假安排尚未录入，暂按法定节假日计算。") % {"year": year}


# ---------------------------------------------------------------- a year, day by day (the API)


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    kind: str  # "holiday" (a rest day) / "workday" (a make-up or corrected working day)
    name: str  # Chinese: 春节, 国庆节, …
    source: str  # "statutory" / "official" / "administrator"


@dataclass(frozen=True)
class YearCalendar:
    year: int
    confirmed: bool
    document: str
    days: list[SpecialDay]


def year_calendar(year: int) -> YearCalendar:
    """Every day of `year` that is not an ordinary day (a weekday worked, a weekend day off) or that
    belongs to a named holiday: statutory holidays (weekends included), bridged rest days, make-up
    working days and administrators' corrections, each with its name and where it comes from."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    calendar = WorkCalendar(start, end)
    named = dict(
        ((d, s), n)
        for d, s, n in CalendarDay.objects.filter(date__gte=start, date__lte=end)
        .filter(Q(source=CalendarDay.Source.ADMINISTRATOR) | Q(arrangement__confirmed=True))
        .values_list("date", "source", "note")
    )
    entry = CalendarYear.objects.filter(year=year, confirmed=True).values_list("document", flat=True).first()
    statutory = _statutory(year)
    library = library_covers(year) and entry is None
    days = []
    for day in _days_of(year):
        working = calendar.is_workday(day)
        statute = statutory.get(day) if not working else None
        if day in calendar.rows.corrections:
            source = "administrator"
            name = named.get((day, CalendarDay.Source.ADMINISTRATOR)) or statute or ""
        elif day in calendar.rows.official:
            source = "official"
            name = named.get((day, CalendarDay.Source.OFFICIAL)) or statute or ""
        elif statute:
            source, name = "statutory", statute
        elif library:
            source = "official"
            name = _LIBRARY_NAMES.get(chinese_calendar.get_holiday_detail(day)[1] or "", "")
            if working == (day.weekday() < 5) and (working or not name):
                continue  # an ordinary day
        else:
            continue
        if not name:
            name = "调休上班" if working else "休息日"
        days.append(SpecialDay(day, "workday" if working else "holiday", name, source))
    return YearCalendar(year=year, confirmed=entry is not None or library_covers(year), document=entry or "", days=days)
