"""Document numbers (发文字号) like 穗开经信批字〔2026〕12号: sequential per prefix (one issuing
authority) and year, never reused and never skipped.

The counter row is locked with SELECT … FOR UPDATE in the caller's transaction (the decision's), so
two decisions at once queue on it, and a decision that rolls back gives its number back with it.

Each kind of letter has its own series (代字) under the authority's prefix: the catalogue's
`letter_prefix` (穗开经信批字) numbers the decisions that grant (核定通知, 批字); the notices take the
same authority stem with their own word — 补正通知书 补字 (穗开经信补字〔2026〕1号), 不予支持通知 函
(穗开经信函〔2026〕1号), the bureaus' series for letters that answer an application without granting
it; 事前同意函 复字 (a reply to the enterprise's request, 天科工信复字〔2026〕1号); 追回决定书 决字
(穗开经信决字〔2026〕1号). So a notice never takes a number from the approvals' series, and each series
stays gapless. These words are defaults: an authority sets its own as data (LetterIssuer.series_words,
in the admin), read when a letter takes its number."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from reviews.models import Letter, LetterIssuer, LetterSeries

# The default word (代字) of each kind's series; the approvals' is the catalogue's prefix itself.
KIND_WORDS = {
    Letter.Kind.SUPPLEMENT: "补字",
    Letter.Kind.DECLINE: "函",
    Letter.Kind.PREAPPROVAL: "复字",
    Letter.Kind.CLAWBACK: "决字",
}
APPROVAL_WORD = "批字"


def series_word(*, authority: str, kind: str) -> str | None:
    """The word of `kind`'s series for `authority`: its own (LetterIssuer) if set, else the default."""
    own = LetterIssuer.objects.filter(authority=authority).values_list("series_words", flat=True).first() or {}
    word = own.get(kind) if isinstance(own, dict) else None
    return str(word).strip() if word and str(word).strip() else KIND_WORDS.get(kind)


def kind_prefix(*, prefix: str, kind: str, authority: str = "") -> str:
    """The prefix of `kind`'s series under the authority's `prefix`: 穗开经信批字 → 穗开经信补字 (supplement),
    穗开经信函 (decline), 穗开经信复字 (pre-approval), 穗开经信决字 (claw-back), 穗开经信批字 (approval, unless
    the authority names a word for it). A prefix not ending in 批字 is the stem itself."""
    word = series_word(authority=authority, kind=kind)
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
