#!/usr/bin/env python
"""Budget benchmark (PostgreSQL): reservations per second under contention, the portal's service
beside a bare SQL transaction that takes the same lock, checks, inserts the ledger row and updates
the pool; and the administrators' budget view's server time with 100,000 applications.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_budget.py

It works in its own database (the DATABASE_URL's name + "_bench_budget", dropped and created anew),
generates its data itself (bulk inserts), prints its figures and writes them, with the machine and
the date, to bench/results/budget-<date>-<host>.json. Targets: service ≥ 0.3 × bare; view < 200 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bench_db_url(base: str) -> tuple[str, str, str]:
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "portal") + "_bench_budget"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path=f"/{name}")), admin, name


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError, IndexError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": mem,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


# --- reservations ---------------------------------------------------------------------------------


def _run_threads(threads: int, work) -> tuple[float, float]:
    """work(i) runs in each of `threads` threads, all started together; returns the wall time and
    the CPU time this process spent meanwhile (every thread; PostgreSQL's own is not counted)."""
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as e:  # noqa: BLE001 — reported below
            errors.append(e)
        finally:
            connection.close()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for t in ts:
        t.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    return elapsed, cpu


def _figures(n: int, elapsed: float, cpu: float) -> dict:
    return {
        "reservations": n,
        "seconds": round(elapsed, 3),
        "per_second": round(n / elapsed, 1),
        "cpu_ms_per_reservation": round(cpu * 1000 / n, 2),
        "load_average_1": round(os.getloadavg()[0], 2),
    }


def bench_service(*, programme, admin, enterprises, threads: int, per_thread: int, tag: str) -> dict:
    from django.db import transaction

    from applications.models import Application
    from vouchers.models import Award
    from vouchers.services.budget import award_reserve, pool_set_amount

    n = threads * per_thread
    # half the programme's total over the policy period (10,000,000 for hp-compute-voucher): the view's
    # 2025 pool takes the other half
    pool = pool_set_amount(actor=admin, programme=programme, fiscal_year=2026, amount=Decimal("5000000"))
    before = (Award.objects.filter(pool=pool).count(), pool.reserved)
    Application.objects.bulk_create(
        [
            Application(
                reference=f"B{tag}-{i:06d}",
                enterprise_id=enterprises[i % len(enterprises)],
                programme=programme,
                created_by=admin,
                state="bureau_review",
                title=f"基准{i}",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    # loaded as the decision's transition locks them (applications.services: programme and policy)
    apps = list(
        Application.objects.filter(reference__startswith=f"B{tag}-").select_related("programme__policy").order_by("pk")
    )
    chunks = [apps[i::threads] for i in range(threads)]
    on = dt.date(2026, 6, 1)
    refused = [0]

    def work(i: int) -> None:
        from django.core.exceptions import ValidationError

        for app in chunks[i]:
            try:
                with transaction.atomic():  # the caller's transaction (the approve transition)
                    award_reserve(
                        actor=admin,
                        application=app,
                        decided_on=on,
                        parameters={},
                        explanation=[],
                        idempotency_key=f"bench:{app.pk}",
                        lines=[{"enterprise_id": app.enterprise_id, "line": "", "amount": Decimal("100.00")}],
                    )
            except ValidationError:
                refused[0] += 1

    elapsed, cpu = _run_threads(threads, work)
    pool.refresh_from_db()
    reserved = Award.objects.filter(pool=pool).count() - before[0]
    assert reserved == n - refused[0] and pool.reserved - before[1] == Decimal("100.00") * reserved, "out of step"
    return {**_figures(n, elapsed, cpu), "refused": refused[0]}


def statements_per_reservation(*, programme, admin, enterprise_id: int, tag: str) -> dict:
    """The statements of one more reservation on a new enterprise (its counter is created) and of one
    on the same enterprise again, BEGIN and COMMIT of its transaction included."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application
    from vouchers.services.budget import award_reserve

    counts = {}
    for i, case in enumerate(("new_enterprise", "same_enterprise")):
        app = Application.objects.create(
            reference=f"S{tag}-{i}",
            enterprise_id=enterprise_id,
            programme=programme,
            created_by=admin,
            state="bureau_review",
            title=f"语句{i}",
        )
        app = Application.objects.select_related("programme__policy").get(pk=app.pk)
        with CaptureQueriesContext(connection) as q, transaction.atomic():
            award_reserve(
                actor=admin,
                application=app,
                decided_on=dt.date(2026, 6, 1),
                parameters={},
                explanation=[],
                idempotency_key=f"bench-statements:{app.pk}",
                lines=[{"enterprise_id": enterprise_id, "line": "", "amount": Decimal("100.00")}],
            )
        counts[case] = len(q)
    return counts


def bench_bare(*, db_url: str, pool_id: int, threads: int, per_thread: int) -> dict:
    """The floor: one transaction per reservation that locks the pool row, checks what is left,
    appends the ledger row and updates the pool, in plain SQL through psycopg."""
    import psycopg

    conns = [psycopg.connect(db_url) for _ in range(threads)]
    amount = Decimal("100.00")

    def work(i: int) -> None:
        conn = conns[i]
        for _ in range(per_thread):
            with conn.transaction():
                row = conn.execute(
                    "SELECT amount - reserved - committed FROM vouchers_budgetpool WHERE id = %s FOR UPDATE", (pool_id,)
                ).fetchone()
                if row[0] < amount:
                    continue
                conn.execute(
                    "INSERT INTO vouchers_ledgerentry (pool_id, kind, amount, reference, released_from, "
                    "created_at) VALUES (%s, 'reserve', %s, 'bare', '', now())",
                    (pool_id, amount),
                )
                conn.execute(
                    "UPDATE vouchers_budgetpool SET reserved = reserved + %s, updated_at = now() WHERE id = %s",
                    (amount, pool_id),
                )

    try:
        elapsed, cpu = _run_threads(threads, work)
    finally:
        for c in conns:
            c.close()
    return _figures(threads * per_thread, elapsed, cpu)


# --- the budget view with many applications -------------------------------------------------------


def generate_applications(*, count: int, admin, programmes, enterprises) -> float:
    """`count` applications spread over programmes, states and two years, inserted with bulk_create
    (through the model, so that columns other apps add keep their defaults)."""
    from django.db import connection
    from django.utils import timezone

    from applications.models import Application
    from applications.workflow import State

    start = time.perf_counter()
    rng = random.Random(7)
    states = [s.value for s in State]
    weights = [3, 2, 2, 1, 1, 2, 1, 1, 5, 3, 1]
    tz = timezone.get_current_timezone()
    batch = []
    for i in range(count):
        state = rng.choices(states, weights)[0]
        created = dt.datetime(
            rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 18), tzinfo=tz
        )
        batch.append(
            Application(
                reference=f"G{i:07d}",
                enterprise_id=rng.choice(enterprises),
                programme=rng.choice(programmes),
                state=state,
                title=f"项目{i}",
                created_by=admin,
                submitted_at=None if state == "draft" else created + dt.timedelta(days=1),
            )
        )
        if len(batch) == 5000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE applications_application")
    return time.perf_counter() - start


def bench_view(*, admin, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(admin, backend="portal.backends.EmailOrUsernameBackend")
    figures = {}
    for name, url in (
        ("overview", "/manage/budget/"),
        ("overview_one_year", "/manage/budget/?year=2026"),
        ("export_xlsx", "/manage/budget/export.xlsx"),
    ):
        for _ in range(2):
            assert client.get(url).status_code == 200
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        figures[name] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": len(q),
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--per-thread", type=int, default=100, help="reservations per thread and run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of bare and service")
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--view-runs", type=int, default=15)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    if not base.startswith(("postgres://", "postgresql://")):
        print("bench_budget needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    db_url, admin_url, name = _bench_db_url(base)
    _recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PORTAL_STAFF_REQUIRE_2FA = False
    call_command("migrate", verbosity=0)
    from applications.models import Enterprise
    from portal.models import Role, User
    from tests.factories import make_uscc
    from vouchers.models import BudgetPool, Programme
    from vouchers.services.budget import pool_set_amount
    from vouchers.services.catalogue import catalogue_load

    catalogue_load()
    # the system administrator: its budget spans every district's programmes (a bureau administrator's
    # is its district's)
    admin = User.objects.create_user(
        username="bench-admin", email="bench-admin@example.cn", password="x", role=Role.SYSADMIN
    )
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"基准企业{i}",
                credit_code=make_uscc(700000 + i),
                registered_district="huangpu",
                tax_district="huangpu",
                stats_district="huangpu",
                contact_name="联系人",
                contact_phone="020-1",
            )
            for i in range(5000)
        ]
    )
    enterprises = list(Enterprise.objects.values_list("pk", flat=True))
    with django.db.connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]

    programmes = {p.code: p for p in Programme.objects.select_related("policy")}
    voucher = programmes["hp-compute-voucher"]  # a pool, the programme's period total, the enterprise's cap
    bare_pool = pool_set_amount(
        actor=admin, programme=programmes["hp-data-space"], fiscal_year=2026, amount=Decimal("100000000")
    )

    print(f"reservations under contention: {args.threads} threads × {args.per_thread} per run, one pool")
    runs = {"bare": [], "service": []}
    for r in range(args.rounds):
        bare = bench_bare(db_url=db_url, pool_id=bare_pool.pk, threads=args.threads, per_thread=args.per_thread)
        runs["bare"].append(bare)
        print(
            f"  round {r + 1}: bare SQL  {bare['per_second']:8.1f} /s  ({bare['reservations']} in {bare['seconds']} s,"
            f" CPU {bare['cpu_ms_per_reservation']} ms each, load {bare['load_average_1']})"
        )
        # each round on its own enterprises, so that the per-enterprise counters start fresh as in real use
        ents = enterprises[r * 2000 : (r + 1) * 2000]
        svc = bench_service(
            programme=voucher,
            admin=admin,
            enterprises=ents,
            threads=args.threads,
            per_thread=args.per_thread,
            tag=str(r),
        )
        runs["service"].append(svc)
        print(
            f"  round {r + 1}: service   {svc['per_second']:8.1f} /s  ({svc['reservations']} in {svc['seconds']} s,"
            f" CPU {svc['cpu_ms_per_reservation']} ms each, load {svc['load_average_1']})"
        )
    bare_ps = statistics.median(x["per_second"] for x in runs["bare"])
    svc_ps = statistics.median(x["per_second"] for x in runs["service"])
    ratio = svc_ps / bare_ps
    print(f"  median: bare {bare_ps:.1f} /s, service {svc_ps:.1f} /s → ratio {ratio:.2f} (target ≥ 0.30)")
    statements = statements_per_reservation(
        programme=voucher, admin=admin, enterprise_id=enterprises[-1], tag=str(args.rounds)
    )
    print(
        f"  statements per reservation (BEGIN and COMMIT included): {statements['new_enterprise']} on a new"
        f" enterprise, {statements['same_enterprise']} on the same again; bare SQL 5"
    )
    call_command("budget_check", verbosity=0)
    print("  budget_check: every pool matches its ledger")

    if args.applications <= 0:
        print("budget view: skipped (--applications 0)")
        return 0 if ratio >= 0.3 else 1
    print(f"budget view with {args.applications:,} applications")
    # a pool per programme and year, so that the overview has every row filled
    for p in programmes.values():
        for year in (2025, 2026):
            if not BudgetPool.objects.filter(programme=p, fiscal_year=year).exists():
                pool_set_amount(actor=admin, programme=p, fiscal_year=year, amount=Decimal("5000000"))
    gen = generate_applications(
        count=args.applications, admin=admin, programmes=list(programmes.values()), enterprises=enterprises
    )
    from applications.models import Application

    total_apps = Application.objects.count()
    print(f"  generated in {gen:.1f} s (bulk_create); {total_apps:,} applications in the database")
    view = bench_view(admin=admin, runs=args.view_runs)
    for k, v in view.items():
        print(f"  {k:18s} median {v['median_ms']:7.1f} ms  max {v['max_ms']:7.1f} ms  queries {v['queries']}")
    ok_view = view["overview"]["median_ms"] < 200

    result = {
        "benchmark": "bench_budget",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": _machine(),
        "postgres": pg_version,
        "threads": args.threads,
        "per_thread": args.per_thread,
        "reservations": {
            "bare": runs["bare"],
            "service": runs["service"],
            "bare_median_per_second": bare_ps,
            "service_median_per_second": svc_ps,
            "ratio": round(ratio, 3),
            "statements_per_reservation": statements,
            "target_ratio": 0.3,
            "met": ratio >= 0.3,
        },
        "view": {"applications": total_apps, **view, "target_ms": 200, "met": ok_view},
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"budget-{dt.date.today():%Y%m%d}-{platform.node() or 'host'}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if ratio >= 0.3 and ok_view else 1


if __name__ == "__main__":
    sys.exit(main())
