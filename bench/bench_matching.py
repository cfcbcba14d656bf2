#!/usr/bin/env python
"""Matching benchmark (PostgreSQL): 政策找企业 for 20,000 enterprises, each with a full 一企一档 (revenue and
R&D for two years, 1–11月 revenue, credit grade, registration date, address, industry code, DCMM level,
filings, national platform), against every programme of the catalogue with a window open.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_matching.py
    [--enterprises 20000] [--keep]

It works in its own database (the DATABASE_URL's name + "_bench_matching", dropped and created anew),
generates its data as bench/generate.py does (districts split between Huangpu and Tianhe, credit codes
with their check character, facts for every enterprise), and times three runs of `matching_run`:
cold (every match set written), warm (nothing changed, nothing written) and after 1% of the
enterprises' facts changed, each with the CPU time and the time spent waiting for a CPU of this process
and of its PostgreSQL backend (the machine is shared). Target: the cold run ≤ 10 s. Figures are printed and written to
bench/results/matching-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0


def _bench_db(base: str) -> tuple[str, str, str]:
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "portal") + "_bench_matching"
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres")), name


def _recreate(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(n: int, seed: int) -> None:
    from django.utils import timezone

    from applications.models import Enterprise
    from proactive.models import Department, EnterpriseFact
    from vouchers.calculator import uscc_check_char
    from vouchers.models import ApplicationWindow, Programme
    from vouchers.services.catalogue import catalogue_load

    rng = random.Random(seed)
    catalogue_load()
    now = timezone.now()
    ApplicationWindow.objects.bulk_create(
        [
            ApplicationWindow(
                programme=p, name="基准批次", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=60)
            )
            for p in Programme.objects.all()
        ]
    )
    industries = ["ai", "software", "data", "other"]
    enterprises = []
    for i in range(n):
        district = "huangpu" if i % 2 == 0 else "tianhe"
        split = rng.random() < 0.05  # a few are taxed elsewhere
        body = f"91440{'112' if district == 'huangpu' else '106'}{i:09d}"
        enterprises.append(
            Enterprise(
                name=f"广州基准{i:05d}号科技有限公司",
                credit_code=body + uscc_check_char(body),
                registered_district=district,
                tax_district=("tianhe" if district == "huangpu" else "huangpu") if split else district,
                stats_district=district,
                industry=rng.choice(industries),
                is_above_scale=rng.random() < 0.4,
                contact_name="联系人",
                contact_phone="020-12345678",
                verification_state="verified",
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=5000)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    facts = []

    def add(eid, kind, value, period="", dept=Department.STATISTICS):
        facts.append(
            EnterpriseFact(enterprise_id=eid, kind=kind, value=value, period=period, department=dept, source="基准数据")
        )

    for eid in ids:
        revenue = rng.choice([2e7, 3e8, 6e9, 8e9]) * rng.uniform(0.8, 1.2)
        growth = rng.uniform(0.9, 1.4)
        rd = revenue * rng.uniform(0.02, 0.12)
        add(eid, "annual_revenue", f"{revenue:.2f}", "2025")
        add(eid, "annual_revenue", f"{revenue / growth:.2f}", "2024")
        add(eid, "revenue_jan_nov", f"{revenue * 0.9:.2f}", "2025-11")
        add(eid, "revenue_jan_nov", f"{revenue * 0.9 / growth:.2f}", "2024-11")
        add(eid, "rd_expense", f"{rd:.2f}", "2025", Department.TAX)
        add(eid, "rd_expense", f"{rd / rng.uniform(0.8, 1.3):.2f}", "2024", Department.TAX)
        add(eid, "above_scale", "true" if revenue > 2e7 else "false", "2025")
        add(eid, "credit_grade", rng.choice("ABMCD"), "2025", Department.TAX)
        add(
            eid,
            "registration_date",
            f"{rng.randint(2005, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "",
            Department.MARKET,
        )
        add(eid, "address", f"广州市某区科学大道{rng.randint(1, 999)}号", "", Department.MARKET)
        add(eid, "industry_code", rng.choice(["I6513", "I6520", "C3911"]), "", Department.MARKET)
        add(eid, "dcmm_level", rng.choice("12345"), "", Department.BUREAU)
        add(eid, "cac_deep_synthesis", rng.choice(["true", "false"]), "", Department.BUREAU)
        add(eid, "genai_filing", rng.choice(["true", "false"]), "", Department.BUREAU)
        add(eid, "national_platform", "true" if rng.random() < 0.05 else "false", "", Department.BUREAU)
    EnterpriseFact.objects.bulk_create(facts, batch_size=10000)


def _usage():
    from django.db import connection

    from bench.procstat import Usage

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    return Usage({"python": lambda: [os.getpid()], "postgres": lambda: [backend]})


def _timed(usage, fn) -> dict:
    """Wall seconds, CPU and time waited for a CPU of this process and its PostgreSQL backend (read from
    /proc: the database runs on this machine), and the load average after."""
    before, t = usage.snapshot(), time.perf_counter()
    value = fn()
    seconds, after = time.perf_counter() - t, usage.snapshot()
    out = {"value": value, "seconds": round(seconds, 2), "load": round(os.getloadavg()[0], 2)}
    for group in ("python", "postgres"):
        out[f"cpu_{group}"] = round(after.cpu[group] - before.cpu[group], 2)
        out[f"waited_{group}"] = round(after.waited[group] - before.waited[group], 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="reuse the database generated last time")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    url, admin_url, name = _bench_db(base)
    if not args.keep:
        _recreate(admin_url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)
    os.environ["PROACTIVE_MATCH_ON_CHANGE"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PROACTIVE_MATCH_ON_CHANGE = False  # the bench times the runs itself
    from bench.machine import header, write_results
    from proactive.matching import matches_compute, matching_run, open_programmes
    from proactive.models import EnterpriseFact, MatchSet

    if not args.keep:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        generate(args.enterprises, args.seed)
        print(
            f"generated {args.enterprises:,} enterprises with {EnterpriseFact.objects.count():,} facts "
            f"in {time.perf_counter() - t:.1f} s"
        )
    MatchSet.objects.all().delete()
    programmes = open_programmes()
    usage = _usage()
    compute = _timed(usage, lambda: matches_compute(programmes=programmes))
    cold_t = _timed(usage, lambda: matching_run(trigger="bench cold"))
    warm_t = _timed(usage, lambda: matching_run(trigger="bench warm"))
    cold, warm = cold_t["value"], warm_t["value"]
    changed_ids = list(
        MatchSet.objects.order_by("?").values_list("enterprise_id", flat=True)[: args.enterprises // 100]
    )
    EnterpriseFact.objects.filter(enterprise_id__in=changed_ids, kind="dcmm_level").update(value="5")
    after_t = _timed(usage, lambda: matching_run(trigger="bench facts changed"))
    after = after_t["value"]
    pairs = sum(sum(v.values()) for v in cold.counts.values())
    totals: dict[str, int] = {}
    for by_status in cold.counts.values():
        for status, n in by_status.items():
            totals[status] = totals.get(status, 0) + n
    cold_s = cold_t["seconds"]
    phases = {"compute_only": compute, "cold": cold_t, "warm": warm_t, "after_change": after_t}
    result = {
        **header("matching"),
        "enterprises": cold.enterprises,
        "programmes": len(programmes),
        "pairs_in_district": pairs,
        "by_status": totals,
        **{f"{name}_{key}": value for name, t in phases.items() for key, value in t.items() if key != "value"},
        "cold_written": cold.written,
        "warm_written": warm.written,
        "after_change_written": after.written,
        "target_seconds": TARGET_SECONDS,
        "meets_target": cold_s <= TARGET_SECONDS,
    }
    lines = [
        f"matching: {cold.enterprises:,} enterprises × {len(programmes)} programmes "
        f"({pairs:,} pairs in district: {totals})",
        "  (CPU: this process + its PostgreSQL backend; waited: time ready to run but without a CPU)",
    ]
    for label, t, written in (
        ("compute only          ", compute, None),
        ("cold run (all written)", cold_t, cold.written),
        ("warm run (no change)  ", warm_t, warm.written),
        ("after 1% facts changed", after_t, after.written),
    ):
        lines.append(
            f"  {label} {t['seconds']:6.2f} s  CPU {t['cpu_python']:.2f} + {t['cpu_postgres']:.2f} s, "
            f"waited {t['waited_python']:.2f} + {t['waited_postgres']:.2f} s, load {t['load']:.1f}"
            + (f", written {written:,}" if written is not None else "")
        )
    lines.append(
        f"  target cold ≤ {TARGET_SECONDS:.0f} s: {'met' if cold_s <= TARGET_SECONDS else 'NOT met'} on "
        f"{os.cpu_count()} CPUs; cold wall less this process's wait for a CPU (≈ a quiet machine's wall: "
        f"the backend parses on the other core meanwhile): {cold_s - cold_t['waited_python']:.2f} s"
    )
    text = "\n".join(lines)
    print(text)
    print(write_results("matching", result, text))
    return 0 if cold_s <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
