"""Celery tasks of proactive: thin and idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PENDING_KEY = "proactive:matching-pending"


def matching_request(trigger: str) -> None:
    """Queue a matching run after the transaction commits, unless one is already waiting."""
    if not getattr(settings, "PROACTIVE_MATCH_ON_CHANGE", True):
        return
    if cache.add(PENDING_KEY, trigger, timeout=300):
        transaction.on_commit(lambda: matching_run_task.delay(trigger))


@shared_task(name="proactive.tasks.matching_run_task", acks_late=True)
def matching_run_task(trigger: str = "schedule") -> int:
    """Match every enterprise with the open programmes, then tell the newly matched once per window."""
    from .matching import matching_run
    from .notices import match_notices_send

    cache.delete(PENDING_KEY)
    run = matching_run(trigger=trigger)
    match_notices_send()
    return run.pk


@shared_task(name="proactive.tasks.auto_awards_due_task", acks_late=True)
def auto_awards_due_task() -> dict:
    """免申即享: remind once the listed enterprises whose confirmation deadline nears; lapse those past it."""
    from .services_confirm import auto_awards_due

    return auto_awards_due()


@shared_task(name="proactive.tasks.auto_batch_publish_task", acks_late=True)
def auto_batch_publish_task(batch_id: int, actor_id: int, mode: str, comment: str, ip: str | None = None) -> int:
    """免申即享: publish a big batch (all or nothing); a batch already published is left alone."""
    from .services_auto import auto_batch_publish_run

    return auto_batch_publish_run(batch_id=batch_id, actor_id=actor_id, mode=mode, comment=comment, ip=ip)


@shared_task(name="proactive.tasks.auto_batch_notice_task", acks_late=True)
def auto_batch_notice_task(batch_id: int, actor_id: int, ip: str | None = None) -> int:
    """免申即享: 公示 a big batch's approved awards as one notice; nothing ready, nothing done."""
    from .services_auto import auto_batch_notice_run

    return auto_batch_notice_run(batch_id=batch_id, actor_id=actor_id, ip=ip)


@shared_task(name="proactive.tasks.auto_batch_review_task", acks_late=True)
def auto_batch_review_task(batch_id: int, actor_id: int, comment: str, ip: str | None = None) -> int:
    """免申即享: 复核 every pending money decision of a big batch; what is approved stays approved."""
    from .services_review import auto_batch_review_run

    return auto_batch_review_run(batch_id=batch_id, actor_id=actor_id, comment=comment, ip=ip)
