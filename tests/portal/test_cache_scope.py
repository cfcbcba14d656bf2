"""The Redis cache's clear() empties only its own namespace (KEY_PREFIX): under pytest-xdist each
worker has its own, and Django's clear() (FLUSHDB) would wipe the other worker's — or another site's
sharing the Redis database — throttle counts and cached figures. Needs Redis (REDIS_URL; CI sets it)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from portal.cache import ResilientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL; CI does)")


def test_clear_leaves_the_other_namespaces_alone():
    mine = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"scope-{uuid.uuid4().hex[:8]}"})
    other = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"scope-{uuid.uuid4().hex[:8]}"})
    mine.set_many({f"k{i}": i for i in range(2500)})  # more than one SCAN page and one DEL batch
    other.set("kept", "yes")
    try:
        assert mine.clear() is True
        assert mine.get_many([f"k{i}" for i in range(0, 2500, 97)]) == {}
        assert other.get("kept") == "yes"
    finally:
        other.clear()
    assert other.get("kept") is None


def test_one_client_per_pool_shared_by_calls_and_threads():
    """Django builds a redis.Redis per call; ours keeps one per pool (portal.cache), and the answers
    stay each caller's own when threads share it."""
    from concurrent.futures import ThreadPoolExecutor

    cache = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"scope-{uuid.uuid4().hex[:8]}"})
    try:
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client() is client and cache._cache.get_client(write=True) is client

        def round_trip(i: int) -> bool:
            cache.set(f"t{i}", {"n": i})
            return all(cache.get(f"t{i}") == {"n": i} for _ in range(20))

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert all(pool.map(round_trip, range(64)))
        assert cache._cache.get_client() is client
    finally:
        cache.clear()
