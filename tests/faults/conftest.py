"""Fault tests: real processes (Redis on its own port, Celery workers, a gunicorn server) against the
committed rows of the test database, and faults made for real (SIGKILL, a PostgreSQL restart, Redis
stopped). They need PostgreSQL and run in CI (CI=true) or with PORTAL_FAULT_TESTS=1; each keeps its
fault window to a few seconds."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
REDIS_PORT = int(os.environ.get("PORTAL_FAULT_REDIS_PORT", "6390"))
SERVER_PORT = int(os.environ.get("PORTAL_FAULT_SERVER_PORT", "8107"))
ENABLED = os.environ.get("CI") == "true" or os.environ.get("PORTAL_FAULT_TESTS") == "1"

fault = pytest.mark.skipif(not ENABLED, reason="fault tests run in CI (CI=true) or with PORTAL_FAULT_TESTS=1")


def wait_for(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def process_env(storage: Path, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "TEST_CELERY_EAGER": "0",
            "PORTAL_FAULT_STORAGE": str(storage),
            "PYTHONPATH": str(ROOT),
            "DATABASE_CONN_MAX_AGE": "60",
        }
    )
    return env


class RedisServer:
    """A redis-server of the fault tests' own (not the shared one), stopped and started at will."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.proc = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), timeout=10, what=f"redis on {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def cli(self, *args: str) -> str:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10
        ).stdout.strip()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    if port_open(REDIS_PORT):
        pytest.fail(f"port {REDIS_PORT} is taken: set PORTAL_FAULT_REDIS_PORT to a free port")
    server = RedisServer(REDIS_PORT, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault_storage(tmp_path, settings) -> Path:
    """Private files where both this process and the ones it starts put them."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


class Processes:
    """Processes started by a test, each stopped at the end (SIGTERM, then SIGKILL), logs kept."""

    def __init__(self, logdir: Path):
        self.logdir, self.procs = logdir, []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}-{len(self.procs)}.log", "wb")  # noqa: SIM115 - closed in stop_all
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        return proc

    def worker(self, env: dict[str, str], name: str = "worker") -> subprocess.Popen:
        return self.start(
            name,
            [
                str(VENV_BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "-P",
                "solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}-{len(self.procs)}@faults",
            ],
            env,
        )

    def beat(self, env: dict[str, str], workdir: Path) -> subprocess.Popen:
        return self.start(
            "beat",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "portal",
                "beat",
                "-l",
                "info",
                "-s",
                str(workdir / "celerybeat-schedule"),
            ],
            env,
        )

    def server(self, env: dict[str, str], workers: int = 3) -> subprocess.Popen:
        proc = self.start(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi",
                "-b",
                f"127.0.0.1:{SERVER_PORT}",
                "-w",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--preload",
            ],
            env,
        )
        wait_for(lambda: port_open(SERVER_PORT) or proc.poll() is not None, timeout=30, what="gunicorn")
        assert proc.poll() is None, self.log_of(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL: no chance to finish, acknowledge or hand back anything."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def log_of(self, proc: subprocess.Popen) -> str:
        for p, log in self.procs:
            if p is proc:
                log.flush()
                return Path(log.name).read_text(errors="replace")[-4000:]
        return ""

    def stop_all(self) -> None:
        for proc, log in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            log.close()


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    try:
        yield procs
    finally:
        procs.stop_all()


@contextmanager
def real_broker(url: str):
    """This process publishes Celery tasks to `url` for real (not eagerly) for the block's duration."""
    from portal.celery import app

    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager")
    saved = {k: app.conf.get(k) for k in keys}

    def reset_pools():
        from kombu import pools

        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        if "amqp" in app.__dict__:
            app.__dict__["amqp"]._producer_pool = None
        pools.reset()  # kombu's process-wide pools too: a closed one must not be handed out again

    app.conf.update(broker_url=url, broker_write_url=None, broker_read_url=None, task_always_eager=False)
    reset_pools()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset_pools()


def http(
    method: str, path: str, *, token: str | None = None, session: str | None = None, json=None, timeout: float = 30
) -> tuple[int, str, float]:
    """One request to the live server: (status, body, seconds). Connection failures are status 0."""
    import json as jsonlib
    import urllib.error
    import urllib.request

    headers = {"Accept": "application/json, text/html"}
    data = None
    if token:
        headers["Authorization"] = f"Token {token}"
    if session:
        headers["Cookie"] = f"sessionid={session}"
    if json is not None:
        data = jsonlib.dumps(json).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"http://127.0.0.1:{SERVER_PORT}{path}", data=data, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback test server
            return response.status, response.read().decode(errors="replace"), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), time.monotonic() - started
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        return 0, repr(exc), time.monotonic() - started


def session_of(user) -> str:
    """A signed-in session of `user`, stored in the database for the live server to read."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return client.cookies["sessionid"].value
