"""Document numbers (发文字号) like 穗开经信批字〔2026〕12号: sequential per prefix (one issuing
authority) and year, never reused and never skipped.

The counter row is locked with SELECT … FOR UPDATE in the caller's transaction (the decision's), so
two decisions at once queue on it, and a decision that rolls back gives its number back with it.

Each kind of letter has its own series (代字) under the authority's prefix: the catalogue's
`letter_prefix` (穗开经信批字) numbers the decisions that grant (核定通知, 批字); the notices take the
same authority stem with their own word — 补正通知书 补字 (穗开经信补字〔2026〕1号), 不予支持通知 函
(穗开经信函〔2026〕1号), the bureaus' series for letters that answer an application without granting
it. So a notice never takes a number from the approvals' series, and each series stays gapless."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from reviews.models import Letter, LetterSeries

# The word (代字) of each kind's series; the approvals' is the catalogue's prefix itself.
KIND_WORDS = {Letter.Kind.SUPPLEMENT: "补字", Letter.Kind.DECLINE: "函"}
APPROVAL_WORD = "批字"


def kind_prefix(*, prefix: str, kind: str) -> str:
    """The prefix of `kind`'s series under the authority's `prefix`: 穗开经信批字 → 穗开经信补字 (supplement),
    穗开经信函 (decline), 穗开经信批字 (approval). A prefix not ending in 批字 is the stem itself."""
    word = KIND_WORDS.get(kind)
    if word is None:
        return prefix
    return prefix.removesuffix(APPROVAL_WORD) + word


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
