"""Tranche schedules, acceptance (验收), and payment batches: prepared by one administrator, approved by
another, paid or failed line by line as ledger disbursements; each refusal writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from portal.models import Notification
from vouchers.models import LedgerEntry, PaymentBatch, PaymentLine, PaymentTranche
from vouchers.services.accounts import account_submit, account_verify
from vouchers.services.budget import tranche_disburse
from vouchers.services.payments import (
    LineResult,
    acceptance_decide,
    acceptance_submit,
    award_schedule_set,
    award_schedules_create,
    batch_approve,
    batch_cancel,
    batch_export_record,
    batch_prepare,
    batch_results_record,
)

from .payments_helpers import D, approved_batch, committed_award, today, verified_account

pytestmark = pytest.mark.django_db
LETTER_TRANCHES = [
    {"label": "第一期", "amount": "1500000.00", "condition": "核定生效后拨付"},
    {"label": "第二期", "amount": "1500000.00", "condition": "建设完成并通过验收后拨付"},
]


def state():
    return (
        PaymentBatch.objects.count(),
        PaymentLine.objects.count(),
        LedgerEntry.objects.count(),
        sorted(PaymentTranche.objects.values_list("pk", "status")),
        sorted(PaymentLine.objects.values_list("pk", "status")),
    )


def budget_check() -> None:
    call_command("budget_check")


# --- schedules ------------------------------------------------------------------------------------


def test_a_lump_award_is_due_in_full_when_final_with_the_letter_number(award_a):
    [t] = award_a.tranches.all()
    assert (t.amount, t.status, t.condition, t.document_number) == (
        D("800000.00"),
        "due",
        "none",
        "穗开经信批字〔2026〕1号",
    )
    assert t.due_since == today()


def test_a_staged_award_follows_the_letter_first_due_then_acceptance(staged, enterprise_a, owner_a, bureau_admin):
    award = committed_award(staged, enterprise_a, owner_a, "4000000", tranches=LETTER_TRANCHES, actor=bureau_admin)
    rows = list(award.tranches.values_list("label", "amount", "condition", "status"))
    assert rows == [
        ("第一期", D("1500000.00"), "none", "due"),
        ("第二期", D("1500000.00"), "acceptance", "waiting"),
        ("剩余部分", D("1000000.00"), "acceptance", "waiting"),
    ]  # the letter left 1,000,000 unnamed
    # idempotent: finalising again changes nothing
    assert award_schedules_create(actor=None, awards=[award], tranches=LETTER_TRANCHES) == []


def test_a_staged_award_without_tranches_waits_for_the_administrators_schedule(
    staged, enterprise_a, owner_a, bureau_admin, reviewer
):
    award = committed_award(staged, enterprise_a, owner_a, "3000000", actor=bureau_admin)
    assert not award.tranches.exists()
    with pytest.raises(ValidationError) as info:  # must name its tranches
        award_schedule_set(actor=bureau_admin, award=award)
    assert "分阶段拨付" in str(info.value)
    with pytest.raises(ValidationError) as info:  # above the award
        award_schedule_set(actor=bureau_admin, award=award, tranches=[{"amount": "2000000"}, {"amount": "1000000.01"}])
    assert "超过核定金额" in str(info.value)
    with pytest.raises(ValidationError) as info:  # below it
        award_schedule_set(actor=bureau_admin, award=award, tranches=[{"amount": "2000000"}])
    assert "须等于核定金额" in str(info.value)
    with pytest.raises(PermissionDenied):
        award_schedule_set(actor=reviewer, award=award, tranches=[{"amount": "3000000"}])
    assert not award.tranches.exists()
    made = award_schedule_set(
        actor=bureau_admin,
        award=award,
        tranches=[{"amount": "1000000"}, {"amount": "2000000", "requires_acceptance": True}],
    )
    assert [(t.status, t.condition) for t in made] == [("due", "none"), ("waiting", "acceptance")]
    with pytest.raises(ValidationError):  # once
        award_schedule_set(actor=bureau_admin, award=award, tranches=[{"amount": "3000000"}])


def test_acceptance_makes_the_later_tranche_due(staged, enterprise_a, owner_a, owner_b, agent_a, bureau_admin):
    award = committed_award(staged, enterprise_a, owner_a, "3000000", tranches=LETTER_TRANCHES, actor=bureau_admin)
    second = award.tranches.get(seq=2)
    with pytest.raises(PermissionDenied):  # another enterprise
        acceptance_submit(actor=owner_b, tranche=second, summary="建设内容全部完成，已通过第三方验收。")
    with pytest.raises(PermissionDenied):  # the administrator does not report for the enterprise
        acceptance_submit(actor=bureau_admin, tranche=second, summary="建设内容全部完成，已通过第三方验收。")
    with pytest.raises(ValidationError):  # the first tranche needs no acceptance
        acceptance_submit(actor=owner_a, tranche=award.tranches.get(seq=1), summary="建设内容全部完成，已通过验收。")
    with pytest.raises(ValidationError):
        acceptance_submit(actor=owner_a, tranche=second, summary="完成")
    report = acceptance_submit(actor=agent_a, tranche=second, summary="建设内容全部完成，已通过第三方验收。")
    with pytest.raises(ValidationError):  # one at a time
        acceptance_submit(actor=owner_a, tranche=second, summary="建设内容全部完成，已通过第三方验收。")
    with pytest.raises(ValidationError):  # a refusal says why
        acceptance_decide(actor=bureau_admin, report=report, approve=False, note="")
    acceptance_decide(actor=bureau_admin, report=report, approve=False, note="缺少验收报告原件")
    second.refresh_from_db()
    assert second.status == "waiting"
    report = acceptance_submit(actor=owner_a, tranche=second, summary="补充验收报告原件，验收结论为合格。")
    acceptance_decide(actor=bureau_admin, report=report, approve=True)
    second.refresh_from_db()
    assert second.status == "due" and second.due_since == today()


def test_voucher_awards_are_not_paid_in_batches(catalogue, enterprise_a, owner_a, bureau_admin):
    award = committed_award(catalogue["hp-compute-voucher"], enterprise_a, owner_a, "100000", actor=bureau_admin)
    assert not award.tranches.exists()


# --- batches --------------------------------------------------------------------------------------


def test_a_batch_is_paid_line_by_line_into_the_ledger(
    award_a, account_a, bureau_admin, second_admin, django_capture_on_commit_callbacks, owner_a
):
    batch = batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk], note="第一批")
    [line] = batch.lines.all()
    assert (batch.status, batch.total, line.account_number, line.payee_name) == (
        "draft",
        D("800000.00"),
        account_a.account_number,
        "广州甲智能科技有限公司",
    )
    assert "穗开经信批字〔2026〕1号" in line.purpose and award_a.tranches.get().status == "in_batch"
    with pytest.raises(ValidationError):  # not before approval
        batch_export_record(actor=bureau_admin, batch=batch, fmt="csv")
    batch_approve(actor=second_admin, batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        batch_results_record(
            actor=bureau_admin,
            batch=batch,
            results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-0001")],
        )
    line.refresh_from_db()
    batch.refresh_from_db()
    award_a.refresh_from_db()
    assert (line.status, line.paid_on, line.voucher_number, batch.status) == ("paid", today(), "GK-0001", "closed")
    entry = line.ledger_entry
    assert (entry.kind, entry.amount, entry.award_id, entry.paid_on) == (
        "disburse",
        D("800000.00"),
        award_a.pk,
        today(),
    )
    assert award_a.disbursed == award_a.amount and award_a.tranches.get().status == "paid"
    assert Notification.objects.filter(recipient=owner_a, subject__startswith="补贴资金已拨付").exists()
    budget_check()


def test_four_eyes_the_preparer_never_approves(award_a, account_a, bureau_admin):
    batch = batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk])
    before = state()
    with pytest.raises(PermissionDenied) as info:
        batch_approve(actor=bureau_admin, batch=batch)
    assert "四眼原则" in str(info.value)
    assert state() == before and PaymentBatch.objects.get().status == "draft"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        PaymentBatch.objects.filter(pk=batch.pk).update(approved_by=bureau_admin)


def test_no_batch_without_a_verified_account(award_a, enterprise_a, owner_a, bureau_admin):
    tranche = award_a.tranches.get()
    before = state()
    with pytest.raises(ValidationError) as info:
        batch_prepare(actor=bureau_admin, tranche_ids=[tranche.pk])
    assert "尚无已核验的收款账户" in str(info.value)
    account_submit(
        actor=owner_a,
        enterprise=enterprise_a,
        account_name=enterprise_a.name,
        bank_name="中国银行",
        branch_name="黄埔支行",
        account_number="44050112345678901234",
    )
    with pytest.raises(ValidationError):  # registered but not verified
        batch_prepare(actor=bureau_admin, tranche_ids=[tranche.pk])
    assert state() == before


def test_approval_refused_when_the_account_changed_after_preparation(
    award_a, account_a, enterprise_a, owner_a, bureau_admin, second_admin
):
    batch = batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk])
    change = account_submit(
        actor=owner_a,
        enterprise=enterprise_a,
        account_name=enterprise_a.name,
        bank_name="中国建设银行",
        branch_name="科学城支行",
        account_number="11112222333344445555",
    )
    account_verify(actor=second_admin, account=change)
    with pytest.raises(ValidationError) as info:
        batch_approve(actor=second_admin, batch=batch)
    assert "第1行" in str(info.value)
    batch.refresh_from_db()
    assert batch.status == "draft"


def test_a_tranche_above_what_remains_is_refused(award_a, account_a, bureau_admin):
    tranche_disburse(actor=bureau_admin, award=award_a, amount="500000", paid_on=today(), reference="直接拨付")
    before = state()
    with pytest.raises(ValidationError) as info:
        batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk])
    assert "超过奖励剩余未拨付部分" in str(info.value) and "300,000.00 元" in str(info.value)
    assert state() == before


def test_a_tranche_is_in_one_batch_at_a_time(award_a, account_a, bureau_admin):
    tranche = award_a.tranches.get()
    batch_prepare(actor=bureau_admin, tranche_ids=[tranche.pk])
    before = state()
    with pytest.raises(ValidationError) as info:
        batch_prepare(actor=bureau_admin, tranche_ids=[tranche.pk])
    assert "不是待拨付" in str(info.value)
    with pytest.raises(ValidationError):
        batch_prepare(actor=bureau_admin, tranche_ids=[tranche.pk + 1000])
    with pytest.raises(ValidationError):
        batch_prepare(actor=bureau_admin, tranche_ids=[])
    assert state() == before
    with pytest.raises(IntegrityError), transaction.atomic():  # the database backstop
        line = PaymentLine.objects.get()
        line.pk, line.seq = None, 2
        line.save()


def test_a_failed_line_is_due_again_and_paid_in_a_later_batch(award_a, account_a, bureau_admin, second_admin):
    batch = approved_batch(award_a, bureau_admin, second_admin)
    with pytest.raises(ValidationError):  # a failure says why
        batch_results_record(actor=bureau_admin, batch=batch, results=[LineResult(seq=1, paid=False)])
    batch_results_record(actor=bureau_admin, batch=batch, results=[LineResult(seq=1, paid=False, reason="户名不符")])
    tranche = award_a.tranches.get()
    assert tranche.status == "due" and not LedgerEntry.objects.filter(kind="disburse").exists()
    again = approved_batch(award_a, bureau_admin, second_admin)
    batch_results_record(
        actor=second_admin,
        batch=again,
        results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-0002")],
    )
    assert LedgerEntry.objects.filter(kind="disburse").count() == 1
    budget_check()


def test_a_line_is_paid_once_and_results_are_all_or_nothing(
    award_a, lump, enterprise_b, owner_b, account_a, bureau_admin, second_admin
):
    award_b = committed_award(lump, enterprise_b, owner_b, "600000", actor=bureau_admin)
    verified_account(enterprise_b, owner_b, bureau_admin, number="11112222333344445555")
    batch = batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk, award_b.tranches.get().pk])
    batch = batch_approve(actor=second_admin, batch=batch)
    paid = LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-1")
    before = state()
    for bad in (
        [paid, LineResult(seq=2, paid=True, paid_on=today())],  # no voucher number on the second
        [paid, LineResult(seq=3, paid=False, reason="x")],  # no such line
        [paid, paid],
    ):  # the same line twice
        with pytest.raises(ValidationError):
            batch_results_record(actor=bureau_admin, batch=batch, results=bad)
        assert state() == before
    batch_results_record(actor=bureau_admin, batch=batch, results=[paid])
    after = state()
    with pytest.raises(ValidationError) as info:  # a second payment of the same line
        batch_results_record(
            actor=bureau_admin,
            batch=batch,
            results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-9")],
        )
    assert "不能重复登记" in str(info.value) and state() == after
    batch.refresh_from_db()
    assert batch.status == "approved"  # line 2 still waits


def test_a_batch_is_cancelled_only_before_any_result(award_a, account_a, bureau_admin, second_admin):
    batch = approved_batch(award_a, bureau_admin, second_admin)
    with pytest.raises(ValidationError):
        batch_cancel(actor=bureau_admin, batch=batch, reason="")
    batch_cancel(actor=bureau_admin, batch=batch, reason="银行系统升级，改下月拨付")
    assert award_a.tranches.get().status == "due" and PaymentLine.objects.get().status == "cancelled"
    again = approved_batch(award_a, bureau_admin, second_admin)
    batch_results_record(actor=bureau_admin, batch=again, results=[LineResult(seq=1, paid=False, reason="账户冻结")])
    with pytest.raises(ValidationError):
        batch_cancel(actor=bureau_admin, batch=again, reason="撤销")
    budget_check()


def test_only_administrators_handle_batches(award_a, account_a, bureau_admin, reviewer, owner_a):
    tid = award_a.tranches.get().pk
    for actor in (reviewer, owner_a, None):
        with pytest.raises(PermissionDenied):
            batch_prepare(actor=actor, tranche_ids=[tid])
    assert not PaymentBatch.objects.exists()


def test_records_and_notices_stay_chinese_whatever_the_administrator_reads(
    award_a, account_a, bureau_admin, second_admin, owner_a, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        batch = approved_batch(award_a, bureau_admin, second_admin)
        batch_results_record(
            actor=bureau_admin,
            batch=batch,
            results=[LineResult(seq=1, paid=True, paid_on=today(), voucher_number="GK-EN")],
        )
    line = batch.lines.get()
    assert line.purpose.startswith("模型券") and "补贴资金" in line.purpose
    notice = Notification.objects.get(recipient=owner_a, body__contains="GK-EN")
    assert notice.subject.startswith("补贴资金已拨付") and "paid" not in notice.subject
