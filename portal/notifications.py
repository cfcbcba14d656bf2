"""The notification service everyone uses: an in-portal inbox message (站内信) plus the same text by
e-mail, written by a Celery task after the caller's transaction commits.

Call `notify_users` / `notify_enterprise` inside your service's transaction (or outside one): nothing
is written until the transaction commits, and a rolled-back change notifies no one. Delivery is
idempotent: each (recipient, dedupe_key) gets at most one inbox row, and each row is e-mailed once.
Give a `dedupe_key` that names the event (e.g. ``f"submitted:{application.pk}"``) when the same event
could be reported twice (a retried task, a repeated call); without one, each call is its own event.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.db import transaction

from .models import Notification, OutboxMessage
from .outbox import outbox_enqueue, outbox_publishing_locally
from .tasks import inbox_rows_create

logger = logging.getLogger(__name__)
DELIVER_TASK = "portal.tasks.notification_deliver"
DEDUPE_KEY_MAX = Notification._meta.get_field("dedupe_key").max_length or 120


def _check(kind: str, dedupe_key: str) -> str:
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind: {kind!r}")
    if len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError(f"dedupe_key longer than {DEDUPE_KEY_MAX} characters")
    # Without a key each call is a distinct event; the generated key still makes a retried task
    # create nothing twice.
    return dedupe_key or f"auto:{uuid.uuid4().hex}"


def _schedule(**kwargs) -> None:
    """Queue the delivery through the outbox (written in the caller's transaction). With the broker
    unreachable at commit, write the inbox rows now, so that the recipients see them at once; the
    outbox publishes the delivery (the e-mail) as soon as the broker is back."""
    message = outbox_enqueue(DELIVER_TASK, **kwargs)
    if outbox_publishing_locally():  # no broker to be down: this process delivers it
        return
    # robust: a broker or mail outage after commit must not turn a committed change into an error page.
    transaction.on_commit(lambda: _inbox_if_waiting(message.pk, kwargs), robust=True)


def _inbox_if_waiting(message_id: int, kwargs: dict) -> None:
    if OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).exists():
        logger.warning(
            "broker unavailable: notification %s written to the inbox, e-mail waits in the outbox",
            kwargs.get("dedupe_key"),
        )
        inbox_rows_create(**kwargs)


def notify_users(
    *, user_ids: Iterable[int], kind: str, subject: str, body: str, link: str = "", dedupe_key: str = ""
) -> None:
    """Notify these users (inbox + e-mail) once the current transaction commits."""
    ids = sorted({int(u) for u in user_ids})
    key = _check(kind, dedupe_key)
    if not ids:
        return
    _schedule(user_ids=ids, enterprise_id=None, kind=kind, subject=subject, body=body, link=link, dedupe_key=key)


def notify_enterprise(
    *, enterprise_id: int, kind: str, subject: str, body: str, link: str = "", dedupe_key: str = ""
) -> None:
    """Notify every active member of the enterprise (owner and agents) once the transaction commits."""
    key = _check(kind, dedupe_key)
    _schedule(
        user_ids=None,
        enterprise_id=int(enterprise_id),
        kind=kind,
        subject=subject,
        body=body,
        link=link,
        dedupe_key=key,
    )
