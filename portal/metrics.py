"""Prometheus metrics at /metrics: django-prometheus's request, response and latency figures, and
the portal's own, computed at each scrape — the length of Celery's queue in Redis, the age of the
newest worker and beat heartbeats, and the figures of the apps' collectors
(settings.PORTAL_METRICS_COLLECTORS, e.g. letters by status).

Only for the scraper: a request with `Authorization: Bearer <PORTAL_METRICS_TOKEN>` or from an
address in PORTAL_METRICS_ALLOWED_IPS; everyone else gets 403 and no figure. With gunicorn's worker
processes set PROMETHEUS_MULTIPROC_DIR (docker-compose.yml does) so that the counters of every
process are added up, not those of whichever process answered."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable

import prometheus_client
import redis
from django.conf import settings
from django.utils.module_loading import import_string
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .health import heartbeat_age, tasks_embedded
from .outbox import outbox_waiting

logger = logging.getLogger("portal.metrics")

# kombu's Redis transport keeps one list per queue and priority step (no priority: the plain name).
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def metrics_allowed(request) -> bool:
    token = settings.PORTAL_METRICS_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer ") and hmac.compare_digest(auth.removeprefix("Bearer ").strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.PORTAL_METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            logger.warning("PORTAL_METRICS_ALLOWED_IPS: %r is not an address or a network", allowed)
    return False


def celery_queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue of the Redis broker (all priority steps added up)."""

    queues = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        out = {}
        for queue in queues:
            keys = [queue] + [f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS if step]
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.llen(key)
            out[queue] = sum(int(n or 0) for n in pipe.execute())
        return out
    finally:
        client.close()


class PortalCollector(Collector):
    """The portal's figures, read when Prometheus scrapes (nothing is kept between scrapes)."""

    def collect(self) -> Iterable:
        if settings.REDIS_URL:
            queue = GaugeMetricFamily(
                "portal_celery_queue_length", "Tasks waiting in the Celery queue (Redis).", labels=["queue"]
            )
            try:
                for name, length in celery_queue_lengths().items():
                    queue.add_metric([name], length)
            except Exception as exc:  # Redis down: no figure (readiness says why), never a failed scrape
                logger.warning("metrics: could not read the Celery queue length: %r", exc)
            yield queue
        if not tasks_embedded():
            ages = GaugeMetricFamily(
                "portal_heartbeat_age_seconds",
                "Seconds since the newest heartbeat of a Celery worker / beat.",
                labels=["process"],
            )
            for kind in ("worker", "beat"):
                age = heartbeat_age(kind)
                if age is not None:
                    ages.add_metric([kind], age)
            yield ages
            try:
                waiting = GaugeMetricFamily(
                    "portal_outbox_waiting", "Tasks asked for while the broker was down, waiting to be published."
                )
                waiting.add_metric([], outbox_waiting())
                yield waiting
            except Exception as exc:  # the database down: the other figures still go out
                logger.warning("metrics: could not count the outbox: %r", exc)
        for path in settings.PORTAL_METRICS_COLLECTORS:
            collect: Callable[[], Iterable] = import_string(path)
            try:
                yield from collect()
            except Exception as exc:  # the database down: the other figures still go out
                logger.warning("metrics: collector %s failed: %r", path, exc)


def metrics_text() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    registry = prometheus_client.CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    registry.register(PortalCollector())
    return prometheus_client.generate_latest(registry), prometheus_client.CONTENT_TYPE_LATEST


class _ProcessRegistry(Collector):
    """This process's registry (django-prometheus's metrics live there), seen from the registry of
    one scrape."""

    def collect(self) -> Iterable:
        return prometheus_client.REGISTRY.collect()
