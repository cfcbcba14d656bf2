"""System checks of the portal's own (run by `manage.py check`)."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def calendar_years_confirmed(app_configs=None, databases=None, **kwargs):
    """Warn while the working days of this year or the next are provisional (the State Council's
    arrangement neither entered nor in the shipped data): their deadlines count statutory holidays and
    weekends only. A database check: `manage.py check --database default`, and `migrate`, run it."""
    if not databases:
        return []
    from .workdays import confirmed_years, is_provisional

    this_year = timezone.localdate().year
    try:
        confirmed = confirmed_years()
    except DatabaseError:  # not migrated yet: migrate itself runs the checks first
        return []
    return [
        Warning(
            f"{year}年的国务院放假安排尚未录入：该年度的办理期限暂按法定节假日和周末计算。",
            hint="在管理后台“年度放假安排”中录入，或运行 manage.py calendar_load <文件>（含发文字号）。",
            obj=f"calendar {year}",
            id="portal.W001",
        )
        for year in (this_year, this_year + 1)
        if is_provisional(year, confirmed=confirmed)
    ]
