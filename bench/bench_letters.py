#!/usr/bin/env python
"""Letters benchmark: the median time per letter in one process (render with WeasyPrint + hash +
store, the work of one `letter_generate` task; beside it plain WeasyPrint on the same HTML), the PDF
size, and letters per second for a batch through a real Celery worker on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/bench_letters.py [--batch 500] [--single 40] [--concurrency 2]

It works in its own database (the DATABASE_URL's name + "_bench_letters", dropped and created anew)
and its own storage directory, starts the Celery worker itself (prefork, --concurrency, default 2
= the two cores of the target machine), prints its figures and writes them, with the machine and the
date, to bench/results/letters-<date>-<host>.json. Without REDIS_URL the batch part is skipped.
Targets: ≤ 250 ms per letter (median), ≥ 6 letters/s for the batch on 2 cores, PDF < 400 KB.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS, TARGET_PER_SECOND, TARGET_KB = 250, 6.0, 400


def _bench_db_url(base: str) -> tuple[str, str, str]:
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "portal") + "_bench_letters"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path=f"/{name}")), admin, name


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
    }


def _make_letters(n: int, *, programme, enterprises, actor, start: int) -> list[int]:
    """n approval letters (amount, tranches, clause) in one transaction; generation is not queued."""
    from django.db import transaction

    from applications.models import Application
    from reviews.letters import services

    ids = []
    original = services.outbox_enqueue
    services.outbox_enqueue = lambda *args, **kwargs: None  # queued explicitly by the caller
    try:
        with transaction.atomic():
            for i in range(n):
                ent = enterprises[(start + i) % len(enterprises)]
                app = Application.objects.create(
                    reference=f"BENCH-{start + i:06d}",
                    enterprise=ent,
                    programme=programme,
                    state="approved",
                    title=f"基于国产算力的行业大模型研发项目（第{start + i}期）",
                    created_by=actor,
                    submitted_at=dt.datetime.now(dt.UTC),
                )
                amount = f"{100000 + 37 * (start + i)}.{(start + i) % 100:02d}"
                letter = services.letter_create(
                    application=app,
                    kind="approval",
                    actor=actor,
                    context={
                        "amount": amount,
                        "tranches": [
                            {"label": "首期", "amount": "50000.00", "condition": "项目启动并签订资金使用承诺书"},
                            {"label": "二期", "amount": "40000.00", "condition": "项目中期检查合格"},
                        ],
                    },
                )
                ids.append(letter.pk)
    finally:
        services.outbox_enqueue = original
    return ids


def bench_single(*, letter_ids: list[int]) -> dict:
    from weasyprint import HTML

    from reviews.letters import render
    from reviews.letters.services import letter_generate_now
    from reviews.models import Letter

    # Warm-up: fonts and stylesheet are loaded once per process (a worker pays this once).
    warm = Letter.objects.get(pk=letter_ids[0])
    letter_generate_now(letter_id=warm.pk)
    times, cpu, plain, sizes = [], [], [], []
    for pk in letter_ids[1:]:
        letter = Letter.objects.get(pk=pk)
        html = render.letter_html(letter)
        t = time.perf_counter()
        HTML(string=html, base_url=str(ROOT)).write_pdf(
            stylesheets=[render._stylesheet("v1")], font_config=render._fonts()
        )
        plain.append((time.perf_counter() - t) * 1000)
        t, c = time.perf_counter(), time.process_time()
        done = letter_generate_now(letter_id=pk)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        sizes.append(done.size)
    return {
        "letters": len(times),
        "median_ms": round(statistics.median(times), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "p90_ms": round(sorted(times)[int(len(times) * 0.9) - 1], 1),
        "max_ms": round(max(times), 1),
        "plain_weasyprint_median_ms": round(statistics.median(plain), 1),
        "pdf_median_kb": round(statistics.median(sizes) / 1024, 1),
        "pdf_max_kb": round(max(sizes) / 1024, 1),
    }


def _start_worker(env: dict, concurrency: int, log: Path) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "portal",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"bench-letters-{os.getpid()}@%h",
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its live children (from /proc; Linux only)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wait_ready(app, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("the Celery worker did not start (see the log)")


def bench_batch(*, letter_ids: list[int], actor, env: dict, concurrency: int, log: Path) -> dict:
    from portal.celery import app
    from reviews.letters.services import letters_generate_batch
    from reviews.models import Letter

    app.control.purge()
    worker = _start_worker(env, concurrency, log)
    try:
        _wait_ready(app)
        # Each worker child loads the fonts on its first letter; warm them up outside the measurement.
        from reviews.letters.tasks import letter_generate

        warm = letter_ids[: concurrency * 2]
        for pk in warm:
            letter_generate.delay(pk)
        # results are not stored (no result backend): wait for the letters themselves
        warm_deadline = time.time() + 120
        while Letter.objects.filter(pk__in=warm, sha256="").exists():
            if time.time() > warm_deadline or worker.poll() is not None:
                raise RuntimeError("the warm-up letters did not finish (see the log)")
            time.sleep(0.05)
        batch = letter_ids[concurrency * 2 :]
        cpu_before = _tree_cpu_seconds(worker.pid)
        start = time.perf_counter()
        queued = letters_generate_batch(actor=actor, letter_ids=batch)
        pending = Letter.objects.filter(pk__in=batch, sha256="")
        deadline = time.time() + 1800
        while pending.exists():
            if time.time() > deadline or worker.poll() is not None:
                raise RuntimeError("the batch did not finish (see the log)")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        cpu_used = _tree_cpu_seconds(worker.pid) - cpu_before
        load = os.getloadavg()[0]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    numbers = list(Letter.objects.filter(pk__in=letter_ids).values_list("serial", flat=True))
    return {
        "letters": queued,
        "seconds": round(elapsed, 2),
        "per_second": round(queued / elapsed, 2),
        "concurrency": concurrency,
        "serials_unique": len(set(numbers)) == len(numbers),
        "worker_cpu_ms_per_letter": round(cpu_used * 1000 / queued, 1),
        # what the worker's own CPU use allows when it has the cores to itself (the machine may be shared)
        "cpu_bound_per_second": round(concurrency * queued / cpu_used, 2) if cpu_used else None,
        "load_average_1min_at_end": round(load, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=40, help="letters timed one by one in this process")
    parser.add_argument("--batch", type=int, default=500, help="letters generated by the Celery worker")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    if not base.startswith(("postgres://", "postgresql://")):
        print("bench_letters needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    redis_url = os.environ.get("REDIS_URL", "")
    db_url, admin_url, name = _bench_db_url(base)
    _recreate_database(admin_url, name)
    storage = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "DJANGO_DEBUG": "false",
            "PORTAL_PRIVATE_STORAGE": str(storage),
            "DATABASE_CONN_MAX_AGE": "0",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from applications.models import Enterprise
    from portal.models import Role, User
    from tests.factories import make_uscc
    from vouchers.models import Programme
    from vouchers.services.catalogue import catalogue_load

    catalogue_load()
    admin = User.objects.create_user(
        username="bench-admin", email="bench-admin@example.cn", password="x", role=Role.BUREAU_ADMIN, district="huangpu"
    )  # the programme's (所属区域)
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"广州基准{i}号人工智能科技有限公司",
                credit_code=make_uscc(800000 + i),
                registered_district="huangpu",
                tax_district="huangpu",
                stats_district="huangpu",
                contact_name="联系人",
                contact_phone="020-1",
            )
            for i in range(200)
        ]
    )
    enterprises = list(Enterprise.objects.all())
    programme = Programme.objects.select_related("policy").get(code="hp-vertical-model-compute")

    print(f"one process: {args.single} approval letters, timed one by one")
    single_ids = _make_letters(args.single + 1, programme=programme, enterprises=enterprises, actor=admin, start=0)
    single = bench_single(letter_ids=single_ids)
    print(
        f"  per letter (render + hash + store): median {single['median_ms']} ms, p90 {single['p90_ms']} ms, "
        f"max {single['max_ms']} ms (target ≤ {TARGET_MS} ms)"
    )
    print(f"  CPU time per letter: median {single['cpu_median_ms']} ms")
    print(f"  plain WeasyPrint on the same HTML:  median {single['plain_weasyprint_median_ms']} ms")
    print(f"  PDF size: median {single['pdf_median_kb']} KB, max {single['pdf_max_kb']} KB (target < {TARGET_KB} KB)")

    batch = None
    if redis_url:
        print(f"batch: {args.batch} letters through a Celery worker on Redis ({args.concurrency} processes)")
        batch_ids = _make_letters(
            args.batch + args.concurrency * 2, programme=programme, enterprises=enterprises, actor=admin, start=10_000
        )
        log = storage / "worker.log"
        batch = bench_batch(
            letter_ids=batch_ids, actor=admin, env=dict(os.environ), concurrency=args.concurrency, log=log
        )
        print(
            f"  {batch['letters']} letters in {batch['seconds']} s → {batch['per_second']} letters/s "
            f"(target ≥ {TARGET_PER_SECOND}/s); numbers unique: {batch['serials_unique']}"
        )
        print(
            f"  worker CPU per letter {batch['worker_cpu_ms_per_letter']} ms → {batch['cpu_bound_per_second']} "
            f"letters/s on {args.concurrency} cores of its own; load average at the end "
            f"{batch['load_average_1min_at_end']} (other work on the machine slows the wall-clock figure)"
        )
    else:
        print("batch: skipped (set REDIS_URL to run it through a Celery worker)")

    met = {
        "per_letter": single["median_ms"] <= TARGET_MS,
        "pdf_size": single["pdf_max_kb"] < TARGET_KB,
        "batch": None if batch is None else batch["per_second"] >= TARGET_PER_SECOND,
    }
    result = {
        "benchmark": "bench_letters",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**_machine(), "load_average": [round(x, 2) for x in os.getloadavg()]},
        "single": single,
        "batch": batch,
        "met": met,
        "targets": {"median_ms": TARGET_MS, "per_second": TARGET_PER_SECOND, "pdf_kb": TARGET_KB},
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"letters-{dt.date.today():%Y%m%d}-{platform.node() or 'host'}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if all(v is not False for v in met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
