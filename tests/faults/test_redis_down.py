"""Redis down: the portal still serves pages and API answers (the cache is an optimisation; a
notification that cannot be queued is written to the inbox in the request, and its delivery waits
in the outbox, written in the same transaction), and the queues resume when Redis returns (the
worker reconnects, new work is delivered, and beat publishes what waited in the outbox at its next
tick: no half-hour sweep). Real processes: gunicorn, a Celery worker, beat, and a redis-server of
the test's own, stopped for a few seconds."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from knox.models import AuthToken

from applications.models import Application, EnterpriseMember
from applications.workflow import State
from portal.models import Notification, OutboxMessage
from tests.cast import _draft
from tests.factories import member
from vouchers.models import ApplicationWindow

from .conftest import fault, http, process_env, session_of, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), fault]

PAGES = ["/", "/catalogue/", "/notices/", "/verify/", "/applications/", "/inbox/"]
API = ["/api/v1/me/", "/api/v1/applications/", "/api/v1/programs/", "/api/v1/reviews/notices/"]


def _note(app: Application) -> Notification | None:
    return Notification.objects.filter(dedupe_key=f"submitted:{app.pk}").first()


def test_pages_and_submissions_survive_redis_down_and_queues_resume(
    catalogue, enterprise_a, redis_server, processes, fault_storage, tmp_path
):
    owner = member(enterprise_a, EnterpriseMember.MemberRole.OWNER, email="owner-redis@example.cn")
    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )
    before, during, after = (_draft(programme, owner, n=n) for n in (1, 2, 3))
    token = AuthToken.objects.create(user=owner)[1]
    session = session_of(owner)

    env = process_env(fault_storage, redis_server.url)
    processes.server(env)
    processes.worker(env)
    beat = processes.beat(env, tmp_path)

    def check_everything(label: str, *, timed: bool = True) -> None:
        for path in PAGES:
            status, body, seconds = http("GET", path, session=session)
            assert status == 200, f"{label}: GET {path} → {status} {body[:300]}"
            assert seconds < 5 or not timed, f"{label}: GET {path} took {seconds:.1f}s"
        for path in API:
            status, body, seconds = http("GET", path, token=token)
            assert status == 200, f"{label}: GET {path} → {status} {body[:300]}"
        # a throttled endpoint (the throttle lives in the cache): refused for its input, not a 500
        status, body, _s = http("POST", "/api/v1/reviews/notices/999999/objections/", json={})
        assert status == 404, f"{label}: objection → {status} {body[:300]}"

    def submit(app: Application, label: str) -> None:
        status, body, seconds = http(
            "POST", f"/api/v1/applications/{app.pk}/submit/", token=token, json={"declaration": True}
        )
        assert status == 200, f"{label}: submit → {status} {body[:500]}"
        assert seconds < 10, f"{label}: submit took {seconds:.1f}s"
        app.refresh_from_db()
        assert app.state == State.SUBMITTED

    # Redis up: the notification goes through the queue.
    for _ in range(3):  # every gunicorn worker loads the whole project on its first requests
        check_everything("warm-up", timed=False)
    check_everything("redis up")
    submit(before, "redis up")
    wait_for(lambda: (n := _note(before)) and n.emailed_at, timeout=60, what="the first notification delivered")

    # Redis down for a few seconds.
    redis_server.stop()
    check_everything("redis down")
    submit(during, "redis down")
    note = _note(during)
    assert note is not None and note.emailed_at is None, "the notification should wait in the inbox for its e-mail"
    waiting = OutboxMessage.objects.filter(task="portal.tasks.notification_deliver", published_at__isnull=True)
    assert waiting.count() == 1 and waiting.get().kwargs["dedupe_key"] == f"submitted:{during.pk}"

    # Redis back: the worker reconnects, new work flows, and beat publishes what waited in the outbox
    # at its next tick (CELERY_BEAT_MAX_LOOP_INTERVAL = 30 s) — not at the e-mail sweep half an hour on.
    redis_server.start()
    back = time.monotonic()
    check_everything("redis back")
    submit(after, "redis back")
    wait_for(lambda: (n := _note(after)) and n.emailed_at, timeout=90, what="delivery after Redis returned")
    wait_for(
        lambda: Notification.objects.get(pk=note.pk).emailed_at,
        timeout=60,
        what="beat publishing the delivery that waited in the outbox while Redis was down",
    )
    assert time.monotonic() - back < 60
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()
    assert beat.poll() is None, processes.log_of(beat)
    assert Notification.objects.filter(dedupe_key__startswith="submitted:").count() == 3
    assert Application.objects.filter(state=State.SUBMITTED).count() == 3
