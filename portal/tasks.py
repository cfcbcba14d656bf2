"""Celery tasks of the portal: thin and idempotent (running one twice does no harm)."""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, User

SMTP_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


def _recipients(user_ids: list[int] | None, enterprise_id: int | None) -> list[User]:
    qs = User.objects.filter(is_active=True)
    if enterprise_id is not None:
        # Members of the enterprise, through the reverse accessor (portal imports no other app).
        qs = qs.filter(membership__enterprise_id=enterprise_id)
    else:
        qs = qs.filter(pk__in=user_ids or [])
    return list(qs.order_by("pk"))


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + link


def _email(note: Notification, recipient: User) -> None:
    """Send the e-mail of one inbox row unless it went out already; the row lock keeps two
    concurrent runs of the task from both sending it."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=note.pk)
        if locked.emailed_at is not None:
            return
        link = _absolute(locked.link)
        body = locked.body + (f"\n\n{link}" if link else "")
        send_mail(
            subject=locked.subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])


def _rows(
    *,
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    link: str = "",
    user_ids: list[int] | None = None,
    enterprise_id: int | None = None,
) -> tuple[list[tuple[Notification, User]], int]:
    """The inbox rows of a notification (one per recipient and dedupe_key), made if missing."""
    rows, created = [], 0
    for recipient in _recipients(user_ids, enterprise_id):
        try:
            with transaction.atomic():
                note, made = Notification.objects.get_or_create(
                    recipient=recipient,
                    dedupe_key=dedupe_key,
                    # composed by the services (names in a template), not typed by a user: cut to the columns
                    defaults={"kind": kind, "subject": subject[:200], "body": body, "link": link[:300]},
                )
        except IntegrityError:  # a concurrent run created it first
            note, made = Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key), False
        created += int(made)
        rows.append((note, recipient))
    return rows, created


def inbox_rows_create(**kwargs) -> int:
    """The inbox rows only, without e-mail (when the broker is unreachable; the sweep e-mails them)."""
    return _rows(**kwargs)[1]


@shared_task(
    bind=True, autoretry_for=SMTP_ERRORS, retry_backoff=30, retry_backoff_max=3600, retry_jitter=True, max_retries=8
)
def notification_deliver(
    self,
    *,
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    link: str = "",
    user_ids: list[int] | None = None,
    enterprise_id: int | None = None,
) -> int:
    """Create the inbox rows (one per recipient and dedupe_key) and e-mail each row once.
    Returns how many rows this run created (0 on a retry that finds them all)."""
    rows, created = _rows(
        kind=kind,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        link=link,
        user_ids=user_ids,
        enterprise_id=enterprise_id,
    )
    for note, recipient in rows:
        if recipient.email and note.emailed_at is None:
            _email(note, recipient)
    return created


@shared_task(name="portal.tasks.notifications_email_pending")
def notifications_email_pending(older_than_seconds: int = 300, limit: int = 500) -> int:
    """Periodic sweep: e-mail the inbox rows whose e-mail has not gone out (written while the broker
    was down, or a delivery that gave up on the mail server), once they are a few minutes old so as
    not to race a delivery in progress (the row lock in _email keeps even that from sending twice).
    Returns how many went out; a mail server still down stops the sweep until the next one."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff, recipient__is_active=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")[:limit]
    )
    sent = 0
    for note in pending:
        try:
            _email(note, note.recipient)
        except SMTP_ERRORS:
            break
        sent += 1
    return sent
