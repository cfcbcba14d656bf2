"""The balance never goes below zero, even with redemptions at once (PostgreSQL, real threads)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from vouchers.models import Award, LedgerEntry, Redemption, Voucher

from .redemption_helpers import issue_voucher, make_provider, redeem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_storage")]


def test_two_redemptions_at_once_cannot_overdraw(catalogue, enterprise_a, owner_a):
    from portal.models import Role

    voucher = issue_voucher(
        programme=catalogue["hp-compute-voucher"], enterprise=enterprise_a, created_by=owner_a, amount="1000.00"
    )
    users = [UserFactory(role=Role.PROVIDER) for _ in range(2)]
    for i, user in enumerate(users):
        make_provider(user=user, n=i + 1)

    def attempt(user, n):
        return lambda: redeem(actor=user, voucher=voucher, amount="600.00", invoice_number=f"INV{n:08d}")

    results, errors = run_in_threads([attempt(u, i) for i, u in enumerate(users)])
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "余额" in str(errors[0])
    assert Voucher.objects.get(pk=voucher.pk).balance == Decimal("400.00")
    assert Award.objects.get(pk=voucher.award_id).disbursed == Decimal("600.00")


def test_many_redemptions_at_once_spend_exactly_the_balance(catalogue, enterprise_a, owner_a, provider_user):
    voucher = issue_voucher(
        programme=catalogue["hp-compute-voucher"], enterprise=enterprise_a, created_by=owner_a, amount="1000.00"
    )
    make_provider(user=provider_user)

    def attempt(n):
        return lambda: redeem(actor=provider_user, voucher=voucher, amount="70.00", invoice_number=f"N{n:08d}")

    results, errors = run_in_threads([attempt(i) for i in range(20)])
    assert len(results) == 14 and len(errors) == 6  # 14 × 70 = 980 fits, a 15th would need 1050
    assert all(isinstance(e, ValidationError) for e in errors)
    v = Voucher.objects.get(pk=voucher.pk)
    assert v.balance == Decimal("20.00") and v.balance >= 0
    assert sum(r.amount for r in Redemption.objects.all()) == Decimal("980.00")
    assert sum(e.amount for e in LedgerEntry.objects.filter(kind="disburse")) == Decimal("980.00")


def test_same_invoice_at_once_is_redeemed_once(catalogue, enterprise_a, owner_a, provider_user):
    voucher = issue_voucher(
        programme=catalogue["hp-compute-voucher"], enterprise=enterprise_a, created_by=owner_a, amount="1000.00"
    )
    make_provider(user=provider_user)
    results, errors = run_in_threads(
        [lambda: redeem(actor=provider_user, voucher=voucher, amount="10.00", invoice_number="DUP0000001")] * 4
    )
    assert len(results) == 1 and len(errors) == 3
    assert Voucher.objects.get(pk=voucher.pk).balance == Decimal("990.00")


def test_the_database_refuses_a_negative_balance(catalogue, enterprise_a, owner_a):
    from django.db import IntegrityError, transaction

    voucher = issue_voucher(
        programme=catalogue["hp-compute-voucher"], enterprise=enterprise_a, created_by=owner_a, amount="1000.00"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(balance=Decimal("-0.01"))
