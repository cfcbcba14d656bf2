"""Celery tasks of the vouchers app: thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from .services.redemption import vouchers_expire_due as expire


@shared_task(name="vouchers.tasks.vouchers_expire_due", acks_late=True)
def vouchers_expire_due() -> int:
    """Periodic (settings.CELERY_BEAT_SCHEDULE): expire vouchers past their last valid day and release
    their unredeemed balance to the pool. Running it twice expires nothing twice."""

    return expire()
