"""Readiness of the processes behind the portal: the database, Redis, and Celery's worker and beat.

A worker and beat each write a heartbeat — the time they were last alive — to the cache (Redis in
production) every few seconds: the worker from a timer in its main loop (portal.celery.HeartbeatStep),
beat each time its scheduler ticks (portal.celery.HeartbeatScheduler). `/readyz` reads the newest
worker heartbeat; the containers' health checks read their own (`manage.py heartbeat_check`). On the
embedded default (no REDIS_URL) tasks run in-process and there is no worker to wait for."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

KINDS = ("worker", "beat")


def _key(kind: str, host: str | None = None) -> str:
    return f"portal:heartbeat:{kind}" + (f":{host}" if host else "")


def heartbeat_write(kind: str) -> None:
    """Record that a process of this kind (worker, beat) on this host is alive now. The time lives
    twice: under the host (its container's health check) and for the kind (any worker: /readyz)."""
    now = time.time()
    ttl = settings.PORTAL_HEARTBEAT_STALE_SECONDS * 10
    cache.set_many({_key(kind): now, _key(kind, socket.gethostname()): now}, timeout=ttl)


def heartbeat_age(kind: str, *, this_host: bool = False) -> float | None:
    """Seconds since the newest heartbeat of this kind (of this host only, if asked), None if none."""
    seen = cache.get(_key(kind, socket.gethostname() if this_host else None))
    return None if seen is None else max(0.0, time.time() - float(seen))


def tasks_embedded() -> bool:
    """Tasks run in the web process itself (the embedded default: no broker, no worker)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name → "ok", "embedded", "not configured"
    problems: dict[str, str] = field(default_factory=dict)  # name → why it is not ready

    @property
    def ready(self) -> bool:
        return not self.problems


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"database unreachable: {exc.__class__.__name__}: {str(exc).strip()[:200]}"
    return None


def _redis() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        return f"redis unreachable: {exc.__class__.__name__}: {str(exc).strip()[:200]}"
    return None


def readiness() -> Readiness:
    """What /readyz answers: every dependency the portal needs to do its work now."""
    result = Readiness()
    if problem := _database():
        result.problems["database"] = problem
    else:
        result.checks["database"] = "ok"
    if not settings.REDIS_URL:
        result.checks["redis"] = "not configured"
    elif problem := _redis():
        result.problems["redis"] = problem
    else:
        result.checks["redis"] = "ok"
    if tasks_embedded():
        result.checks["worker"] = "embedded"  # tasks run in-process: nothing to wait for
    elif "redis" in result.problems:
        result.problems["worker"] = "unknown: the heartbeats are kept in Redis, which is unreachable"
    else:
        stale = settings.PORTAL_HEARTBEAT_STALE_SECONDS
        age = heartbeat_age("worker")
        if age is None or age > stale:
            seen = "never" if age is None else f"{age:.0f} s ago"
            result.problems["worker"] = f"no Celery worker heartbeat in the last {stale} s (last: {seen})"
        else:
            result.checks["worker"] = "ok"
    return result
