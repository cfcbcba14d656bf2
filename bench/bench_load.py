#!/usr/bin/env python
"""Throughput under load: gunicorn with 2 workers (production settings over plain http,
portal.settings.bench) on the generated data, loaded from a second process on loopback by wrk
(16 connections, 2 threads, a bounded duration), token-authenticated.

    .venv/bin/python bench/generate.py            # once: portal_bench with 100,000 applications
    .venv/bin/python bench/bench_load.py          # --port, --duration, --connections, --rounds

Per round, the same server answers GET /healthz (a trivial JSON view, no database) and then
GET /api/v1/applications/ (a page of 50) as a bureau reviewer who sees everything and as an
enterprise user. Target (issue 8): the application list reaches at least 0.1 × the requests per
second of /healthz in the same run. Figures go to bench/results/load-<date>.json/.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header, postgres_version, write_results  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
TARGET_RATIO = 0.1
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")


def parse_wrk(out: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    return {
        "requests_per_second": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "latency_ms": {f"p{k}": round(v, 2) for k, v in latency.items()},
    }


def wrk(url: str, *, token: str | None, threads: int, connections: int, duration: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Token {token}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    result = parse_wrk(out)
    if not result["requests"]:
        print(out, file=sys.stderr)
    return result


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed and could not be installed (apt-get install -y wrk)")


def tokens(url: str) -> dict[str, str]:
    """Tokens of a reviewer and of the owner of the enterprise with the most applications."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.bench"
    import django

    django.setup()
    from django.db.models import Count
    from knox.models import AuthToken

    from applications.models import Enterprise
    from portal.models import Role, User

    reviewer = User.objects.filter(role=Role.REVIEWER, is_active=True).order_by("pk").first()
    busiest = Enterprise.objects.annotate(n=Count("applications")).order_by("-n", "pk").values_list("pk", flat=True)
    owner = User.objects.filter(membership__enterprise_id=busiest.first(), membership__member_role="owner").first()
    if reviewer is None or owner is None:
        raise SystemExit("no generated data: run bench/generate.py first")
    return {
        "reviewer": AuthToken.objects.create(user=reviewer)[1],
        "enterprise": AuthToken.objects.create(user=owner)[1],
    }


def start_gunicorn(*, url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.bench"}
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "portal.wsgi:application",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8108")))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of healthz, then each list, alternating")
    args = parser.parse_args()
    ensure_wrk()
    keys = tokens(args.database_url)
    base = f"http://127.0.0.1:{args.port}"
    targets = [
        ("healthz", f"{base}/healthz", None),
        ("api_applications_bureau", f"{base}/api/v1/applications/", keys["reviewer"]),
        ("api_applications_enterprise", f"{base}/api/v1/applications/", keys["enterprise"]),
    ]
    proc = start_gunicorn(url=args.database_url, port=args.port, workers=args.workers)
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
    lines = []
    try:
        for _name, url, token in targets:  # warm every worker: imports, connections, caches
            wrk(url, token=token, threads=args.threads, connections=args.connections, duration=3)
        for r in range(1, args.rounds + 1):
            for name, url, token in targets:
                res = wrk(url, token=token, threads=args.threads, connections=args.connections, duration=args.duration)
                runs[name].append(res)
                line = (
                    f"  round {r} {name:30s} {res['requests_per_second']:9.1f} req/s  "
                    f"p50 {res['latency_ms'].get('p50', 0):7.2f} ms  p99 {res['latency_ms'].get('p99', 0):8.2f} ms"
                    f"  non-2xx {res['non_2xx']}  socket errors {res['socket_errors']}"
                )
                print(line)
                lines.append(line)
    finally:
        stop(proc)
    summary = {}
    for name in runs:
        summary[name] = {
            "median_requests_per_second": round(statistics.median(x["requests_per_second"] for x in runs[name]), 1)
        }
    base_rps = summary["healthz"]["median_requests_per_second"]
    met = True
    for name in ("api_applications_bureau", "api_applications_enterprise"):
        # The machine's other work moves both figures; rounds alternate healthz and the lists, and the
        # verdict takes the medians over the rounds (the worst single round is reported beside it).
        ratios = [
            lst["requests_per_second"] / h["requests_per_second"]
            for lst, h in zip(runs[name], runs["healthz"], strict=True)
            if h["requests_per_second"]
        ]
        ratio = round(summary[name]["median_requests_per_second"] / base_rps, 3) if base_rps else 0.0
        worst = round(min(ratios), 3) if ratios else 0.0
        ok = ratio >= TARGET_RATIO and all(x["non_2xx"] == 0 and x["socket_errors"] == 0 for x in runs[name])
        summary[name].update(ratio_to_healthz=ratio, ratio_worst_round=worst, target_ratio=TARGET_RATIO, met=ok)
        met &= ok
        line = (
            f"  {name:38s} {summary[name]['median_requests_per_second']:9.1f} req/s = {ratio:.3f} × healthz "
            f"({base_rps:.1f} req/s; worst round {worst:.3f}); target ≥ {TARGET_RATIO} "
            f"{'✓ met' if ok else '✗ MISSED'}"
        )
        print(line)
        lines.append(line)
    import django.db

    result = {
        **header("load"),
        "postgres": postgres_version(),
        "settings": "portal.settings.bench",
        "server": f"gunicorn, {args.workers} sync workers, 127.0.0.1:{args.port}",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} rounds",
        "runs": runs,
        "summary": summary,
    }
    django.db.connections.close_all()
    text = "\n".join(
        [
            f"load benchmark {result['date']} ({result['machine']['uname']}, {result['machine']['cpus']} "
            f"CPUs, {result['machine']['memory']}); {result['server']}; {result['load']}",
            *lines,
            f"target {'met' if met else 'MISSED'}",
        ]
    )
    path = write_results("load", result, text)
    print(f"written to {path.relative_to(ROOT)} (and .txt)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
