#!/usr/bin/env python
"""Server time of 政策成效 (the results page, its Excel export and /api/v1/results/) on the generated data.

    .venv/bin/python bench/generate.py --database-url postgres://…/portal_bench   # once
    .venv/bin/python bench/bench_results.py --database-url postgres://…/portal_bench [--runs 5]

The generated data has awards, payments and pools but no routes and no matches: the first run gives
the approved applications routes (a fifth 免申即享, a third 快申快享, the rest 依申请, by id) and every
enterprise a stored match with each programme of its district (likely for about a third), as a
matching run would leave them; later runs find them there. Then, warm, one request at a time through
the whole Django stack (bench_lists' client and settings): the page as a district's administrator
and as the system administrator, the export, the API; and results_for_actor alone. Prints the median
wall and CPU time per request with its SQL query count and the load average, and writes them to
bench/results/results-<date>.json/.txt. No target is set by the issue; the figures are for the record.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_lists import DEFAULT_URL, client_for, measure, setup  # noqa: E402
from bench.machine import header, postgres_version, write_results  # noqa: E402


def prepare(seed: int) -> dict:
    """Routes for the approved applications and a stored match for every enterprise (once)."""
    from django.db import connection
    from django.utils import timezone

    from applications.models import Application, Enterprise
    from proactive.models import MatchSet
    from vouchers.models import Programme

    done = {"routes_set": False, "matches_written": 0}
    if not Application.objects.exclude(route="applied").exists():
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE applications_application SET route = CASE WHEN id % 5 = 0 THEN 'auto' "
                "WHEN id % 3 = 0 THEN 'quick' ELSE 'applied' END WHERE submitted_at IS NOT NULL"
            )
        done["routes_set"] = True
    if not MatchSet.objects.exists():
        rng = random.Random(seed)
        programmes = list(Programme.objects.select_related("policy").values_list("code", "policy__district"))
        now = timezone.now()
        rows = []
        for enterprise_id, district in Enterprise.objects.values_list("pk", "registered_district"):
            results = [
                {
                    "programme": code,
                    "status": "likely" if rng.random() < 0.33 else "possible",
                    "amount": None,
                    "missing": [],
                    "reasons": [],
                }
                for code, programme_district in programmes
                if programme_district == district
            ]
            rows.append(MatchSet(enterprise_id=enterprise_id, results=results, digest="bench", computed_at=now))
        MatchSet.objects.bulk_create(rows, batch_size=2000)
        done["matches_written"] = len(rows)
    return done


def direct(actor, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proactive.results import results_for_actor

    results_for_actor(actor=actor)  # warm
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        rows = results_for_actor(actor=actor)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    with CaptureQueriesContext(connection) as q:
        results_for_actor(actor=actor)
    return {
        "rows": len(rows),
        "median_ms": round(statistics.median(wall), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "queries": len(q.captured_queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup(args.database_url)
    from django.db.models import Count, Q
    from django.urls import reverse

    from applications.models import Application
    from portal.models import Role, User
    from vouchers.models import Award, LedgerEntry

    prepared = prepare(args.seed)
    admin = User.objects.filter(role=Role.BUREAU_ADMIN, is_active=True).exclude(district="").order_by("pk").first()
    sysadmin = User.objects.filter(role=Role.SYSADMIN, is_active=True).order_by("pk").first()
    if sysadmin is None:
        sysadmin = User.objects.create(username="bench-sys", email="bench-sys@bench.example.cn", role=Role.SYSADMIN)
    if admin is None:
        raise SystemExit("no bureau administrator: run bench/generate.py first")
    data = {
        "applications": Application.objects.count(),
        "by_route": dict(
            Application.objects.filter(submitted_at__isnull=False).values_list("route").annotate(n=Count("id"))
        ),
        "committed_awards": Award.objects.filter(status="committed").count(),
        "disbursements": LedgerEntry.objects.filter(Q(kind="disburse")).count(),
    }
    load_before = os.getloadavg()
    figures = {
        "results_for_actor_district_admin": direct(admin, args.runs),
        "results_for_actor_sysadmin": direct(sysadmin, args.runs),
    }
    page, export, api = reverse("proactive:results"), reverse("proactive:results_export"), reverse("api-results")
    for name, user, url, is_api in (
        ("page_district_admin", admin, page, False),
        ("page_sysadmin", sysadmin, page, False),
        ("export_sysadmin", sysadmin, export, False),
        ("api_district_admin", admin, api, True),
    ):
        figures[name] = measure(client_for(user, api=is_api), url, runs=args.runs, warmup=args.warmup)
    load_after = os.getloadavg()
    result = {
        **header("results"),
        "postgres": postgres_version(),
        "prepared": prepared,
        "data": data,
        "runs": args.runs,
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "figures": figures,
    }
    lines = [
        f"results benchmark {result['date']} commit {result['git_commit']} (PostgreSQL {result['postgres']})",
        f"  data: {data['applications']:,} applications, submitted by route {data['by_route']}, "
        f"{data['committed_awards']:,} committed awards, {data['disbursements']:,} disbursements",
        f"  load average before {result['load_average']['before']} after {result['load_average']['after']} "
        f"({os.cpu_count()} CPUs)",
    ]
    for name, f in figures.items():
        cpu = f.get("cpu_median_ms")
        lines.append(
            f"  {name:36s} median {f['median_ms']:8.1f} ms wall, {cpu} ms CPU, {f['queries']} queries"
            + (f", {f['rows']} rows" if "rows" in f else "")
        )
    text = "\n".join(lines)
    print(text)
    write_results("results", result, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
