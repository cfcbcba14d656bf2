"""manage.py run_scheduled [--once] [--only NAME …] — the scheduled work on the embedded default.

Celery beat reads settings.CELERY_BEAT_SCHEDULE (closing due public notices, deadline reminders,
voucher expiry, letters still without their PDF, e-mails not yet sent) and needs a broker; without
REDIS_URL tasks run eagerly in-process and nothing would ever start them. This command is beat for
that case: it runs each entry's task in this process at the entry's own times (crontab or interval,
as beat would), and every entry once at start (catching up on what fell due while nothing ran; the
tasks are idempotent). `--once` runs every entry once and exits (cron, or a one-off catch-up).
`bin/demo` starts it in the background when REDIS_URL is unset; with Redis, run Celery beat."""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

logger = logging.getLogger("portal.scheduled")


@dataclass
class Entry:
    name: str
    task: str
    schedule: Any  # a celery schedule (crontab, or an interval)
    args: tuple = ()
    kwargs: dict | None = None
    last_run_at: Any = None


class InProcessBeat:
    """The beat schedule run in this process: `tick(now)` runs the entries due at `now` and says how
    many seconds until the next one may be."""

    def __init__(self, app, schedule: dict[str, dict], only: list[str] | None = None, out=None):
        from celery.schedules import maybe_schedule

        unknown = sorted(set(only or ()) - set(schedule))
        if unknown:
            raise CommandError(f"not in CELERY_BEAT_SCHEDULE: {', '.join(unknown)}")
        self.app, self.out = app, out
        self.entries = [
            Entry(
                name=name,
                task=spec["task"],
                schedule=maybe_schedule(spec["schedule"], app=app),
                args=tuple(spec.get("args") or ()),
                kwargs=dict(spec.get("kwargs") or {}),
            )
            for name, spec in schedule.items()
            if not only or name in only
        ]

    def run(self, entry: Entry, now) -> bool:
        """Run one entry's task in-process now; a failure is logged, never stops the others."""
        entry.last_run_at = now
        try:
            task = self.app.tasks[entry.task]
            result = task.apply(args=entry.args, kwargs=entry.kwargs, throw=True)
            self._say(f"{now:%Y-%m-%d %H:%M:%S} {entry.name}: {result.result!r}")
            return True
        except Exception:  # noqa: BLE001 - the next run tries again; the tasks are idempotent
            logger.exception("scheduled task %s (%s) failed", entry.name, entry.task)
            self._say(f"{now:%Y-%m-%d %H:%M:%S} {entry.name}: failed (see the log)")
            return False
        finally:
            # a long-running loop drops stale connections between runs; never inside a transaction
            # (a test's, or a caller's), where closing would break it
            if not connection.in_atomic_block:
                close_old_connections()

    def run_all(self, now) -> list[str]:
        for entry in self.entries:
            self.run(entry, now)
        return [e.name for e in self.entries]

    def tick(self, now) -> tuple[list[str], float]:
        ran, wait = [], 3600.0
        for entry in self.entries:
            schedule = copy.copy(entry.schedule)
            schedule.nowfun = lambda now=now: now  # judge "due" at the tick's time
            due, next_in = schedule.is_due(entry.last_run_at) if entry.last_run_at is not None else (True, 0)
            if due:
                self.run(entry, now)
                ran.append(entry.name)
            wait = min(wait, float(next_in))
        return ran, max(wait, 1.0)

    def _say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line)


class Command(BaseCommand):
    help = "Run the Celery beat schedule's tasks in this process at their times (the embedded default's beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every entry once now and exit")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
            help="only this entry of CELERY_BEAT_SCHEDULE (repeatable)",
        )
        parser.add_argument("--max-sleep", type=float, default=30.0, help="seconds between checks at most")

    def handle(self, *args, once: bool = False, only: list[str] | None = None, max_sleep: float = 30.0, **opts):
        from portal.celery import app

        app.loader.import_default_modules()  # registers every app's tasks
        beat = InProcessBeat(app, settings.CELERY_BEAT_SCHEDULE, only=only, out=self.stdout)
        if getattr(settings, "REDIS_URL", "") and not once:
            self.stderr.write("REDIS_URL is set: Celery beat should run the schedule (running it here as well).")
        beat.run_all(app.now())
        if once:
            return
        self.stdout.write(f"scheduled work in-process: {', '.join(e.name for e in beat.entries)}")
        try:
            while True:
                _ran, wait = beat.tick(app.now())
                time.sleep(min(wait, max_sleep))
        except KeyboardInterrupt:
            return
