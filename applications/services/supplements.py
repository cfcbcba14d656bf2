"""补正 returns for supplement, as the application records them. The reviewer side decides a return
(reviews.services.formal: its checks, the letter, the notice) and records it here inside its own
transaction, after locking the application; the applicant's resubmission answers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.utils import timezone

from ..models import Application, SupplementItem, SupplementRequest


def supplement_request_record(
    *,
    application: Application,
    requested_by,
    due_date: dt.date,
    review_due_date: dt.date | None,
    note: str,
    items: Iterable[Mapping[str, str]],
) -> SupplementRequest:
    """Store one return with its items (code, label, note) in the order given. The caller holds the
    application's row lock and has checked the items (一次性告知)."""
    request = SupplementRequest.objects.create(
        application=application,
        requested_by=requested_by,
        due_date=due_date,
        review_due_date=review_due_date,
        note=note,
    )
    SupplementItem.objects.bulk_create(
        [
            SupplementItem(
                request=request, code=item["code"], label=item["label"], note=item.get("note", ""), position=n
            )
            for n, item in enumerate(items, start=1)
        ]
    )
    return request


def supplement_request_answer(*, application: Application, at: dt.datetime | None = None) -> int:
    """The open return is answered by the resubmission being recorded now; returns how many were."""
    return SupplementRequest.objects.filter(application=application, answered_at__isnull=True).update(
        answered_at=at or timezone.now()
    )
