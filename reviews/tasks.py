"""Periodic tasks of the review workflow (settings.CELERY_BEAT_SCHEDULE): thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from .services.deadlines import deadline_reminders_send as _reminders
from .services.notices import public_notices_close_due as _close_due


@shared_task(name="reviews.tasks.public_notices_close_due")
def public_notices_close_due() -> dict:
    """公示期满: finalize the awards of notices whose period is over (no open objection)."""
    return _close_due()


@shared_task(name="reviews.tasks.deadline_reminders_send")
def deadline_reminders_send() -> dict:
    """催办: reminder e-mails about overdue work, once a day per recipient."""
    return _reminders()
