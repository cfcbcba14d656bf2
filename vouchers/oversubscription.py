"""超额申报 both remedies for a batch that asks more than is left, pure like the calculator: requests
and the room left (the pool, the programme's total over the policy period, the quota of awardees or
projects) in, the two outcomes out, nothing read or written.

- rank: highest score first (no score last, ties by application id), each funded in full until the
  money or the quota runs out; the last one funded may get only what is left;
- pro rata (按比例核减): every amount scaled so that they sum exactly to what is left, in cents; the
  cents left over by the floors go one each to the largest remainders (ties: the order given)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
RATIO_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Request:
    application_id: Any
    amount: Decimal
    score: Decimal | None = None


@dataclass(frozen=True)
class Room:
    """What is left: the pool's remaining amount, and where they bind, the programme's total over the
    period and the number of awardees/projects the quota still admits."""

    pool: Decimal
    programme_total: Decimal | None = None
    quota: int | None = None

    @property
    def available(self) -> Decimal:
        return self.pool if self.programme_total is None else min(self.pool, self.programme_total)


def cents_pro_rata(amounts: Sequence[tuple[Hashable, Decimal]], available: Decimal) -> dict[Any, Decimal]:
    """Scale amounts so they sum exactly to `available` (in cents): each gets the floor of its share,
    the cents left over go one each to the largest remainders (ties: the order given). Amounts that
    fit are kept as they are."""
    total = sum((a for _, a in amounts), ZERO)
    if total <= available:
        return {k: a for k, a in amounts}
    avail_c = int((available / CENT).to_integral_value(ROUND_DOWN))
    total_c = int(total / CENT)
    shares = []
    for i, (k, a) in enumerate(amounts):
        num = int(a / CENT) * avail_c
        shares.append((k, num // total_c, num % total_c, i))
    left = avail_c - sum(s[1] for s in shares)
    extra = {s[0] for s in sorted(shares, key=lambda s: (-s[2], s[3]))[:left]}
    return {k: Decimal(base + (1 if k in extra else 0)) * CENT for k, base, _, _ in shares}


def _id_order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def rank(requests: Sequence[Request], available: Decimal, slots: int | None) -> list[dict[str, Any]]:
    """By score until the money or the quota is exhausted."""
    ranked = sorted(requests, key=lambda r: (r.score is None, -(r.score or 0), _id_order(r.application_id)))
    rows, left = [], available
    for i, r in enumerate(ranked, start=1):
        give = ZERO
        if left > 0 and (slots is None or slots > 0) and r.amount > 0:
            give = min(r.amount, left)
            left -= give
            if slots is not None:
                slots -= 1
        outcome = ("full" if give == r.amount else "partial") if give > 0 else "none"
        rows.append(
            {
                "application_id": r.application_id,
                "rank": i,
                "score": r.score,
                "requested": r.amount,
                "awarded": give,
                "reduction": r.amount - give,
                "outcome": outcome,
            }
        )
    return rows


def pro_rata(requests: Sequence[Request], available: Decimal) -> tuple[Decimal, list[dict[str, Any]]]:
    """(the ratio, exact to six places and rounded down; the rows) of scaling to what is left."""
    requested = sum((r.amount for r in requests), ZERO)
    scaled = cents_pro_rata([(r.application_id, r.amount) for r in requests], available)
    ratio = (available / requested).quantize(RATIO_PLACES, ROUND_DOWN) if requested > available else Decimal("1")
    return ratio, [
        {
            "application_id": r.application_id,
            "score": r.score,
            "requested": r.amount,
            "awarded": scaled[r.application_id],
            "reduction": r.amount - scaled[r.application_id],
        }
        for r in requests
    ]


def remedies(requests: Sequence[Request], room: Room) -> dict[str, Any]:
    """Both remedies and the figures they rest on."""
    available = room.available
    requested = sum((r.amount for r in requests), ZERO)
    rank_rows = rank(requests, available, room.quota)
    ratio, pro_rows = pro_rata(requests, available)
    return {
        "pool_remaining": room.pool,
        "programme_total_remaining": room.programme_total,
        "quota_remaining": room.quota,
        "available": available,
        "requested": requested,
        "oversubscribed": requested > available,
        "rank": {"rows": rank_rows, "total": sum((r["awarded"] for r in rank_rows), ZERO)},
        "pro_rata": {"ratio": ratio, "rows": pro_rows, "total": sum((r["awarded"] for r in pro_rows), ZERO)},
    }
