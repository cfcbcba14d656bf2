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
import collections
import dataclasses
import os
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header, postgres_version, write_results  # noqa: E402
from bench.procstat import Usage, machine_cpu, process_tree  # noqa: E402
from bench.proxy import Proxy, ProxyPorts  # noqa: E402
from bench.rush_client import Browser, StepFailed, pdf_bytes  # noqa: E402
from bench.rush_report import probe_times, report, summarise  # noqa: E402
from bench.rush_setup import PASSWORD, Draft, Prepared, check, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_rush"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
MIB = 1024 * 1024
SETUP_ONLY = {"DJANGO_DEBUG", "EMAIL_BACKEND"}  # what bench/rush_setup.py sets for this process's own Django


# ------------------------------------------------------------------------------------- the servers


def server_env(args, folder: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in SETUP_ONLY}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "PORTAL_PRIVATE_STORAGE": str(folder / "private"),
        # behind the proxy: its address is trusted for the client's; the browser's origin is the
        # proxy's non-default port, which nginx's Host ($host) does not carry
        "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "warning",
    }


def start(cmd: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_http(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer at {url}:\n{log.read_text(errors='replace')[-3000:]}")


# ------------------------------------------------------------------------------------- the journey


def journey(b: Browser, draft: Draft, rushed: list[tuple[str, str]], make_pdf) -> None:
    """What one enterprise's browser does in the last hour; StepFailed at the first step that fails."""
    login, app = "/accounts/login/", f"/applications/{draft.application}/"
    b.page("login_page", login)
    a = b.post_form("login", login, {"username": draft.email, "password": PASSWORD, "next": ""}, referer=login)
    if a.status != 302 or a.location.startswith(login):
        raise b.fail("login: refused" if a.status == 200 else f"login: HTTP {a.status}", a.problems())
    b.follow("login", a, referer=login)
    edit = f"{app}edit/"
    b.page("draft_page", edit)
    a = b.post_form(
        "draft_save",
        f"{app}autosave/",
        {
            "title": f"智能算力服务采购（{draft.enterprise}）",
            "project_key": f"RUSH-{draft.index:04d}",
            "description": "采购云端智能算力用于大模型推理服务部署，按合同约定分期支付。",
            "contract_numbers": f"HT-RUSH-{draft.index:04d}",
            "invoice_numbers": f"2644{draft.index:016d}",
            "period_end": "",
            "in_eligible_cost": "380000.00",
        },
        referer=edit,
        headers={"X-Requested-With": "fetch", "Accept": "application/json"},
    )
    answer = a.json()
    if a.status != 200 or answer.get("ok") is not True:
        raise b.fail(f"draft_save: HTTP {a.status}", str(answer.get("message", ""))[:200])
    if answer.get("errors"):
        raise b.fail("draft_save: field errors", str(answer["errors"])[:300])
    b.page("detail_page", app, referer=edit)
    for n, (code, label) in enumerate(rushed, start=1):
        step = f"upload_{n}"
        a = b.post_file(
            step,
            f"{app}attachments/",
            {"material": code, "replaces": ""},
            file_field="file",
            filename=f"{label}.pdf",
            content=make_pdf(f"{draft.enterprise} {code}"),
            content_type="application/pdf",
            referer=app,
        )
        if a.status != 302:
            raise b.fail(f"{step}: refused" if a.status == 400 else f"{step}: HTTP {a.status}", a.problems())
        b.follow(step, a, referer=app)
    submit = f"{app}submit/"
    b.page("submit_page", submit, referer=app)
    a = b.post_form("submit", submit, {"declaration": "on"}, referer=submit)
    if a.status != 302:
        raise b.fail("submit: refused" if a.status == 400 else f"submit: HTTP {a.status}", a.problems())
    b.follow("submit", a, referer=submit)


def rush(drafts: list[Draft], *, rushed, make_pdf, port: int, context: ssl.SSLContext, ramp: float):
    """Every draft's journey in a thread of its own, all released together (or spread over `ramp`
    seconds); returns the browsers, the failures' details and the wall time."""
    barrier = threading.Barrier(len(drafts) + 1)
    browsers = [Browser("127.0.0.1", port, context, enterprise=d.index, t0=0.0) for d in drafts]
    details: dict[str, list[str]] = collections.defaultdict(list)
    lock = threading.Lock()
    t0 = [0.0]

    def run(b: Browser, d: Draft, delay: float) -> None:
        barrier.wait()
        b.t0 = t0[0]
        if delay:
            time.sleep(delay)
        try:
            journey(b, d, rushed, make_pdf)
        except StepFailed as failure:
            with lock:
                details[failure.kind].append(f"{d.email}: {failure.detail}")
        except Exception as exc:  # noqa: BLE001 - counted, never lost
            with lock:
                details[f"client: {type(exc).__name__}"].append(f"{d.email}: {exc}")
        finally:
            b.close()

    threads = [
        threading.Thread(target=run, args=(b, d, ramp * i / max(1, len(drafts))), daemon=True)
        for i, (b, d) in enumerate(zip(browsers, drafts, strict=True))
    ]
    for t in threads:
        t.start()
    t0[0] = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return browsers, details, time.perf_counter() - t0[0]


# ----------------------------------------------------------------------------- disk against Python


@dataclasses.dataclass
class MeteredBrowser(Browser):
    """A browser alone on the portal, reading the processes' CPU time around each request: what each
    step costs the gunicorn workers when nothing else runs on the portal (the machine may still be busy)."""

    usage: Usage | None = None
    costs: dict[str, list[dict[str, float]]] = dataclasses.field(default_factory=dict)

    def request(self, step: str, method: str, path: str, **kwargs):
        before = self.usage.snapshot()
        answer = super().request(step, method, path, **kwargs)
        after = self.usage.snapshot()
        self.costs.setdefault(step, []).append(
            {
                "cpu_ms": (after.cpu["gunicorn"] - before.cpu["gunicorn"]) * 1000,
                "runqueue_wait_ms": (after.waited["gunicorn"] - before.waited["gunicorn"]) * 1000,
            }
        )
        return answer


def probe(
    draft: Draft, *, rushed, make_pdf, small_pdf, port: int, context, count: int, usage: Usage, storage: Path
) -> tuple[dict, list[Browser]]:
    """After the rush, one browser at a time: `count` uploads of the rush's size then `count` of 32 KiB
    (the difference in the workers' CPU time is what the bytes cost), then a whole journey with the
    CPU time of each step; beside them a plain write of the same bytes to the same disk (as the storage
    writes them, in chunks and without fsync; and with fsync)."""
    sizes = MeteredBrowser("127.0.0.1", port, context, enterprise=draft.index, t0=time.perf_counter(), usage=usage)
    login, app = "/accounts/login/", f"/applications/{draft.application}/"
    sizes.page("login_page", login)
    sizes.post_form("login", login, {"username": draft.email, "password": PASSWORD, "next": ""}, referer=login)
    sizes.page("detail_page", app)
    code, label = rushed[0]
    for kind, maker in (("probe_large", make_pdf), ("probe_small", small_pdf)):
        for n in range(count):
            a = sizes.post_file(
                kind,
                f"{app}attachments/",
                {"material": code, "replaces": ""},
                file_field="file",
                filename=f"{label}.pdf",
                content=maker(f"{kind} {n}"),
                content_type="application/pdf",
                referer=app,
            )
            if a.status != 302:
                raise SystemExit(f"the upload probe was refused (HTTP {a.status}): {a.problems()}")
    sizes.close()
    alone = MeteredBrowser("127.0.0.1", port, context, enterprise=draft.index, t0=time.perf_counter(), usage=usage)
    try:
        journey(alone, draft, rushed, make_pdf)
    finally:
        alone.close()
    content = make_pdf("disk")
    folder = storage / "disk-probe"
    folder.mkdir(parents=True, exist_ok=True)
    plain, synced = [], []
    for n in range(count):
        for sync, times in ((False, plain), (True, synced)):
            started = time.perf_counter()
            with open(folder / f"{n}-{sync}.pdf", "wb") as out:
                for i in range(0, len(content), 64 * 1024):  # FileSystemStorage copies in chunks of 64 KiB
                    out.write(content[i : i + 64 * 1024])
                if sync:
                    out.flush()
                    os.fsync(out.fileno())
            times.append((time.perf_counter() - started) * 1000)
    shutil.rmtree(folder, ignore_errors=True)

    def medians(rows: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in rows), 1) for k in rows[0]}

    costs: dict[str, list[dict[str, float]]] = collections.defaultdict(list)
    for browser in (sizes, alone):
        for step, rows in browser.costs.items():
            costs[step] += rows
    result = {
        "uploads": count,
        "large_bytes": len(content),
        "small_bytes": len(small_pdf("size")),
        "alone": {step: medians(rows) for step, rows in costs.items()},
        "journey_cpu_ms": round(sum(r["cpu_ms"] for rows in alone.costs.values() for r in rows), 1),
        "journey_requests": sum(len(rows) for rows in alone.costs.values()),
        "plain_write_ms_median": round(statistics.median(plain), 2),
        "write_fsync_ms_median": round(statistics.median(synced), 2),
    }
    return result, [sizes, alone]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Servers:
    """gunicorn (deploy/gunicorn.conf.py), a Celery worker and nginx (bench/proxy.py), in that order."""

    def __init__(self, args, folder: Path):
        self.args, self.folder = args, folder
        self.ports = ProxyPorts(https=args.port, upstream=args.port + 1, http=args.port + 2, health=args.port + 3)
        (folder / "nginx").mkdir()
        self.proxy = Proxy(folder=folder / "nginx", ports=self.ports)
        self.context = ssl.create_default_context(cafile=str(self.proxy.ca_file))
        self.procs: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Servers:
        env, log = server_env(self.args, self.folder), self.folder / "gunicorn.log"
        try:
            self.procs["gunicorn"] = start(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "portal.wsgi:application",
                    "--config",
                    "deploy/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{self.ports.upstream}",
                ],
                env=env,
                log=log,
            )
            wait_http(f"http://127.0.0.1:{self.ports.upstream}/healthz", self.procs["gunicorn"], log, "gunicorn")
            if not self.args.no_worker:
                self.procs["celery"] = start(
                    [str(ROOT / ".venv/bin/celery"), "-A", "portal", "worker", "-l", "warning", "--concurrency", "1"],
                    env=env,
                    log=self.folder / "celery.log",
                )
            self.proxy.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.proxy.stop()
        for proc in self.procs.values():
            stop(proc)

    def usage(self) -> Usage:
        procs, proxy = self.procs, self.proxy
        return Usage(
            {
                "gunicorn": lambda: process_tree(procs["gunicorn"].pid, children_only=True),
                "nginx": lambda: process_tree(proxy.proc.pid) if proxy.proc else [],
                "celery": lambda: process_tree(procs["celery"].pid) if "celery" in procs else [],
            }
        )


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
