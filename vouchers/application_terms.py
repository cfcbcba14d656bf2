"""What vouchers knows of applications' vocabulary, given by applications when it starts
(applications.apps): its states with their labels in workflow order, how the budget overview groups
them into columns, which state is the batch awaiting the bureau's decision, and the kind of claim an
invoice number is. vouchers imports nothing of applications and copies none of these values; it reads
applications' rows only through the relations applications declares on vouchers' models
(Programme.applications, an enterprise's applications and their claims)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Label = str | Promise


@dataclass(frozen=True)
class ApplicationTerms:
    states: tuple[tuple[str, Label], ...]  # every state and its label, in workflow order
    budget_groups: tuple[tuple[str, Label, tuple[str, ...]], ...]  # the budget overview's columns
    awaiting_decision: str  # 实质审核中: the batch the oversubscription remedies are computed on
    invoice_claim: str  # the kind of an application's claim on an invoice number (not redeemable again)


_given: list[ApplicationTerms] = []


def application_terms_give(terms: ApplicationTerms) -> None:
    """Called once by applications at start-up (AppConfig.ready)."""
    _given[:] = [terms]


def application_terms() -> ApplicationTerms:
    if not _given:
        raise ImproperlyConfigured("applications has not given vouchers its terms (applications.apps.ready)")
    return _given[0]
