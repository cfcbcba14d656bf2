#!/usr/bin/env python
"""Server time of the list pages and list endpoints, one request at a time, on the generated data.

    .venv/bin/python bench/generate.py            # once: portal_bench with 100,000 applications
    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/bench_lists.py   # --database-url, --runs, --warmup

(REDIS_URL is required: the production settings it runs on refuse to start without their cache.)

Each request goes through the whole Django stack in this process (the WSGI handler behind the test
Client, production settings from portal.settings.bench: DEBUG off, every middleware, staff
two-factor login verified in the session), warm: the first --warmup requests are not counted.
Prints the median, p95 and maximum per URL (and the median CPU time of this process per request,
which the machine's other work moves less than the wall time) with its SQL query count, and writes
them to bench/results/lists-<date>.json/.txt.

Targets (issue 8): GET /api/v1/applications/ (a page of 50) median ≤ 5 ms and p95 ≤ 15 ms, as a
bureau reviewer who sees everything and as an enterprise user; the reviewer queue page median ≤ 25 ms.
Issue 13: the administrators' overdue list, letters, budget overview and notices pages median ≤ 50 ms
each. The load average of the machine is written beside the figures, at the start and at the end: on
a loaded machine the wall times grow with it, the CPU time of this process much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header, postgres_version, write_results  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
TARGETS = {  # name: (median ms, p95 ms)
    "api_applications_bureau": (5, 15),
    "api_applications_enterprise": (5, 15),
    "page_review_queue": (25, None),
    "page_overdue_admin": (50, None),
    "page_letters_admin": (50, None),
    "page_budget": (50, None),
    "page_notices_admin": (50, None),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    import django

    django.setup()


def cast():
    """The users the lists are measured for: a reviewer, an administrator, an expert, a provider and
    the owner of the enterprise with the most applications (all from the generated data)."""
    from django.db.models import Count

    from applications.models import Enterprise
    from portal.models import Role, User

    def first(role: str) -> User:
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit(f"no {role} in the database: run bench/generate.py first")
        return user

    busiest = Enterprise.objects.annotate(n=Count("applications")).order_by("-n", "pk").values_list("pk", "n").first()
    owner = User.objects.get(membership__enterprise_id=busiest[0], membership__member_role="owner")
    return {
        "reviewer": first(Role.REVIEWER),
        "admin": first(Role.BUREAU_ADMIN),
        "expert": first(Role.EXPERT),
        "provider": first(Role.PROVIDER),
        "enterprise": owner,
        "enterprise_applications": busiest[1],
    }


def client_for(user, *, api: bool):
    """A test Client signed in as `user`: by token (API) or by session with the TOTP step done."""
    from django.test import Client

    if api:
        from knox.models import AuthToken

        _instance, token = AuthToken.objects.create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token}")
    client = Client()
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    if user.is_staff_role:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def measure(client, url: str, *, runs: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        r = client.get(url)
        if r.status_code != 200:
            raise SystemExit(f"GET {url} → {r.status_code}: {r.content[:300]!r}")
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    return {
        "url": url,
        "runs": runs,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
        "max_ms": round(max(times), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(q),
        "bytes": len(r.content),
    }


def deep_pages(client, url: str, pages: int) -> dict:
    """Follow `next` links: the time of each of the first `pages` pages (keyset pages cost the same)."""
    times, n = [], 0
    while url and n < pages:
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        url = r.json().get("next")
        n += 1
    return {"pages": n, "median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--only", default="", help="comma-separated case names (default: all; no results file)")
    args = parser.parse_args()
    setup(args.database_url)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    from applications.models import Application

    people = cast()
    total = Application.objects.count()
    print(f"lists on {total:,} applications; enterprise user owns {people['enterprise_applications']} of them")
    api = {
        role: client_for(people[role], api=True) for role in ("reviewer", "admin", "enterprise", "expert", "provider")
    }
    web = {
        role: client_for(people[role], api=False) for role in ("reviewer", "admin", "enterprise", "expert", "provider")
    }
    cases = [
        ("api_applications_bureau", api["reviewer"], "/api/v1/applications/"),
        ("api_applications_enterprise", api["enterprise"], "/api/v1/applications/"),
        ("page_review_queue", web["reviewer"], "/review/"),
        ("api_applications_bureau_state", api["reviewer"], "/api/v1/applications/?state=formal_review"),
        ("api_applications_bureau_programme", api["reviewer"], "/api/v1/applications/?programme=hp-compute-voucher"),
        ("page_review_queue_admin", web["admin"], "/review/"),
        ("page_review_queue_page_5", web["reviewer"], "/review/?page=5"),
        ("page_overdue_admin", web["admin"], "/review/overdue/"),
        ("api_review_queue", api["reviewer"], "/api/v1/reviews/queue/"),
        ("page_applications_enterprise", web["enterprise"], "/applications/"),
        ("page_expert_list", web["expert"], "/expert/"),
        ("page_budget", web["admin"], "/manage/budget/"),
        ("page_public_notices", web["admin"], "/notices/"),
        ("page_notices_admin", web["admin"], "/review/notices/"),
        ("api_notices", api["admin"], "/api/v1/reviews/notices/"),
        ("page_letters_admin", web["admin"], "/letters/"),
        ("page_catalogue", web["enterprise"], "/catalogue/"),
        ("api_programs", api["enterprise"], "/api/v1/programs/"),
    ]
    only = {n for n in args.only.split(",") if n}
    if only:
        cases = [c for c in cases if c[0] in only]
    results, lines = {}, []
    for name, client, url in cases:
        runs = args.runs if name in TARGETS else max(20, args.runs // 5)
        try:
            r = measure(client, url, runs=runs, warmup=args.warmup if name in TARGETS else 5)
        except (SystemExit, Exception) as exc:  # noqa: BLE001 - one failing page must not stop the others
            from django.db import connections

            connections.close_all()  # e.g. the database was restarted meanwhile: reconnect for the next
            print(f"  {name:36s} failed: {str(exc)[:200]}")
            results[name] = {"url": url, "error": str(exc)[:500]}
            continue
        target = TARGETS.get(name)
        if target:
            r["target_median_ms"], r["target_p95_ms"] = target
            r["met"] = r["median_ms"] <= target[0] and (target[1] is None or r["p95_ms"] <= target[1])
        results[name] = r
        verdict = "" if not target else ("  ✓ target met" if r["met"] else "  ✗ target MISSED")
        line = (
            f"  {name:36s} median {r['median_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f}  max {r['max_ms']:7.2f}  "
            f"(CPU {r['cpu_median_ms']:6.2f})  queries {r['queries']:3d}  {r['bytes'] / 1024:6.1f} KiB{verdict}"
        )
        print(line)
        lines.append(line)
    for name, client in (
        ("api_applications_bureau_deep", api["reviewer"]),
        ("api_applications_enterprise_deep", api["enterprise"]),
    ):
        if only:
            break
        r = deep_pages(client, "/api/v1/applications/", 40)
        results[name] = r
        line = f"  {name:36s} {r['pages']} pages following next: median {r['median_ms']:.2f} ms, max {r['max_ms']:.2f}"
        print(line)
        lines.append(line)
    result = {
        **header("lists"),
        "postgres": postgres_version(),
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "applications": total,
        "enterprise_applications": people["enterprise_applications"],
        "results": results,
    }
    met = all(results[n].get("met") for n in TARGETS if n in results)
    result["machine"]["load_average_at_start"] = load_at_start  # header() is read after the runs
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if only:
        return 0 if met else 1
    start_load = result["machine"]["load_average_at_start"]
    text = "\n".join(
        [
            f"lists benchmark {result['date']} ({result['machine']['uname']}, {result['machine']['cpus']} "
            f"CPUs, {result['machine']['memory']}), {total:,} applications",
            f"load average at start {start_load}, at end {result['load_average_at_end']} (1, 5, 15 min)",
            *lines,
            f"targets {'met' if met else 'MISSED'}",
        ]
    )
    path = write_results("lists", result, text)
    print(f"written to {path.relative_to(ROOT)} (and .txt)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
