"""Celery tasks of letters: thin and idempotent (a redelivered task stores nothing twice)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from reviews.models import Letter

from .services import letter_generate_now, letter_note_failure


@shared_task(
    bind=True,
    name="reviews.letters.tasks.letter_generate",
    autoretry_for=(Exception,),
    dont_autoretry_for=(Letter.DoesNotExist,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
)
def letter_generate(self, letter_id: int) -> str:
    """Render and store the letter's PDF once; returns its SHA-256. Each failure is noted on the
    letter and retried with backoff; the last one (retries used up) marks it failed (生成失败), for
    the bureau to see and retry (services.letter_retry) — it is not retried for ever."""
    try:
        return _generate(letter_id)
    except Letter.DoesNotExist:
        raise
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        letter_note_failure(letter_id=letter_id, error=f"{exc.__class__.__name__}: {exc}", final=final)
        raise


def _generate(letter_id: int) -> str:
    return letter_generate_now(letter_id=letter_id).sha256


@shared_task(name="reviews.letters.tasks.letters_generate_pending", acks_late=True)
def letters_generate_pending(older_than_minutes: int = 10) -> int:
    """Periodic safety net: queue again letters still without a PDF some minutes after their decision
    (the broker was down at commit, or a worker was lost). Generation is idempotent. Failed letters
    (every retry used) are left to a person: they are not queued again here."""

    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    ids = list(
        Letter.objects.filter(status=Letter.Status.PENDING, sha256="", created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        letter_generate.delay(pk)
    return len(ids)
