"""Writes on the working-day calendar: the State Council's yearly arrangement (国务院办公厅部分节假日
安排, 调休) and administrators' corrections of single days. Each write checks the actor, is audited in
its transaction and, after commit, is announced by `calendar_changed(years=…, actor=…)`: the apps
that hold deadlines in working days (reviews) recompute them. `portal` imports none of those apps;
they listen."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .limits import length_problem, require_length
from .models import CalendarDay, CalendarYear, User
from .workdays import MAX_YEAR, MIN_YEAR

# Sent after commit with years=[…] (sorted ints: every year whose working days may have changed) and
# actor (the user, or None for the system). Receivers recompute what they derived from the calendar.
calendar_changed = Signal()

DayInput = dt.date | str | tuple[dt.date | str, str]
# How far outside its year an arrangement may reach: 元旦 of year Y is often bridged with the end of
# December of Y-1 (e.g. a make-up Saturday on 29 December).
REACH = dt.timedelta(days=45)


def may_set_calendar(actor: User | None) -> bool:
    """Bureau and system administrators enter the calendar; None is the system (calendar_load)."""
    return actor is None or (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_bureau_admin)


def _require(actor: User | None) -> None:
    if not may_set_calendar(actor):
        raise PermissionDenied(_("仅主管部门管理员可以维护工作日历。"))


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _announce(years: Iterable[int], actor: User | None) -> None:
    years = sorted(set(years))
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarYear, years=years, actor=actor))


# ---------------------------------------------------------------- the yearly arrangement


def _day(value: dt.date | str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: _("日期“%(value)s”无效，请写作 YYYY-MM-DD。") % {"value": value}}) from None


def _clean_days(items: Iterable[DayInput], field: str) -> dict[dt.date, str]:
    out: dict[dt.date, str] = {}
    for item in items or ():
        value, name = item if isinstance(item, tuple | list) else (item, "")
        day = _day(value, field)
        out[day] = str(name or "").strip() or out.get(day, "")
        require_length(
            out[day], model=CalendarDay, field="note", key=field, label=_("%(day)s的名称") % {"day": day.isoformat()}
        )
    return out


def _snapshot(entry: CalendarYear | None) -> dict[str, Any] | None:
    if entry is None or entry.pk is None:
        return None
    rows = list(entry.days.order_by("date").values_list("date", "is_workday", "note"))
    return {
        "confirmed": entry.confirmed,
        "document": entry.document,
        "rest_days": [f"{d.isoformat()} {n}".strip() for d, w, n in rows if not w],
        "workdays": [f"{d.isoformat()} {n}".strip() for d, w, n in rows if w],
    }


def arrangement_check(
    *, year: int, rest_days: Iterable[DayInput], workdays: Iterable[DayInput], document: str
) -> tuple[dict[dt.date, str], dict[dt.date, str], str]:
    """An arrangement's input, cleaned: (rest days, make-up working days, document), each day with its
    name; ValidationError by field when it cannot be one year's arrangement."""
    rest, work = _clean_days(rest_days, "rest_days"), _clean_days(workdays, "workdays")
    document = (document or "").strip()
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("年度须在 %(min)s 至 %(max)s 之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}})
    if not document:
        errors["document"] = _("请填写放假安排通知的发文字号，如：国办发明电〔2026〕x号。")
    elif too_long := length_problem(document, model=CalendarYear, field="document"):
        errors["document"] = too_long
    first, last = dt.date(year, 1, 1) - REACH, dt.date(year, 12, 31) + REACH
    outside = sorted(d for d in (*rest, *work) if not first <= d <= last)
    if outside:
        errors["rest_days"] = _("以下日期不属于 %(year)s 年的放假安排：%(days)s") % {
            "year": year,
            "days": "、".join(d.isoformat() for d in outside),
        }
    both = sorted(set(rest) & set(work))
    if both:
        errors["workdays"] = _("以下日期既列为休息日又列为上班日：%(days)s") % {
            "days": "、".join(d.isoformat() for d in both)
        }
    weekdays = sorted(d for d in work if d.weekday() < 5)
    if weekdays and "workdays" not in errors:
        errors["workdays"] = _("调休上班日应为周六或周日：%(days)s") % {
            "days": "、".join(d.isoformat() for d in weekdays)
        }
    if errors:
        raise ValidationError(errors)
    return rest, work, document


def calendar_arrangement_set(
    *,
    actor: User | None,
    year: int,
    rest_days: Iterable[DayInput],
    workdays: Iterable[DayInput],
    document: str,
    note: str = "",
    confirmed: bool = True,
    ip: str | None = None,
) -> CalendarYear:
    """Enter (or replace) the State Council's arrangement of `year`: its rest days (the statutory
    holidays need not be listed; bridged days must be) and its make-up working days, each with the
    holiday's name, and the notice's number (国办发明电〔2026〕x号). The year is then confirmed (no
    longer provisional) unless `confirmed` is False, and every open deadline is recomputed."""
    _require(actor)
    rest, work, document = arrangement_check(year=year, rest_days=rest_days, workdays=workdays, document=document)
    note = require_length((note or "").strip(), model=CalendarYear, field="note")
    with transaction.atomic():
        entry = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = _snapshot(entry)
        years = {year} | {d.year for d in entry.days.values_list("date", flat=True)} if entry else {year}
        entry = entry or CalendarYear(year=year)
        entry.confirmed, entry.document, entry.note = confirmed, document, note
        entry.entered_by, entry.entered_at = _user(actor), timezone.now()
        entry.save()
        entry.days.all().delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=d, is_workday=False, note=n, source=CalendarDay.Source.OFFICIAL, arrangement=entry)
                for d, n in sorted(rest.items())
            ]
            + [
                CalendarDay(date=d, is_workday=True, note=n, source=CalendarDay.Source.OFFICIAL, arrangement=entry)
                for d, n in sorted(work.items())
            ]
        )
        audit_record(
            actor=actor,
            action="calendar.arrangement_set",
            target=entry,
            ip=ip,
            before=before,
            after=_snapshot(entry),
            note=document,
        )
        _announce(years | {d.year for d in (*rest, *work)}, actor)
    return entry


