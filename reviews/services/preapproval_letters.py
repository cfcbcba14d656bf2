"""事前同意 decided with its letter: the bureau's decision on a pre-approval (an applications service)
and, when it approves, the 事前同意函 of the programme's responsible unit (reviews.letters), in one
transaction — the letter's number is taken there and given back if anything fails, so the series
stays gapless. applications does not know letters (imports point one way): the pages and the API of
the decision call this function."""

from __future__ import annotations

from django.db import transaction

from applications.models import PreApproval
from applications.services_preapproval import preapproval_decide
from reviews.letters.services import letter_create_for_preapproval


def preapproval_decide_with_letter(
    *, actor, preapproval: PreApproval | int, approve: bool, reason: str = "", ip: str | None = None
) -> PreApproval:
    """同意 (with its 事前同意函) or 不予同意 (no letter: the refusal and its reason are on the request)."""
    with transaction.atomic():
        decided = preapproval_decide(actor=actor, preapproval=preapproval, approve=approve, reason=reason, ip=ip)
        if decided.state == PreApproval.State.APPROVED:
            letter_create_for_preapproval(preapproval=decided, actor=actor)
    return decided
