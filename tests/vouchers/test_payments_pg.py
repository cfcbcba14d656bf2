"""The payment services under real concurrency (PostgreSQL, real threads; skipped on SQLite): two
administrators recording the same line paid at once, the same tranche put in two batches at once, the
same return file imported twice at once, a tranche paid while its claw-back is decided. Each time exactly
one wins, the other is refused with a reason, and the ledger agrees with the payment records
(budget_check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from portal.models import Role
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from vouchers.models import Award, Clawback, LedgerEntry, PaymentBatch, PaymentLine, PaymentTranche
from vouchers.payment_files import payment_file_xlsx, return_file_import
from vouchers.services.clawbacks import clawback_decide
from vouchers.services.payments import LineResult, batch_approve, batch_prepare, batch_results_record

from .payments_helpers import D, committed_award, today, verified_account
from .test_payments_files import xlsx_bytes, xlsx_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admins(db):
    return [UserFactory(role=Role.BUREAU_ADMIN, email=f"pg-admin{i}@example.cn", is_staff=True) for i in range(3)]


@pytest.fixture
def award(catalogue, enterprise_a, owner_a, admins):
    with transaction.atomic():  # as the finalising transaction calls the schedule
        a = committed_award(
            catalogue["hp-model-genai-filing"],
            enterprise_a,
            owner_a,
            "800000",
            actor=admins[0],
            tranches=[{"amount": "400000"}, {"amount": "400000", "requires_acceptance": False}],
        )
    verified_account(enterprise_a, owner_a, admins[0])
    return a


def approved(award, admins, tranches=None) -> PaymentBatch:
    ids = tranches or list(award.tranches.filter(status="due").values_list("pk", flat=True))
    return batch_approve(actor=admins[1], batch=batch_prepare(actor=admins[0], tranche_ids=ids))


def disbursements() -> int:
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).count()


def test_two_administrators_record_the_same_line_paid_at_once(award, admins):
    batch = approved(award, admins)

    def pay(actor, voucher):
        results = [LineResult(seq=n, paid=True, paid_on=today(), voucher_number=f"{voucher}-{n}") for n in (1, 2)]
        return lambda: batch_results_record(actor=actor, batch=batch, results=results)

    results, errors = run_in_threads([pay(admins[0], "GK-A"), pay(admins[2], "GK-B")])
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError) and "不能登记拨付结果" in str(errors[0])
    assert disbursements() == 2  # one per line, once
    assert len({ln.voucher_number[:4] for ln in PaymentLine.objects.all()}) == 1  # all from the one who won
    assert Award.objects.get(pk=award.pk).disbursed == D("800000.00")
    call_command("budget_check")


def test_the_same_tranche_put_in_two_batches_at_once(award, admins):
    ids = list(award.tranches.values_list("pk", flat=True))
    results, errors = run_in_threads(
        [
            lambda: batch_prepare(actor=admins[0], tranche_ids=ids),
            lambda: batch_prepare(actor=admins[2], tranche_ids=ids[:1]),
        ]
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError) and "不是待拨付" in str(errors[0])
    assert PaymentBatch.objects.count() == 1
    assert PaymentLine.objects.filter(tranche_id=ids[0]).count() == 1
    assert set(
        PaymentTranche.objects.filter(pk__in=[ln.tranche_id for ln in results[0].lines.all()]).values_list(
            "status", flat=True
        )
    ) == {"in_batch"}


def test_the_same_return_file_imported_twice_at_once(award, admins):
    batch = approved(award, admins)
    rows = xlsx_rows(payment_file_xlsx(batch))
    for i, r in enumerate(rows[1:], start=1):
        r[8:12] = ["成功", today(), f"HD{i:04d}", None]
    data = xlsx_bytes(rows)

    def load(actor):
        return lambda: return_file_import(actor=actor, batch=batch, name="回执.xlsx", data=data)

    results, errors = run_in_threads([load(admins[0]), load(admins[2])])
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError)
    assert disbursements() == 2 and Award.objects.get(pk=award.pk).disbursed == D("800000.00")
    assert set(PaymentLine.objects.values_list("status", flat=True)) == {"paid"}
    call_command("budget_check")


def test_a_tranche_paid_while_its_claw_back_is_decided(award, admins):
    first = approved(award, admins, tranches=[award.tranches.get(seq=1).pk])
    batch_results_record(
        actor=admins[0], batch=first, results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-1")]
    )
    second = approved(award, admins, tranches=[award.tranches.get(seq=2).pk])
    pay = [LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-2")]

    results, errors = run_in_threads(
        [
            lambda: batch_results_record(actor=admins[0], batch=second, results=pay),
            lambda: clawback_decide(
                actor=admins[2], award=award, amount="100000", reason="经核查部分支出不合规，予以追回。"
            ),
        ]
    )
    paid = PaymentLine.objects.get(batch=second)
    assert paid.status == "paid" and disbursements() == 2  # the bank paid: recorded whatever the order
    a = Award.objects.get(pk=award.pk)
    assert a.disbursed == D("800000.00")
    if errors:  # the claw-back came first and found the tranche with the bank: refused, nothing written
        [error] = errors
        assert isinstance(error, ValidationError) and "拨付中的款项" in str(error)
        assert not Clawback.objects.exists() and a.status == Award.Status.COMMITTED
    else:  # the payment came first: the claw-back ends the award with everything paid
        assert Clawback.objects.get().amount == D("100000.00") and a.status == Award.Status.RELEASED
    assert not PaymentTranche.objects.filter(award=award, status="cancelled").exists()
    call_command("budget_check")
