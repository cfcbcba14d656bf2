"""Prometheus metrics at /metrics: only for the scraper (a bearer token or an allowed address),
django-prometheus's request figures, Celery's queue length in Redis, letters by status."""

from __future__ import annotations

import uuid

import pytest
import redis as redis_client
from django.test import Client

from portal import metrics

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789"


def scrape(**headers) -> tuple[int, str]:
    r = Client().get("/metrics", **headers)
    return r.status_code, r.content.decode()


def test_refused_without_a_token_or_an_allowed_address(settings):
    settings.PORTAL_METRICS_TOKEN, settings.PORTAL_METRICS_ALLOWED_IPS = "", []
    assert scrape() == (403, "Forbidden\n")
    settings.PORTAL_METRICS_TOKEN = TOKEN
    assert scrape()[0] == 403
    assert scrape(HTTP_AUTHORIZATION="Bearer wrong-token")[0] == 403
    assert scrape(HTTP_AUTHORIZATION=f"Token {TOKEN}")[0] == 403
    settings.PORTAL_METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not-an-address"]
    assert scrape()[0] == 403  # the test client is 127.0.0.1


def test_with_the_token_or_from_an_allowed_address(settings):
    settings.PORTAL_METRICS_TOKEN, settings.PORTAL_METRICS_ALLOWED_IPS = TOKEN, []
    status, text = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert status == 200
    settings.PORTAL_METRICS_TOKEN, settings.PORTAL_METRICS_ALLOWED_IPS = "", ["127.0.0.0/8"]
    assert scrape()[0] == 200


def test_the_figures(settings, client):
    settings.PORTAL_METRICS_ALLOWED_IPS = ["127.0.0.1"]
    client.get("/healthz")
    status, text = scrape()
    assert status == 200
    # django-prometheus: requests, responses and latencies
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    # letters by status, every status present (0 too)
    for status_name in ("pending", "ready", "revoked", "failed"):
        assert f'portal_letters{{status="{status_name}"}} 0.0' in text


def test_the_celery_queue_length_in_redis(settings, monkeypatch):
    """Read from the broker's Redis list (all priority steps); on a Redis of its own queue name."""
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    try:
        redis_client.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis_client.RedisError:
        pytest.skip("needs Redis")
    queue = f"ops-metrics-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL, settings.CELERY_TASK_DEFAULT_QUEUE = url, queue
    settings.PORTAL_METRICS_ALLOWED_IPS = ["127.0.0.1"]
    r = redis_client.Redis.from_url(url)
    try:
        r.rpush(queue, "a", "b", "c")
        r.rpush(f"{queue}{metrics.PRIORITY_SEPARATOR}6", "d")
        assert metrics.celery_queue_lengths() == {queue: 4}
        status, text = scrape()
        assert f'portal_celery_queue_length{{queue="{queue}"}} 4.0' in text
    finally:
        r.delete(queue, f"{queue}{metrics.PRIORITY_SEPARATOR}6")


def test_redis_down_leaves_the_queue_figure_out_not_the_scrape(settings):
    settings.REDIS_URL, settings.PORTAL_METRICS_ALLOWED_IPS = "redis://127.0.0.1:1/0", ["127.0.0.1"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    status, text = scrape()
    assert status == 200
    assert "# TYPE portal_celery_queue_length gauge" in text
    assert "portal_celery_queue_length{" not in text
    assert "portal_letters{" in text
