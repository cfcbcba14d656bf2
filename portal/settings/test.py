"""Tests: fast hashing, in-memory e-mail; the database comes from DATABASE_URL like everywhere else."""

import os
import uuid

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / "test-private"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests decide themselves whether Celery runs eagerly; by default yes, so on_commit work is observable.
CELERY_TASK_ALWAYS_EAGER = env.bool("TEST_CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# In-process work runs at commit (deterministic); a test may set "deferred" and run it explicitly.
PORTAL_EAGER_TASKS = env.str("TEST_EAGER_TASKS", default="inline")
AXES_FAILURE_LIMIT = 5
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
PORTAL_LIST_COUNT_SECONDS = 0  # list totals counted on every request (no cache between tests)
# A cache namespace of this test run (inherited by xdist workers and the servers the fault tests
# start): throttle counts and cached figures of an earlier run on the same Redis never leak in. Each
# pytest-xdist worker has its own namespace under it (PYTEST_XDIST_WORKER, inherited by the servers
# it starts), so that two workers' requests never share a throttle count or a cached figure, and a
# worker's cache.clear() (portal.cache: the prefix's keys only) leaves the other's alone.
_CACHE_PREFIX = os.environ.setdefault("PORTAL_TEST_CACHE_PREFIX", f"t{uuid.uuid4().hex[:12]}")
if os.environ.get("PYTEST_XDIST_WORKER"):
    _CACHE_PREFIX = f"{_CACHE_PREFIX}-{os.environ['PYTEST_XDIST_WORKER']}"
CACHES = {name: {**conf, "KEY_PREFIX": _CACHE_PREFIX} for name, conf in CACHES.items()}  # noqa: F405