# ---------------------------------------------------------------- administrators' corrections


def calendar_correction_set(
    *, actor: User | None, date: dt.date, is_workday: bool, note: str = "", ip: str | None = None
) -> CalendarDay:
    """An administrator's correction of one day (it wins over every other source)."""
    _require(actor)
    note = require_length((note or "").strip(), model=CalendarDay, field="note")
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=date, source=CalendarDay.Source.ADMINISTRATOR).first()
        before = {"is_workday": row.is_workday, "note": row.note} if row else None
        row = row or CalendarDay(date=date, source=CalendarDay.Source.ADMINISTRATOR)
        row.is_workday, row.note = is_workday, note
        row.save()
        audit_record(
            actor=actor,
            action="calendar.correction_set",
            target=row,
            ip=ip,
            before=before,
            after={"date": date, "is_workday": is_workday, "note": row.note},
        )
        _announce([date.year], actor)
    return row


def calendar_correction_delete(*, actor: User | None, date: dt.date, ip: str | None = None) -> None:
    _require(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=date, source=CalendarDay.Source.ADMINISTRATOR).first()
        if row is None:
            return
        audit_record(
            actor=actor,
            action="calendar.correction_delete",
            target=row,
            ip=ip,
            before={"date": date, "is_workday": row.is_workday, "note": row.note},
        )
        row.delete()
        _announce([date.year], actor)


# ---------------------------------------------------------------- reading an arrangement from text

RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:(?:\.\.|~|至|—|--)\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)$")


def parse_day_lines(text: str, field: str = "rest_days") -> list[tuple[dt.date, str]]:
    """Lines "2027-02-05 春节" or ranges "2027-02-05..2027-02-11 春节" (also ~ or 至); blank lines and
    "#" comments are skipped."""
    out: list[tuple[dt.date, str]] = []
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = RANGE.match(line)
        if not m:
            raise ValidationError({field: _("无法识别的一行：“%(line)s”（应为 YYYY-MM-DD 名称）。") % {"line": line}})
        start, end, name = _day(m.group(1), field), _day(m.group(2) or m.group(1), field), m.group(3).strip()
        if end < start or (end - start).days > 31:
            raise ValidationError({field: _("日期范围无效：“%(line)s”。") % {"line": line}})
        while start <= end:
            out.append((start, name))
            start += dt.timedelta(days=1)
    return out


def _items(value: Any, field: str) -> list[tuple[dt.date, str]]:
    if value is None:
        return []
    if isinstance(value, str):
        return parse_day_lines(value, field)
    out: list[tuple[dt.date, str]] = []
    for item in value:
        if isinstance(item, Mapping):
            text = f"{item.get('date') or item.get('from', '')}"
            if item.get("to"):
                text += f"..{item['to']}"
            out += parse_day_lines(f"{text} {item.get('name') or ''}", field)
        else:
            out += parse_day_lines(str(item), field)
    return out


WORK_KINDS = {"workday", "work", "上班", "调休上班"}
REST_KINDS = {"rest", "holiday", "休息", "放假"}


def arrangement_read(path: str | Path) -> dict[str, Any]:
    """An arrangement file → the arguments of calendar_arrangement_set (year, document, note,
    rest_days, workdays). YAML: keys year, document, note, rest_days, workdays (lists of dates,
    "date name" strings, ranges or {date|from, to, name}). CSV: columns date, kind (rest/休息 or
    workday/上班), name; a `year` and a `document` column (on any row) or the command's options."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        rest: list[tuple[dt.date, str]] = []
        work: list[tuple[dt.date, str]] = []
        meta: dict[str, Any] = {}
        for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            for key in ("year", "document", "note"):
                if row.get(key):
                    meta[key] = row[key]
            if not row.get("date"):
                continue
            kind = row.get("kind", "").lower()
            if kind not in WORK_KINDS | REST_KINDS:
                raise ValidationError(_("第 %(n)s 行：类别应为 rest（休息）或 workday（上班）。") % {"n": n})
            target = work if kind in WORK_KINDS else rest
            target += parse_day_lines(f"{row['date']} {row.get('name', '')}")
        data = {**meta, "rest_days": rest, "workdays": work}
    else:
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, Mapping):
            raise ValidationError(_("文件内容应为一个放假安排（year、document、rest_days、workdays）。"))
        data = {
            "year": loaded.get("year"),
            "document": loaded.get("document") or "",
            "note": loaded.get("note") or "",
            "rest_days": _items(loaded.get("rest_days"), "rest_days"),
            "workdays": _items(loaded.get("workdays"), "workdays"),
        }
    try:
        data["year"] = int(data["year"]) if data.get("year") not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationError({"year": _("年度无效：%(v)s") % {"v": data.get("year")}}) from None
    return data
