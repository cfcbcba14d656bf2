"""追回 decided with its letter: the claw-back decision (a vouchers service: the award ends, the unpaid
rest goes back to the pool) and the 追回决定书 to the enterprise — reason, amount owed, how and by when
to repay, the remedies — in one transaction, so there is no decision without its letter and no number
taken for a decision that failed. vouchers does not import reviews: the pages and the API that decide
a claw-back call this function."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from reviews.letters.services import letter_create_for_clawback
from vouchers.models import Award, Clawback
from vouchers.services.clawbacks import clawback_decide


def clawback_decide_with_letter(
    *, actor, award: Award, amount, reason: str, due_on: dt.date | None = None, ip: str | None = None
) -> Clawback:
    with transaction.atomic():
        clawback = clawback_decide(actor=actor, award=award, amount=amount, reason=reason, due_on=due_on, ip=ip)
        letter_create_for_clawback(clawback=clawback, actor=actor)
    return clawback
