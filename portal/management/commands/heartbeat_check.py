"""manage.py heartbeat_check worker|beat — the health check of a Celery worker or beat container:
exits 0 when the process of that kind on this host wrote its heartbeat recently (portal.health),
1 otherwise (docker-compose.yml's healthcheck)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.health import KINDS, heartbeat_age


class Command(BaseCommand):
    help = "Exit 0 if this host's Celery worker/beat wrote its heartbeat recently, else 1."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument(
            "--max-age", type=int, default=None, help="seconds (default: settings.PORTAL_HEARTBEAT_STALE_SECONDS)"
        )
        parser.add_argument("--any-host", action="store_true", help="any process of that kind, not only this host's")

    def handle(self, *args, **options):
        limit = options["max_age"] or settings.PORTAL_HEARTBEAT_STALE_SECONDS
        age = heartbeat_age(options["kind"], this_host=not options["any_host"])
        if age is None or age > limit:
            seen = "never" if age is None else f"{age:.0f} s ago"
            raise CommandError(f"{options['kind']}: no heartbeat in the last {limit} s (last: {seen})")
        if options["verbosity"]:
            self.stdout.write(f"{options['kind']}: heartbeat {age:.0f} s ago")
