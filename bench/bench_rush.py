#!/usr/bin/env python
"""The deadline rush (issue 15): the last hour before a window closes, 200 enterprises at once, each
signing in, saving its draft, uploading three 2 MB PDFs and submitting with the declaration — through
nginx (configured from deploy/nginx's template: TLS, buffered bodies, the upload limit; bench/proxy.py)
and gunicorn (deploy/gunicorn.conf.py, production settings over the proxy: portal.settings.bench) on
PostgreSQL, with a Celery worker taking the notifications as in production.

    bin/setup --with-bench                           # nginx, where it is missing
    .venv/bin/python bench/bench_rush.py             # --enterprises 200 --workers 4 --ramp 0 …
    .venv/bin/python bench/bench_rush.py --enterprises 20    # a short run

Each enterprise is one browser (bench/rush_client.py: a thread with a keep-alive TLS connection, its
cookies and the CSRF token of the page it is on) doing what the pages do: the login page and its
form; the draft's edit page and one autosave (portal.js's POST, answered in JSON); the application's
page and three uploads of its materials form (each answered by a redirect to the page, which the
browser loads); the submit page and its form with the declaration (承诺). The database is its own
(portal_rush, dropped and created anew: bench/rush_setup.py): demo data, the catalogue, the window of
hp-compute-voucher closing in an hour, the enterprises with an owner each and a draft holding its
first materials.

Reported: submissions per second; p50/p95/max per step (at the client, and at gunicorn from nginx's
log: upstream time); errors by kind; the CPU time and the time spent waiting for a CPU of the gunicorn
workers, nginx and the worker, this client's CPU, the machine's busy and iowait shares; then, one
browser alone on the portal: what each step of a journey costs the workers in CPU, and whether an
upload is limited by the disk — uploads of 2 MiB against uploads of 32 KiB, beside a plain write of
the same bytes to the same disk. Targets: no error, p95 submit ≤ 500 ms. Figures go to
bench/results/rush-<date>.json/.txt with the machine and its load (uptime), since the two cores are
shared. Redis is database 13 by default (--redis-url): the rush's worker takes no one else's tasks.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header, postgres_version, write_results  # noqa: E402
from bench.procstat import machine_cpu  # noqa: E402
from bench.rush_client import pdf_bytes  # noqa: E402
from bench.rush_journey import probe, rush  # noqa: E402
from bench.rush_report import probe_times, report, summarise  # noqa: E402
from bench.rush_servers import Servers, uptime  # noqa: E402
from bench.rush_setup import Prepared, check, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_rush"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
MIB = 1024 * 1024


def measure(args, prepared: Prepared, servers: Servers, make_pdf, small_pdf, storage: Path) -> dict:
    """Warm the workers with a few whole journeys (a portal that has served all day has imported and
    cached what the first submission imports), then the rush, then the upload probe."""
    port, context = servers.ports.https, servers.context
    warm, drafts = prepared.drafts[: args.warmup], prepared.drafts[args.warmup :]
    browsers, details, _wall = rush(warm, rushed=prepared.rushed, make_pdf=make_pdf, port=port, context=context, ramp=0)
    if details:
        raise SystemExit(f"the warm-up journeys failed: {dict(details)}")
    usage = servers.usage()
    before, cpu_before, client_before, uptime_before = usage.snapshot(), machine_cpu(), time.process_time(), uptime()
    print(f"==> the rush: {len(drafts)} enterprises ({uptime_before})")
    browsers, details, wall = rush(
        drafts, rushed=prepared.rushed, make_pdf=make_pdf, port=port, context=context, ramp=args.ramp
    )
    after, cpu_after, client_after, uptime_after = usage.snapshot(), machine_cpu(), time.process_time(), uptime()
    print("==> upload probe and disk")
    alone, probe_browsers = probe(
        prepared.probe,
        rushed=prepared.rushed,
        make_pdf=make_pdf,
        small_pdf=small_pdf,
        port=port,
        context=context,
        count=args.probe_uploads,
        usage=usage,
        storage=storage,
    )
    machine = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
    total = max(machine.pop("total"), 1e-9)
    cpu_s = {k: round(after.cpu[k] - before.cpu[k], 1) for k in after.cpu}
    return {
        "browsers": browsers,
        "probe_browsers": probe_browsers,
        "details": details,
        "probe": alone,
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "usage": {
            "wall_s": round(wall, 2),
            "cpu_s": cpu_s,
            "client_cpu_s": round(client_after - client_before, 1),
            "gunicorn_busy": cpu_s["gunicorn"] / (wall * args.workers),
            "runqueue_wait_s": {k: round(after.waited[k] - before.waited[k], 1) for k in after.waited},
            "written_mib": {k: round((after.written[k] - before.written[k]) / MIB, 1) for k in after.written},
            "machine": {k: round(v / total, 3) for k, v in machine.items()},
        },
    }


def run_all(args, *, folder: Path, storage: Path, size: int, make_pdf, small_pdf) -> dict:
    print(f"==> preparing {args.database_url.rsplit('/', 1)[-1]}: demo data, catalogue, {args.enterprises} enterprises")
    started = time.monotonic()
    prepared = prepare(
        url=args.database_url,
        storage=storage,
        enterprises=args.warmup + args.enterprises,
        programme_code="hp-compute-voucher",
        small_pdf=small_pdf,
    )
    print(f"    done in {time.monotonic() - started:.0f} s; the window closes at {prepared.window_closes_at}")
    with Servers(args, folder) as servers:
        run = measure(args, prepared, servers, make_pdf, small_pdf, storage)
    rows = servers.proxy.log_lines()
    rushed = dataclasses.replace(prepared, drafts=prepared.drafts[args.warmup :])
    result = {
        **header("rush"),
        "postgres": postgres_version(),
        "settings": "portal.settings.bench",
        "server": f"nginx {'.'.join(map(str, servers.proxy.version))} (TLS, deploy/nginx template) → gunicorn "
        f"{args.workers} sync workers (deploy/gunicorn.conf.py)" + ("" if args.no_worker else " + 1 Celery worker"),
        "programme": prepared.programme,
        "window_closes_at": prepared.window_closes_at,
        "enterprises": args.enterprises,
        "ramp_s": args.ramp,
        "workers": args.workers,
        "enterprises_verified": prepared.verified,
        "warmup_journeys": args.warmup,
        "journey": "login page, login, home, edit page, autosave, application page, 3 × (upload, application "
        "page), submit page, submit (with the declaration), application page",
        "file_bytes": size,
        "uptime_before": run["uptime_before"],
        "uptime_after": run["uptime_after"],
        "summary": summarise(run["browsers"], rows),
        "failure_samples": {k: v[:5] for k, v in run["details"].items()},
        "usage": run["usage"],
        "probe": probe_times(run["probe"], run["probe_browsers"], rows, run["usage"]["machine"]),
        "check": check(prepared=rushed, storage=storage, file_size=size),
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_RUSH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_RUSH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--enterprises", type=int, default=200)
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "4")),
        help="gunicorn workers (deploy/gunicorn.conf.py's default: 4)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="whole journeys of other enterprises before the rush (default: 2 per worker)",
    )
    parser.add_argument("--ramp", type=float, default=0.0, help="spread the starts over this many seconds (0: at once)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_RUSH_PORT", "8143")),
        help="nginx's https port; gunicorn on port+1, nginx's http and health ports +2, +3",
    )
    parser.add_argument("--file-mib", type=float, default=2.0)
    parser.add_argument("--probe-uploads", type=int, default=10)
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker (notifications wait in Redis)")
    parser.add_argument("--keep", action="store_true", help="keep the folder of files and logs")
    args = parser.parse_args()
    args.warmup = 2 * args.workers if args.warmup is None else args.warmup
    folder = Path(tempfile.mkdtemp(prefix="bench-rush-"))
    folder.chmod(0o755)
    storage, size = folder / "private", int(args.file_mib * MIB)
    noise = os.urandom(size)

    def make_pdf(label: str) -> bytes:
        return pdf_bytes(label, size, noise)

    def small_pdf(label: str) -> bytes:
        return pdf_bytes(label, 32 * 1024, noise)

    try:
        result = run_all(args, folder=folder, storage=storage, size=size, make_pdf=make_pdf, small_pdf=small_pdf)
    finally:
        if args.keep:
            print(f"files and logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    text, met = report(args, result)
    print(text)
    path = write_results("rush", result, text)
    print(f"written to {path.relative_to(ROOT)} (and .txt)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
