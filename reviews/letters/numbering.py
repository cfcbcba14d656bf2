"""Document numbers (发文字号) like 穗开经信批字〔2026〕12号: sequential per prefix (one issuing
authority) and year, never reused and never skipped.

The counter row is locked with SELECT … FOR UPDATE in the caller's transaction (the decision's), so
two decisions at once queue on it, and a decision that rolls back gives its number back with it."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from reviews.models import LetterSeries


def number_format(*, prefix: str, year: int, serial: int) -> str:
    return f"{prefix}〔{year}〕{serial}号"


def number_take(*, prefix: str, year: int) -> int:
    """The next serial of (prefix, year). Must run inside the transaction that records the letter."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take must run inside the decision's transaction")
    try:
        with transaction.atomic():  # savepoint: a concurrent first use may create the row first
            LetterSeries.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass
    series = LetterSeries.objects.select_for_update().get(prefix=prefix, year=year)
    series.last_serial += 1
    series.save(update_fields=["last_serial"])
    return series.last_serial
