"""The servers of bench/bench_rush.py: gunicorn (deploy/gunicorn.conf.py, portal.settings.bench), a Celery
worker and nginx (bench/proxy.py), started in that order and stopped together, with the environment they share."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.procstat import Usage, process_tree
from bench.proxy import Proxy, ProxyPorts

ROOT = Path(__file__).resolve().parents[1]
SETUP_ONLY = {"DJANGO_DEBUG", "EMAIL_BACKEND"}  # what bench/rush_setup.py sets for this process's own Django


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
