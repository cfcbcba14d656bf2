"""What the benchmarks record beside their figures: the machine, the software and the date, and
where the results go (bench/results/<name>-<date>.json and a short .txt)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu, mem = "", ""
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    uname = platform.uname()
    return {
        "uname": f"{uname.system} {uname.node} {uname.release} {uname.version} {uname.machine}",
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=RESULTS.parent.parent,
            check=False,
        ).stdout.strip()
    except OSError:
        return ""


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def write_results(name: str, result: dict, text: str) -> Path:
    """bench/results/<name>-<YYYYMMDD-HHMM>.json and .txt; returns the .json path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    path.with_suffix(".txt").write_text(text.rstrip() + "\n")
    return path


def header(name: str) -> dict:
    return {
        "benchmark": name,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine(),
    }
