"""manage.py bootstrap [--no-static] [--no-catalogue]

Brings a database and an installation to the running shape, and does nothing that is done already
(run it on every deployment and upgrade; twice in a row the second run changes nothing):

1. compiles the translations when a .po file is newer than its .mo (and the folder is writable);
2. applies the migrations;
3. loads the shipped programme catalogue (`catalogue_load`: idempotent);
4. collects the static files (skipped with --no-static: the image has them built in);
5. says what is still to do by hand (the first system administrator: `staff_create`).

docker-compose.yml runs it once, as the one-off `bootstrap` job, before web, worker and beat start.
On PostgreSQL two bootstraps started at once run one after the other (an advisory lock)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

LOCK_KEY = 0x504F5254414C  # "PORTAL": pg_advisory_lock's key of the bootstrap


@contextlib.contextmanager
def _exclusive():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def messages_stale() -> list[Path]:
    """The .po files whose .mo is missing or older."""
    stale = []
    for folder in settings.LOCALE_PATHS:
        for po in Path(folder).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


class Command(BaseCommand):
    help = (
        "Idempotent set-up of a deployment: compile translations if needed, migrate, load the catalogue, "
        "collect static files. Safe to run on every deployment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-static", action="store_true", help="skip collectstatic (built into the image)")
        parser.add_argument("--no-catalogue", action="store_true", help="skip catalogue_load")

    def step(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(f"==> {text}")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        quiet = max(0, self.verbosity - 1)  # the steps' own output only with -v 2
        started = time.monotonic()
        stale = messages_stale()
        if stale and all(os.access(po.parent, os.W_OK) for po in stale):
            self.step(f"compiling translations ({len(stale)} catalogue(s) changed)")
            call_command("compilemessages", verbosity=quiet, stdout=self.stdout, stderr=self.stderr)
        elif stale:
            self.stderr.write(f"translations out of date but not writable here: {', '.join(map(str, stale))}")
        with _exclusive():
            self.step("applying migrations")
            call_command("migrate", interactive=False, verbosity=quiet, stdout=self.stdout, stderr=self.stderr)
            if not options["no_catalogue"]:
                self.step("loading the programme catalogue")
                call_command("catalogue_load", verbosity=self.verbosity, stdout=self.stdout, stderr=self.stderr)
        if not options["no_static"]:
            self.step("collecting static files")
            call_command("collectstatic", interactive=False, verbosity=quiet, stdout=self.stdout, stderr=self.stderr)
        self._next_steps()
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(f"bootstrap done in {time.monotonic() - started:.1f} s"))

    def _next_steps(self) -> None:
        from portal.models import Role, User

        if not User.objects.filter(role=Role.SYSADMIN, is_active=True).exists() and self.verbosity:
            self.stdout.write(
                self.style.WARNING(
                    "No system administrator yet: create the first one with\n"
                    "  manage.py staff_create --email <address> --role sysadmin"
                )
            )
