"""What the browsers of bench/bench_rush.py do: one enterprise's journey in the last hour, the rush of
them all at once, and the probe after it (one browser alone, the workers' CPU time of each step, beside
plain writes of the same bytes to the same disk)."""

from __future__ import annotations

import collections
import dataclasses
import os
import shutil
import ssl
import statistics
import threading
import time
from pathlib import Path

from bench.procstat import Usage
from bench.rush_client import Browser, StepFailed
from bench.rush_setup import PASSWORD, Draft


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
