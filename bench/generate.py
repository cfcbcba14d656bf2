#!/usr/bin/env python
"""A district's worth of realistic data on PostgreSQL, for the benchmarks.

    .venv/bin/python bench/generate.py                      # portal_bench, full scale
    .venv/bin/python bench/generate.py --scale 0.05         # a quick run (1,000 enterprises)
    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/other

At scale 1.0: 20,000 enterprises and their members, 100,000 applications under every programme in
every state (drafts, submitted, in formal review, returned for supplement, with the experts, with
the bureau, approved pending notice, in public notice, approved, declined, withdrawn) with their
claims, attachments, timeline and audit trail; reviewer assignments, expert panels and scores,
supplement requests, decisions, public notices and objections; budget pools with ledger entries,
awards and cap counters that `manage.py budget_check` accepts; vouchers with redemptions; letters
(every row points at one shared small PDF). The database is dropped, created and migrated first
(--keep adds to an existing one). Rows are written with COPY; ids are assigned here.

Logins (password Bench-2026-pass): admin01@bench.example.cn, reviewer01…, expert01…,
provider01…; enterprise users are o<enterprise id>@ent.example.cn (owner) and a<id>@… (agent).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bulk import COPIED, FastLoad, check_foreign_keys, reset_sequences  # noqa: E402
from bench.datagen.letters import Letters  # noqa: E402
from bench.datagen.money import Money  # noqa: E402
from bench.datagen.notices import Notices  # noqa: E402
from bench.datagen.people import People  # noqa: E402
from bench.datagen.plan import Planner  # noqa: E402
from bench.datagen.records import Records  # noqa: E402
from bench.datagen.reviews import Reviews  # noqa: E402
from bench.datagen.vouchers import Vouchers  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def _db_urls(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(url: str) -> None:
    import psycopg

    name, admin = _db_urls(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_database(url: str) -> None:
    import psycopg

    name, admin = _db_urls(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory
    os.environ.pop("REDIS_URL", None)  # tasks in-process; nothing is enqueued here anyway
    import django

    django.setup()


class Generator(Planner, People, Records, Reviews, Notices, Money, Vouchers, Letters):
    """Plans the district (Planner, People), then writes its records (Records, Reviews, Notices), its money
    (Money, Vouchers) and its letters and inbox (Letters)."""

    def run(self) -> None:
        from django.apps import apps

        models = [
            m for m in apps.get_models() if m._meta.app_label in ("portal", "applications", "vouchers", "reviews")
        ]
        self.ids.prime(models)
        fast = FastLoad(models).start()
        self.load(models)
        with self.step("indexes rebuilt"):
            fast.finish()
        with self.step("foreign keys verified"):
            check_foreign_keys(models)

    def load(self, models) -> None:
        with self.step("catalogue, staff, windows"):
            self.load_catalogue()
            self.make_staff()
            self.make_windows()
        with self.step("enterprises and members"):
            self.make_enterprises()
        with self.step("estimate templates (calculator)"):
            self.make_templates()
        with self.step("plan applications"):
            self.plan_applications()
            self.enforce_bounds()
            self.number_applications()
        with self.step("applications, claims, attachments"):
            self.write_applications()
        with self.step("reviews: assignments, experts, supplements, decisions, notices"):
            self.write_reviews()
        with self.step("timeline and audit trail"):
            self.write_timeline()
        with self.step("budget: pools, awards, ledger, counters; vouchers"):
            self.write_budget()
        with self.step("letters and inbox"):
            self.write_letters()
            self.write_notifications()
        with self.step("sequences"):
            reset_sequences(models)

    # -- catalogue and people


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"PostgreSQL database (default {DEFAULT_URL})")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 enterprises, 100,000 applications")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="add to the existing database instead of recreating it")
    parser.add_argument("--no-check", action="store_true", help="skip manage.py budget_check at the end")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("generate.py writes with PostgreSQL's COPY: --database-url must be postgres://…", file=sys.stderr)
        return 2
    started = time.perf_counter()
    print(f"generating scale {args.scale} into {args.database_url}")
    if args.keep:
        ensure_database(args.database_url)
    else:
        recreate_database(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from vouchers.services.catalogue import catalogue_load

    catalogue_load()
    migrated = round(time.perf_counter() - t, 2)
    print(f"  migrate and catalogue … {migrated} s")
    from django.db import transaction

    gen = Generator(scale=args.scale, seed=args.seed)
    gen.timings["migrate and catalogue"] = migrated
    with transaction.atomic():
        gen.run()
        t = time.perf_counter()
    gen.timings["commit"] = round(time.perf_counter() - t, 2)
    print(f"  commit … {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    from django.db import connection

    with connection.cursor() as cur:  # the steady state of a live database (autovacuum): visibility map set
        cur.execute("VACUUM (ANALYZE)")
    gen.timings["VACUUM ANALYZE"] = round(time.perf_counter() - t, 2)
    print(f"  VACUUM ANALYZE … {time.perf_counter() - t:.1f} s")
    if not args.no_check:
        t = time.perf_counter()
        call_command("budget_check", verbosity=0)
        gen.timings["budget_check"] = round(time.perf_counter() - t, 2)
        print(f"  budget_check: every pool matches its ledger … {time.perf_counter() - t:.1f} s")

    total = time.perf_counter() - started
    lines = [f"done in {total:.1f} s; rows written:"]
    lines += [f"  {table:40s} {n:>10,}" for table, n in sorted(COPIED.items(), key=lambda kv: -kv[1])]
    lines.append(f"  {'total':40s} {sum(COPIED.values()):>10,}")
    print("\n".join(lines))
    from bench.machine import header, postgres_version, write_results

    result = {
        **header("generate"),
        "postgres": postgres_version(),
        "scale": args.scale,
        "seed": args.seed,
        "seconds_total": round(total, 1),
        "seconds_by_step": gen.timings,
        "rows": dict(COPIED),
    }
    steps = [f"  {name} … {seconds} s" for name, seconds in gen.timings.items()]
    path = write_results(
        "generate",
        result,
        "\n".join([f"generate.py scale {args.scale} {result['date']} ({result['machine']['uname']})", *steps, *lines]),
    )
    print(f"written to {path.relative_to(ROOT)} (and .txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
