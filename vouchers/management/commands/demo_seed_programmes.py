"""Demo data for the catalogue: an application window (申报批次) "<year>年第一批" for every programme,
open from 60 days before today to 60 days after (never past the policy's validity; after it, a
清算批次 "<year>年度清算批次" for facts inside the validity). Called by
demo_seed; idempotent: a programme that already has the window is left alone."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.models import Role, User
from vouchers.models import ApplicationWindow, Programme
from vouchers.services.catalogue import window_open

SPAN = dt.timedelta(days=60)


class Command(BaseCommand):
    help = "Open a demo application window for every programme (idempotent)."

    def handle(self, *args, **options):
        # each district's windows opened by its own administrator (所属区域)
        admins = {}
        for admin in User.objects.filter(role=Role.BUREAU_ADMIN, is_active=True).exclude(district="").order_by("pk"):
            admins.setdefault(admin.district, admin)
        if not admins:
            raise CommandError("没有管理员账户：请先运行 demo_seed。")
        today = timezone.localdate()
        name = f"{today.year}年第一批"
        tz = timezone.get_current_timezone()
        opens_at = dt.datetime.combine(today - SPAN, dt.time.min, tzinfo=tz)
        opened = 0
        for programme in Programme.objects.select_related("policy").order_by("sort_order", "code"):
            if programme.windows.filter(name=name).exists():
                continue
            policy = programme.policy
            actor = admins.get(policy.district)
            if actor is None:
                continue  # no administrator of that district among the demo logins
            policy_end = dt.datetime.combine(policy.valid_to, dt.time(23, 59, 59), tzinfo=tz)
            closes_at = min(dt.datetime.combine(today + SPAN, dt.time(17, 0), tzinfo=tz), policy_end)
            if closes_at <= timezone.now():
                # expired: a final claim window (清算批次) for facts inside its validity
                claim = f"{policy.valid_to.year}年度清算批次"
                if not programme.windows.filter(name=claim).exists():
                    window_open(
                        actor=actor,
                        programme=programme,
                        name=claim,
                        kind=ApplicationWindow.Kind.CLAIM,
                        opens_at=max(opens_at, policy_end + dt.timedelta(seconds=1)),
                        closes_at=dt.datetime.combine(today + SPAN, dt.time(17, 0), tzinfo=tz),
                    )
                    opened += 1
                continue
            window_open(
                actor=actor,
                programme=programme,
                name=name,
                opens_at=max(opens_at, dt.datetime.combine(policy.valid_from, dt.time.min, tzinfo=tz)),
                closes_at=closes_at,
            )
            opened += 1
        if options["verbosity"]:
            self.stdout.write(f"demo windows: {opened} opened ({name})")
