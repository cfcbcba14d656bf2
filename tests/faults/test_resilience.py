"""The pieces the fault tests rely on, without real faults (these run everywhere, SQLite included):
a database error answers 503 with a clear message, a notification that cannot be queued waits in
the inbox and the sweep e-mails it once, and the cache is a miss when Redis is unreachable."""

from __future__ import annotations

import socket
import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from portal.models import Notification
from portal.notifications import notify_users
from portal.tasks import notifications_email_pending

from .conftest import real_broker

pytestmark = pytest.mark.django_db


def _database_down(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("path", ["/", "/applications/", "/review/", "/catalogue/"])
def test_a_database_outage_answers_503_with_a_clear_page(client_for, owner_a, path):
    client = client_for(owner_a)
    client.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", _database_down):
        r = client.get(path)
    assert r.status_code == 503 and r["Retry-After"]
    text = r.content.decode()
    assert "系统繁忙" in text and "Traceback" not in text and "OperationalError" not in text


def test_a_database_outage_answers_503_json_under_the_api(api_for, owner_a):
    client = Client(raise_request_exception=False)
    with mock.patch.object(CursorWrapper, "execute", _database_down):
        r = client.get("/api/v1/applications/", HTTP_AUTHORIZATION="Token whatever")
    assert r.status_code == 503 and "数据库暂时不可用" in r.json()["detail"]


def test_other_errors_stay_500_without_a_traceback(client_for, owner_a):
    client = client_for(owner_a)
    client.raise_request_exception = False
    with mock.patch("applications.views.applications_for_actor", side_effect=RuntimeError("bug")):
        r = client.get("/applications/")
    assert r.status_code == 500 and "系统出现错误" in r.content.decode() and "bug" not in r.content.decode()


def test_a_notification_that_cannot_be_queued_waits_in_the_inbox_and_the_sweep_mails_it_once(
    owner_a, mailoutbox, django_capture_on_commit_callbacks
):
    with socket.socket() as s:  # a Redis address nothing listens on: the broker is down for real
        s.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    with real_broker(dead), django_capture_on_commit_callbacks(execute=True):
        notify_users(user_ids=[owner_a.pk], kind="account", subject="测试", body="正文", dedupe_key="t:1")
    note = Notification.objects.get(recipient=owner_a, dedupe_key="t:1")
    assert note.emailed_at is None and mailoutbox == []
    assert notifications_email_pending() == 0  # too young: a delivery may still be under way
    assert notifications_email_pending(older_than_seconds=0) == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [owner_a.email]
    assert notifications_email_pending(older_than_seconds=0) == 0 and len(mailoutbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_the_cache_is_a_miss_when_redis_is_unreachable():
    from portal.cache import ResilientRedisCache

    cache = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    cache.set("k", 1)
    assert cache.add("k", 1) is False and cache.get_many(["k"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")
    assert time.monotonic() - started < 5
