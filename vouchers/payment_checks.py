"""What `manage.py budget_check` verifies of payments: every paid line is one disbursement of the
ledger of the same award and amount, every repayment one claw-back; an award's schedule never sums above
it, its paid tranches are its paid lines, and its ledger disbursements and claw-backs are exactly its
paid lines and repayments; a tranche's state agrees with its lines; a batch's total with its lines; a
claw-back's repaid figure with its repayments."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from .models import Award, Clawback, LedgerEntry, PaymentBatch, PaymentLine, PaymentTranche

ZERO = Decimal("0.00")
T = PaymentTranche.Status
L = PaymentLine.Status


def payment_problems() -> list[str]:
    problems: list[str] = []
    for line in PaymentLine.objects.filter(status=L.PAID).select_related("ledger_entry", "batch"):
        e = line.ledger_entry
        if e is None or e.kind != LedgerEntry.Kind.DISBURSE or e.award_id != line.award_id or e.amount != line.amount:
            problems.append(f"拨付明细 {line.batch.number}/{line.seq} 已拨付 {line.amount}，台账无对应的拨付记录")
    repaid_by_award: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for c in Clawback.objects.prefetch_related("repayments__ledger_entry"):
        total = ZERO
        for r in c.repayments.all():
            total += r.amount
            e = r.ledger_entry
            if e.kind != LedgerEntry.Kind.CLAWBACK or e.award_id != c.award_id or e.amount != r.amount:
                problems.append(f"追回 {c.number} 到账 {r.amount}（{r.voucher_number}）台账无对应的追回记录")
        if total != c.repaid:
            problems.append(f"追回 {c.number} 已退回 {c.repaid}，到账记录合计 {total}")
        repaid_by_award[c.award_id] += total
    scheduled = set(PaymentTranche.objects.values_list("award_id", flat=True).distinct())
    ledger: dict[tuple[int, str], Decimal] = {
        (a, k): s
        for a, k, s in LedgerEntry.objects.filter(award_id__in=scheduled, kind__in=["disburse", "clawback"])
        .order_by()
        .values_list("award_id", "kind")
        .annotate(s=Sum("amount"))
    }
    paid_lines = dict(
        PaymentLine.objects.filter(status=L.PAID).order_by().values_list("award_id").annotate(s=Sum("amount"))
    )
    tranches: dict[int, list[PaymentTranche]] = defaultdict(list)
    for t in PaymentTranche.objects.order_by("award_id", "seq"):
        tranches[t.award_id].append(t)
    open_lines = defaultdict(list)
    for tid, status in PaymentLine.objects.filter(status__in=[L.PENDING, L.PAID]).values_list("tranche_id", "status"):
        open_lines[tid].append(status)
    amounts = dict(Award.objects.filter(pk__in=scheduled).values_list("pk", "amount"))
    for award_id, ts in tranches.items():
        live = sum((t.amount for t in ts if t.status != T.CANCELLED), ZERO)
        if live > amounts[award_id]:
            problems.append(f"奖励 #{award_id} 分期合计 {live} 超过核定金额 {amounts[award_id]}")
        paid_t = sum((t.amount for t in ts if t.status == T.PAID), ZERO)
        if paid_t != paid_lines.get(award_id, ZERO):
            problems.append(
                f"奖励 #{award_id} 已拨付分期 {paid_t:.2f}，已拨付明细 {paid_lines.get(award_id, ZERO):.2f}"
            )
        if ledger.get((award_id, "disburse"), ZERO) != paid_lines.get(award_id, ZERO):
            problems.append(
                f"奖励 #{award_id} 台账拨付 {ledger.get((award_id, 'disburse'), ZERO):.2f}，"
                f"支付文件已拨付 {paid_lines.get(award_id, ZERO):.2f}"
            )
        if ledger.get((award_id, "clawback"), ZERO) != repaid_by_award.get(award_id, ZERO):
            problems.append(
                f"奖励 #{award_id} 台账追回 {ledger.get((award_id, 'clawback'), ZERO):.2f}，"
                f"追回到账 {repaid_by_award.get(award_id, ZERO):.2f}"
            )
        for t in ts:
            states = open_lines.get(t.pk, [])
            want: list[str] = {T.PAID: [str(L.PAID)], T.IN_BATCH: [str(L.PENDING)]}.get(T(t.status), [])
            if states != want:
                problems.append(f"分期 #{t.pk}（奖励 #{award_id} 第{t.seq}期）状态 {t.status}，明细 {states or '无'}")
    sums = dict(PaymentLine.objects.order_by().values_list("batch_id").annotate(s=Sum("amount")))
    for b in PaymentBatch.objects.order_by("pk"):
        if b.total != sums.get(b.pk, ZERO):
            problems.append(f"拨付批次 {b.number} 合计 {b.total}，明细合计 {sums.get(b.pk, ZERO):.2f}")
    return problems
