"""/healthz stays a cheap liveness check; /readyz checks the database, Redis (when configured) and
that a Celery worker's heartbeat is recent, and answers 503 with the reason of each failed check;
the heartbeats of the worker and beat, and the containers' health-check command."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from portal import health
from portal.celery import HeartbeatScheduler
from portal.celery import app as celery_app

from .helpers import ROOT

DOWN_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _clean_heartbeats():
    for kind in health.KINDS:
        cache.delete_many([health._key(kind), health._key(kind, __import__("socket").gethostname())])
    yield


@pytest.fixture
def real_tasks(settings):
    """As in production: tasks go to a worker through Redis."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


def test_healthz_touches_nothing(client):
    r = client.get("/healthz")  # no django_db mark: a query would fail the test
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_on_the_embedded_default(client, settings):
    settings.REDIS_URL = ""
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured", "worker": "embedded"}}
    assert r["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_with_redis_down(client, real_tasks):
    real_tasks.REDIS_URL = DOWN_REDIS
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable" and body["checks"] == {"database": "ok"}
    assert body["problems"]["redis"].startswith("redis unreachable: ConnectionError")
    assert "Redis" in body["problems"]["worker"]


@pytest.mark.django_db
def test_readyz_with_the_database_down(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["problems"] == {"database": "database unreachable: OperationalError: connection refused"}


@pytest.mark.django_db
def test_readyz_waits_for_a_worker_heartbeat(client, real_tasks, monkeypatch):
    real_tasks.REDIS_URL = "redis://redis.example.invalid:6379/0"
    monkeypatch.setattr(health, "_redis", lambda: None)  # Redis answers (the heartbeats live in the cache)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["problems"] == {"worker": "no Celery worker heartbeat in the last 90 s (last: never)"}

    health.heartbeat_write("worker")
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"]["worker"] == "ok"

    real_tasks.PORTAL_HEARTBEAT_STALE_SECONDS = 5
    now = time.time()
    monkeypatch.setattr(health.time, "time", lambda: now + 60)  # a minute later, no new heartbeat
    r = client.get("/readyz")
    assert r.status_code == 503 and "last: 60 s ago" in r.json()["problems"]["worker"]


def test_heartbeat_check_command():
    with pytest.raises(CommandError, match="worker: no heartbeat"):
        call_command("heartbeat_check", "worker", verbosity=0)
    health.heartbeat_write("worker")
    call_command("heartbeat_check", "worker", verbosity=0)
    with pytest.raises(CommandError, match="beat: no heartbeat"):
        call_command("heartbeat_check", "beat", verbosity=0)


def test_beat_writes_its_heartbeat_as_it_ticks(tmp_path, monkeypatch):
    from celery.beat import PersistentScheduler

    monkeypatch.setattr(PersistentScheduler, "tick", lambda self, *a, **k: 1.0)
    scheduler = HeartbeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    assert health.heartbeat_age("beat") is None
    assert scheduler.tick() == 1.0
    assert health.heartbeat_age("beat", this_host=True) < 5
    assert celery_app.conf.beat_scheduler == "portal.celery:HeartbeatScheduler"
    assert celery_app.conf.beat_max_loop_interval <= 30


def test_a_worker_writes_its_heartbeat(settings, tmp_path):
    """A real worker (Redis needed: CI runs the tests with REDIS_URL) writes its heartbeat into the
    shared cache, where /readyz and the health check read it. It consumes a queue of its own."""
    if not settings.REDIS_URL or "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("needs Redis (REDIS_URL): the worker's heartbeat is read from the shared cache")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "TEST_CELERY_EAGER": "false"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            f"ops-heartbeat-{os.getpid()}",
            "-l",
            "warning",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while health.heartbeat_age("worker", this_host=True) is None:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.time() < deadline, "no heartbeat within 60 s: " + (tmp_path / "worker.log").read_text()
            time.sleep(0.3)
        call_command("heartbeat_check", "worker", verbosity=0)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
