"""The figures of bench/bench_rush.py: percentiles per step (at the client, and at nginx and gunicorn
from nginx's access log, joined by the request id the portal answers with), errors by kind,
submissions per second, the verdict on uploads (disk or Python) and the text report."""

from __future__ import annotations

import collections
import statistics

from bench.rush_client import Browser

ACTIONS = ["login", "draft_save", "upload_1", "upload_2", "upload_3", "submit"]
MIB = 1024 * 1024
TARGET_SUBMIT_P95_MS = 500.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def figures(values_ms: list[float]) -> dict:
    return {
        "n": len(values_ms),
        "p50_ms": round(pct(values_ms, 0.50), 1),
        "p95_ms": round(pct(values_ms, 0.95), 1),
        "max_ms": round(max(values_ms), 1) if values_ms else float("nan"),
    }


def summarise(browsers: list[Browser], nginx_rows: list[dict]) -> dict:
    by_id = {r.get("request_id"): r for r in nginx_rows}
    steps: dict[str, dict] = {}
    records = [r for b in browsers for r in b.records]
    names = ACTIONS + sorted({r.step for r in records if r.page})
    for name in names:
        rows = [r for r in records if r.step == name and r.status]
        upstream = [
            float(by_id[r.request_id]["upstream_time"]) * 1000
            for r in rows
            if r.request_id in by_id and by_id[r.request_id].get("upstream_time") not in ("", "-", None)
        ]
        proxy = [float(by_id[r.request_id]["request_time"]) * 1000 for r in rows if r.request_id in by_id]
        steps[name] = {
            "client": figures([r.seconds * 1000 for r in rows]),
            "nginx_request": figures(proxy),
            "upstream": figures(upstream),
            "failed": sum(1 for r in records if r.step == name and r.error),
        }
    errors = collections.Counter(r.error for r in records if r.error)
    submits = sorted(r.started + r.seconds for r in records if r.step == "submit" and r.status == 302 and not r.error)
    return {
        "steps": steps,
        "errors": dict(errors),
        "submitted": len(submits),
        "first_submit_s": round(submits[0], 2) if submits else None,
        "last_submit_s": round(submits[-1], 2) if submits else None,
        "submissions_per_second": round(len(submits) / submits[-1], 2) if submits else 0.0,
        "requests": len(records),
        "reconnects": sum(b.retries for b in browsers),
        "bytes_sent_mib": round(sum(r.bytes_sent for r in records) / MIB, 1),
    }


