"""追回: an administrator's decision with its reason ends the award (tranches not yet paid cancelled, the
unpaid rest back to the pool); the enterprise owes the amount until repaid; each repayment is a claw-back
entry of the ledger, which stays balanced to the cent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from portal.models import AuditEvent, Notification
from vouchers.models import BudgetPool, Clawback, LedgerEntry
from vouchers.payment_selectors import enterprise_payments
from vouchers.services.clawbacks import clawback_decide, clawback_repayment_record
from vouchers.services.payments import LineResult, batch_prepare, batch_results_record

from .payments_helpers import D, approved_batch, committed_award, today

pytestmark = pytest.mark.django_db
REASON = "经核查，企业提供的备案材料与实际不符，依据第十二条追回已拨付资金。"


def paid(award, admin, approver, voucher="GK-1"):
    batch = approved_batch(award, admin, approver)
    return batch_results_record(
        actor=admin,
        batch=batch,
        results=[
            LineResult(seq=ln.seq, paid=True, paid_on=today(), voucher_number=f"{voucher}-{ln.seq}")
            for ln in batch.lines.all()
        ],
    )


def test_claw_back_owed_until_repaid_in_the_ledger(
    award_a, account_a, bureau_admin, second_admin, owner_a, django_capture_on_commit_callbacks
):
    paid(award_a, bureau_admin, second_admin)
    pool = BudgetPool.objects.get(pk=award_a.pool_id)
    committed_before = pool.committed
    with django_capture_on_commit_callbacks(execute=True):
        c = clawback_decide(actor=bureau_admin, award=award_a, amount="300000", reason=REASON)
    award_a.refresh_from_db()
    assert (c.number[:2], c.amount, c.outstanding, c.status) == ("ZH", D("300000.00"), D("300000.00"), "owed")
    assert award_a.status == "released"  # the award ends with the decision
    assert Notification.objects.filter(recipient=owner_a, subject__startswith="追回决定").exists()
    assert enterprise_payments(actor=owner_a).owed == D("300000.00")
    clawback_repayment_record(actor=bureau_admin, clawback=c, amount="100000", repaid_on=today(), voucher_number="R-1")
    clawback_repayment_record(actor=bureau_admin, clawback=c, amount="200000", repaid_on=today(), voucher_number="R-2")
    c.refresh_from_db()
    pool.refresh_from_db()
    award_a.refresh_from_db()
    assert (c.repaid, c.status) == (D("300000.00"), "repaid")
    assert enterprise_payments(actor=owner_a).owed == 0
    assert list(LedgerEntry.objects.filter(kind="clawback").values_list("amount", flat=True)) == [
        D("100000.00"),
        D("200000.00"),
    ]
    # the recovered money leaves both disbursed and committed: it is back in the pool
    assert award_a.disbursed == D("500000.00") and pool.committed == committed_before - D("300000.00")
    assert AuditEvent.objects.filter(action="payments.clawback_decide", note=REASON).exists()
    call_command("budget_check")


def test_claw_back_of_a_staged_award_cancels_its_later_tranches(
    staged, enterprise_a, owner_a, account_a, bureau_admin, second_admin
):
    award = committed_award(
        staged,
        enterprise_a,
        owner_a,
        "3000000",
        actor=bureau_admin,
        tranches=[{"amount": "1000000"}, {"amount": "2000000"}],
    )
    paid(award, bureau_admin, second_admin)
    pool = BudgetPool.objects.get(pk=award.pool_id)
    committed = pool.committed
    clawback_decide(actor=bureau_admin, award=award, amount="1000000", reason=REASON)
    pool.refresh_from_db()
    assert list(award.tranches.values_list("status", flat=True)) == ["paid", "cancelled"]
    assert pool.committed == committed - D("2000000.00")  # the unpaid rest released at once
    call_command("budget_check")


def test_claw_back_refusals_write_nothing(award_a, account_a, bureau_admin, second_admin, reviewer, owner_a):
    paid(award_a, bureau_admin, second_admin)
    before = (Clawback.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ValidationError) as info:  # above what was paid
        clawback_decide(actor=bureau_admin, award=award_a, amount="800000.01", reason=REASON)
    assert "超过可追回金额" in str(info.value)
    with pytest.raises(ValidationError):  # without a reason
        clawback_decide(actor=bureau_admin, award=award_a, amount="1000", reason=" ")
    for actor in (reviewer, owner_a):
        with pytest.raises(PermissionDenied):
            clawback_decide(actor=actor, award=award_a, amount="1000", reason=REASON)
    assert (Clawback.objects.count(), LedgerEntry.objects.count()) == before
    c = clawback_decide(actor=bureau_admin, award=award_a, amount="500000", reason=REASON)
    with pytest.raises(ValidationError):  # 500,000 already being recovered: 300,000 left to decide
        clawback_decide(actor=bureau_admin, award=award_a, amount="300000.01", reason=REASON)
    clawback_repayment_record(actor=bureau_admin, clawback=c, amount="1000", repaid_on=today(), voucher_number="R-1")
    entries = LedgerEntry.objects.count()
    for bad in (
        {"amount": "499000.01", "voucher_number": "R-2"},  # above what is owed
        {"amount": "10", "voucher_number": "R-1"},  # the same voucher twice
        {"amount": "10", "voucher_number": ""},
    ):
        with pytest.raises(ValidationError):
            clawback_repayment_record(actor=bureau_admin, clawback=c, repaid_on=today(), **bad)
    assert LedgerEntry.objects.count() == entries


def test_no_claw_back_while_a_tranche_waits_for_the_bank(award_a, account_a, bureau_admin, second_admin):
    paid(award_a, bureau_admin, second_admin)
    award = committed_award(
        award_a.programme,
        award_a.enterprise,
        award_a.application.created_by,
        "1000",
        tranches=[{"amount": "500"}, {"amount": "500", "requires_acceptance": False}],
    )
    first = award.tranches.get(seq=1)
    batch_results_record(
        actor=bureau_admin,
        batch=approved_batch_of(first, bureau_admin, second_admin),
        results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="X")],
    )
    batch_prepare(actor=bureau_admin, tranche_ids=[award.tranches.get(seq=2).pk])
    with pytest.raises(ValidationError) as info:
        clawback_decide(actor=bureau_admin, award=award, amount="500", reason=REASON)
    assert "拨付中" in str(info.value)


def approved_batch_of(tranche, admin, approver):
    from vouchers.services.payments import batch_approve

    return batch_approve(actor=approver, batch=batch_prepare(actor=admin, tranche_ids=[tranche.pk]))
