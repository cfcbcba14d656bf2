"""The transactional outbox (发件箱) for Celery work: `outbox_enqueue` writes the request in the
caller's transaction and publishes it once that commits; what the broker refused then (Redis down)
is published by `outbox_relay`, which beat's scheduler runs at every tick (portal.celery), so work
asked for during an outage leaves within a tick of the broker's return. Tasks sent this way must be
idempotent (they are, by the house rule): a message may be published twice, never lost.

With tasks running in-process (the embedded default, no broker), settings.PORTAL_EAGER_TASKS says
when: "background" (the default) hands the message to the in-process worker thread
(portal.background), so the request answers before the work (a letter's PDF) is done; "inline" runs
it at commit as `.delay()` would (the test settings); "deferred" leaves it waiting until
`outbox_run_pending()` is called (tests that look at the page between the request and the work)."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .background import BackgroundWorker
from .models import OutboxMessage

logger = logging.getLogger(__name__)
# Rows younger than this are left to the publisher of their own commit (no double send in the
# ordinary case); published rows are kept this long for inspection, then deleted.
RELAY_GRACE = dt.timedelta(seconds=5)
KEEP_PUBLISHED = dt.timedelta(days=7)
ERROR_MAX = OutboxMessage._meta.get_field("last_error").max_length or 300


def outbox_enqueue(task: str, **kwargs) -> OutboxMessage:
    """Ask for `task(**kwargs)` (its registered name) once the current transaction commits; a
    rolled-back transaction asks for nothing. JSON-serialisable keyword arguments only."""
    if task not in _tasks():
        raise ValueError(f"unknown task: {task!r}")
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    message_id = message.pk
    # robust: a broker outage after commit must not turn a committed change into an error page.
    transaction.on_commit(lambda: _dispatch(message_id), robust=True)
    return message


def _eager_mode() -> str:
    """How in-process work runs: "" with a broker (Celery workers run it), else the setting."""
    if not current_app.conf.task_always_eager:
        return ""
    return getattr(settings, "PORTAL_EAGER_TASKS", "inline")


def outbox_publishing_locally() -> bool:
    """True when committed work waits for this process (background thread or an explicit run),
    not for a broker: a message not yet published then means "not yet run", not "broker down"."""
    return _eager_mode() in ("background", "deferred")


def _dispatch(message_id: int) -> None:
    mode = _eager_mode()
    if mode == "background":
        _worker.submit(lambda: _publish_one(message_id))
    elif mode != "deferred":
        _publish_one(message_id)


def _on_worker_start() -> None:
    """Work a previous process committed but did not run (stopped in between) runs first."""
    outbox_relay()


_worker = BackgroundWorker(on_start=_on_worker_start)


def outbox_warm() -> None:
    """In "background" mode, load the task registry on a thread at start-up, so that the first
    request asking for work does not pay for importing every app's tasks (a quarter of a second)."""
    if _eager_mode() == "background" and not _loaded:
        threading.Thread(target=_tasks, name="portal-outbox-warm", daemon=True).start()


def outbox_background_join() -> None:
    """Wait until the in-process worker has run everything handed to it (tests, shutdown)."""
    _worker.join()


def outbox_run_pending() -> int:
    """Run now, in this thread, every message still waiting (oldest first); returns how many were
    published. Tests with PORTAL_EAGER_TASKS="deferred" call it to do the work the request left,
    and the work that work asked for (a letter's notification), a few rounds deep."""
    published = 0
    for _round in range(5):
        waiting = list(OutboxMessage.objects.filter(published_at__isnull=True).order_by("pk"))
        if not waiting:
            break
        for message in waiting:
            if not _attempt(message):
                return published
            published += 1
    return published


def _tasks():
    """The registry of tasks, with every app's tasks module imported (Celery imports them lazily,
    at a worker's start; a web process asks for tasks by name)."""
    if not _loaded:
        current_app.loader.import_default_modules()
        _loaded.append(True)
    return current_app.tasks


_loaded: list[bool] = []


def _send(message: OutboxMessage) -> None:
    _tasks()[message.task].apply_async(kwargs=message.kwargs)


def _publish_one(message_id: int) -> bool:
    """Publish one message unless it went already; True when it is published."""
    message = OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).first()
    if message is None:
        return True
    return _attempt(message)


def _attempt(message: OutboxMessage) -> bool:
    try:
        _send(message)
    except Exception as exc:  # noqa: BLE001 - kombu/redis errors alike: the broker is unreachable
        if current_app.conf.task_always_eager:
            raise  # in-process: the task itself failed, as .delay() would have raised
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:ERROR_MAX]
        )
        logger.warning("broker unavailable: %s #%s left in the outbox", message.task, message.pk)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=timezone.now(), attempts=message.attempts + 1)
    return True


def outbox_relay(*, limit: int = 500) -> int:
    """Publish what is still waiting (oldest first) and forget what was published long ago; returns
    how many were published. Stops at the first refusal: the broker is still down."""
    now = timezone.now()
    OutboxMessage.objects.filter(published_at__lt=now - KEEP_PUBLISHED).delete()
    waiting = list(
        OutboxMessage.objects.filter(published_at__isnull=True, created_at__lt=now - RELAY_GRACE).order_by("pk")[:limit]
    )
    published = 0
    for message in waiting:
        if not _attempt(message):
            break
        published += 1
    if published:
        logger.info("outbox: %s waiting task(s) published", published)
    return published


def outbox_waiting() -> int:
    """How many requests wait for the broker (for /metrics and /readyz)."""
    return OutboxMessage.objects.filter(published_at__isnull=True).count()