def report(args, result: dict) -> tuple[str, bool]:
    s, use, probe = result["summary"], result["usage"], result["probe"]
    waited = use["runqueue_wait_s"]
    submit_p95 = s["steps"]["submit"]["client"]["p95_ms"]
    met = not s["errors"] and s["submitted"] == args.enterprises and submit_p95 <= TARGET_SUBMIT_P95_MS
    lines = [
        f"rush benchmark {result['date']} ({result['machine']['cpus']} CPUs, {result['machine']['memory']}); "
        f"{result['server']}; {args.enterprises} enterprises "
        + (f"starting one after another over {args.ramp:g} s" if args.ramp else "at once"),
        f"  machine load before: {result['uptime_before']}",
        f"  machine load after:  {result['uptime_after']}",
        f"  submitted {s['submitted']}/{args.enterprises} in {s['last_submit_s']} s: "
        f"{s['submissions_per_second']} submissions/s (first at {s['first_submit_s']} s); "
        f"{s['requests']} requests, {s['bytes_sent_mib']} MiB sent, {s['reconnects']} reconnects",
        f"  {'step':14s} {'p50':>8s} {'p95':>8s} {'max':>8s}   at gunicorn p50 / p95   CPU alone  (ms)",
    ]
    alone = probe["alone"]
    for name in ACTIONS + ["pages"]:
        if name == "pages":
            rows = [v for k, v in s["steps"].items() if k not in ACTIONS]
            c = {
                "p50_ms": statistics.median(r["client"]["p50_ms"] for r in rows) if rows else 0,
                "p95_ms": max((r["client"]["p95_ms"] for r in rows), default=0),
                "max_ms": max((r["client"]["max_ms"] for r in rows), default=0),
            }
            u = {
                "p50_ms": statistics.median(r["upstream"]["p50_ms"] for r in rows) if rows else 0,
                "p95_ms": max((r["upstream"]["p95_ms"] for r in rows), default=0),
            }
            pages = [v["cpu_ms"] for k, v in alone.items() if k not in ACTIONS and not k.startswith("probe_")]
            cpu, label = statistics.median(pages) if pages else float("nan"), "pages (GET)*"
        else:
            c, u, label = s["steps"][name]["client"], s["steps"][name]["upstream"], name
            cpu = alone.get(name, {}).get("cpu_ms", float("nan"))
        lines.append(
            f"  {label:14s} {c['p50_ms']:8.0f} {c['p95_ms']:8.0f} {c['max_ms']:8.0f}   "
            f"{u['p50_ms']:8.0f} / {u['p95_ms']:8.0f}   {cpu:9.0f}"
        )
    lines.append(
        "  * pages: the median of the pages' p50 and CPU, the largest p95 and max (each page in the .json); "
        "CPU alone: the gunicorn workers' CPU time for the step with one browser on the portal"
    )
    journey, cpus = probe["journey_cpu_ms"], result["machine"]["cpus"] or 1
    lines.append(
        f"  one journey alone costs the gunicorn workers {journey:.0f} ms of CPU in "
        f"{probe['journey_requests']} requests ({alone['login']['cpu_ms']:.0f} ms of it the login: the "
        f"password hash); with nothing else on the {cpus} CPUs, at most {cpus * 1000 / journey:.1f} "
        f"submissions/s, {args.enterprises} enterprises in no less than "
        f"{args.enterprises * journey / 1000 / cpus:.0f} s"
    )
    lines.append("  errors: " + (", ".join(f"{k} × {v}" for k, v in s["errors"].items()) or "none"))
    cpu, written, machine = use["cpu_s"], use["written_mib"], use["machine"]
    lines.append(
        f"  CPU over the rush ({use['wall_s']} s wall): gunicorn workers {cpu['gunicorn']} s on a CPU "
        f"({use['gunicorn_busy']:.0%} of {args.workers} workers' time) and {waited['gunicorn']} s waiting "
        f"for one; nginx {cpu['nginx']} s, celery worker {cpu['celery']} s, this client "
        f"{use['client_cpu_s']} s; the machine busy {machine['busy']:.0%}, iowait {machine['iowait']:.0%}; "
        f"written to disk: gunicorn {written['gunicorn']} MiB, nginx {written['nginx']} MiB"
    )
    lines.append(f"  upload probe ({probe['uploads']} of each size, one at a time): uploads are {probe['verdict']}")
    lines.append(f"  checked in the database: {result['check']}")
    lines.append(
        f"  target (no error, p95 submit ≤ {TARGET_SUBMIT_P95_MS:.0f} ms): "
        f"{'met' if met else 'MISSED'} — p95 submit {submit_p95:.0f} ms, {len(s['errors'])} kinds of error"
        f"{'' if met else ' (the machine is shared: see its load above)'}"
    )
    return "\n".join(lines), met


def probe_times(probe: dict, browsers: list[Browser], rows: list[dict], machine: dict) -> dict:
    """nginx's view of the probe's uploads (upstream_time: gunicorn's answer), and the verdict."""
    by_id = {r.get("request_id"): r for r in rows}
    records = [r for b in browsers for r in b.records]
    for step in probe["alone"]:
        seen = [by_id[r.request_id] for r in records if r.step == step and r.request_id in by_id]
        if seen:
            probe["alone"][step]["upstream_ms"] = round(
                statistics.median(float(r["upstream_time"]) for r in seen) * 1000, 1
            )
    large, small = probe["alone"]["probe_large"], probe["alone"]["probe_small"]
    cpu, disk = large["cpu_ms"], probe["plain_write_ms_median"]
    probe["bytes_cpu_ms"] = round(cpu - small["cpu_ms"], 1)
    probe["limited_by"] = "disk" if disk >= cpu or machine.get("iowait", 0) >= 0.2 else "python"
    probe["verdict"] = (
        f"limited by {'the disk' if probe['limited_by'] == 'disk' else 'Python (CPU), not by the disk'}: an upload of "
        f"{probe['large_bytes'] / MIB:.0f} MiB costs the gunicorn worker {cpu} ms of CPU ({probe['bytes_cpu_ms']} ms "
        f"more than one of {probe['small_bytes'] // 1024} KiB: what the bytes themselves cost; the rest is the "
        f"page's Python and queries); writing the same bytes takes {disk} ms ({probe['write_fsync_ms_median']} ms "
        f"with fsync); gunicorn answers in {large.get('upstream_ms')} ms, {large['runqueue_wait_ms']} ms of it "
        f"waiting for a CPU; iowait during the rush {machine.get('iowait', 0):.0%}"
    )
    return probe
