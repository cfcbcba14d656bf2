"""Reads of payments, scoped to the actor: an enterprise sees its own account, awards, tranches, lines
and claw-backs; bureau administrators see those of their district (the award's programme's policy's;
for an account, its enterprise registered or awarded in the district), system administrators
everything; everyone else nothing (404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from portal.permissions import staff_districts

from .models import (
    AcceptanceFile,
    AcceptanceReport,
    Award,
    BudgetPool,
    Clawback,
    LedgerEntry,
    PaymentBatch,
    PaymentLine,
    PaymentTranche,
    ReceivingAccount,
)
from .services.accounts import account_in_force, account_payable
from .services.payments_common import award_scope_q, enterprise_id_of, enterprise_scope_q, may_manage_payments

ZERO = Decimal("0.00")
T = PaymentTranche.Status


def _get(qs: QuerySet, pk: Any):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# --- accounts -------------------------------------------------------------------------------------


def accounts_for_actor(*, actor) -> QuerySet[ReceivingAccount]:
    qs = ReceivingAccount.objects.select_related("enterprise", "submitted_by", "decided_by")
    if may_manage_payments(actor):
        return qs.filter(enterprise_scope_q(actor))
    enterprise_id = enterprise_id_of(actor)
    return qs.filter(enterprise_id=enterprise_id) if enterprise_id else qs.none()


def account_get_for_actor(*, actor, pk: Any) -> ReceivingAccount:
    return _get(accounts_for_actor(actor=actor), pk)


def account_queue(*, actor) -> QuerySet[ReceivingAccount]:
    """The bureau's verification queue: changes waiting, oldest first."""
    if not may_manage_payments(actor):
        return ReceivingAccount.objects.none()
    return accounts_for_actor(actor=actor).filter(status=ReceivingAccount.Status.PENDING).order_by("submitted_at", "pk")


# --- awards, tranches, acceptance ----------------------------------------------------------------


def _paid_awards() -> QuerySet[Award]:
    """Awards paid in batches (not vouchers): committed ones, and ended ones that were paid or clawed back."""
    return (
        Award.objects.filter(programme__is_voucher=False)
        .filter(Q(status=Award.Status.COMMITTED) | Q(disbursed__gt=0) | Q(clawbacks__isnull=False))
        .distinct()
        .select_related("programme", "enterprise", "application", "pool")
    )


def payment_awards_for_actor(*, actor) -> QuerySet[Award]:
    qs = _paid_awards()
    if may_manage_payments(actor):
        return qs.filter(award_scope_q(actor))
    enterprise_id = enterprise_id_of(actor)
    return qs.filter(enterprise_id=enterprise_id) if enterprise_id else qs.none()


def payment_award_get_for_actor(*, actor, pk: Any) -> Award:
    return _get(payment_awards_for_actor(actor=actor), pk)


def tranches_for_actor(*, actor) -> QuerySet[PaymentTranche]:
    qs = PaymentTranche.objects.select_related("award__programme", "award__enterprise", "award__application")
    if may_manage_payments(actor):
        return qs.filter(award_scope_q(actor, "award__"))
    enterprise_id = enterprise_id_of(actor)
    return qs.filter(award__enterprise_id=enterprise_id) if enterprise_id else qs.none()


def tranche_get_for_actor(*, actor, pk: Any) -> PaymentTranche:
    return _get(tranches_for_actor(actor=actor), pk)


def acceptance_for_actor(*, actor) -> QuerySet[AcceptanceReport]:
    qs = AcceptanceReport.objects.select_related(
        "tranche__award__enterprise",
        "tranche__award__programme",
        "tranche__award__application",
        "submitted_by",
        "decided_by",
    ).prefetch_related("files")
    if may_manage_payments(actor):
        return qs.filter(award_scope_q(actor, "tranche__award__"))
    enterprise_id = enterprise_id_of(actor)
    return qs.filter(tranche__award__enterprise_id=enterprise_id) if enterprise_id else qs.none()


def acceptance_get_for_actor(*, actor, pk: Any) -> AcceptanceReport:
    return _get(acceptance_for_actor(actor=actor), pk)


def acceptance_file_get_for_actor(*, actor, pk: Any) -> AcceptanceFile:
    """验收材料 for the enterprise that submitted it and the administrators of the award's district."""
    return _get(AcceptanceFile.objects.filter(report__in=acceptance_for_actor(actor=actor)), pk)


@dataclass
class DueTranche:
    tranche: PaymentTranche
    problem: str  # why it cannot go into a batch now ("" when it can)


def payments_due(*, actor) -> list[DueTranche]:
    """Tranches due (待拨付) for the administrators' selection, each with what would stop it."""
    if not may_manage_payments(actor):
        return []
    qs = (
        PaymentTranche.objects.filter(
            award_scope_q(actor, "award__"), status=T.DUE, award__status=Award.Status.COMMITTED
        )
        .select_related("award__programme", "award__enterprise", "award__application", "award__pool")
        .order_by("award__enterprise__name", "award_id", "seq")
    )
    accounts = {
        a.enterprise_id: a
        for a in ReceivingAccount.objects.filter(
            status=ReceivingAccount.Status.VERIFIED, enterprise_id__in=qs.values("award__enterprise_id")
        )
    }
    return [
        DueTranche(t, account_payable(accounts.get(t.award.enterprise_id), enterprise=t.award.enterprise))
        for t in qs  # all of them: the batch is chosen from this list and its total is theirs
    ]


def awards_without_schedule(*, actor) -> QuerySet[Award]:
    if not may_manage_payments(actor):
        return Award.objects.none()
    return (
        Award.objects.filter(award_scope_q(actor), status=Award.Status.COMMITTED, programme__is_voucher=False)
        .filter(~Exists(PaymentTranche.objects.filter(award=OuterRef("pk"))))
        .select_related("programme", "enterprise", "application")
        .order_by("decided_on", "pk")
    )


# --- batches --------------------------------------------------------------------------------------


def batches_for_actor(*, actor) -> QuerySet[PaymentBatch]:
    if not may_manage_payments(actor):
        return PaymentBatch.objects.none()
    qs = PaymentBatch.objects.select_related("prepared_by", "approved_by")
    if staff_districts(actor) is None:
        return qs
    # a batch is the district's when none of its lines pays another district's award
    elsewhere = PaymentLine.objects.filter(batch=OuterRef("pk")).exclude(award_scope_q(actor, "award__"))
    return qs.filter(~Exists(elsewhere))


def batch_get_for_actor(*, actor, pk: Any) -> PaymentBatch:
    return _get(batches_for_actor(actor=actor), pk)


def batch_lines(batch: PaymentBatch) -> QuerySet[PaymentLine]:
    return batch.lines.select_related("award__programme", "award__application", "tranche", "enterprise").order_by("seq")


@dataclass
class PoolShare:
    pool: BudgetPool
    amount: Decimal  # this batch's lines on the pool

    @property
    def unpaid(self) -> Decimal:
        return self.pool.committed - self.pool.disbursed


def batch_pool_totals(batch: PaymentBatch) -> list[PoolShare]:
    """The batch's total against each pool it draws on: budget, committed, paid and what is unpaid."""
    sums = dict(
        batch.lines.exclude(status=PaymentLine.Status.CANCELLED)
        .values_list("pool_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    pools = (
        BudgetPool.objects.select_related("programme").filter(pk__in=sums).order_by("programme__code", "fiscal_year")
    )
    return [PoolShare(pool=p, amount=sums[p.pk]) for p in pools]


# --- claw-backs -----------------------------------------------------------------------------------


def clawbacks_for_actor(*, actor) -> QuerySet[Clawback]:
    qs = Clawback.objects.select_related("award__programme", "award__application", "enterprise", "decided_by")
    if may_manage_payments(actor):
        return qs.filter(award_scope_q(actor, "award__"))
    enterprise_id = enterprise_id_of(actor)
    return qs.filter(enterprise_id=enterprise_id) if enterprise_id else qs.none()


def clawback_get_for_actor(*, actor, pk: Any) -> Clawback:
    return _get(clawbacks_for_actor(actor=actor), pk)


# --- the enterprise's view ------------------------------------------------------------------------


@dataclass
class AwardPayments:
    award: Award
    tranches: list[PaymentTranche]
    lines: list[PaymentLine]
    clawbacks: list[Clawback]

    @property
    def paid(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.status == PaymentLine.Status.PAID), ZERO)

    @property
    def due(self) -> Decimal:
        return sum((t.amount for t in self.tranches if t.status in (T.WAITING, T.DUE, T.IN_BATCH)), ZERO)

    @property
    def owed(self) -> Decimal:
        return sum((c.outstanding for c in self.clawbacks), ZERO)


@dataclass
class EnterprisePayments:
    account: ReceivingAccount | None
    pending: ReceivingAccount | None
    latest: ReceivingAccount | None  # the latest registration, whatever its status
    awards: list[AwardPayments] = field(default_factory=list)

    @property
    def last_refused(self) -> ReceivingAccount | None:
        """The latest registration, when it was refused (the enterprise sees why)."""
        latest = self.latest
        return latest if latest is not None and latest.status == ReceivingAccount.Status.REFUSED else None

    @property
    def paid(self) -> Decimal:
        return sum((a.paid for a in self.awards), ZERO)

    @property
    def due(self) -> Decimal:
        return sum((a.due for a in self.awards), ZERO)

    @property
    def owed(self) -> Decimal:
        return sum((a.owed for a in self.awards), ZERO)


def award_payments(award: Award) -> AwardPayments:
    tranches = list(
        PaymentTranche.objects.filter(award=award).order_by("seq").prefetch_related("acceptance_reports__files")
    )
    lines = list(
        PaymentLine.objects.filter(award=award)
        .exclude(status=PaymentLine.Status.CANCELLED)
        .select_related("batch", "tranche", "account")
        .order_by("batch__prepared_at", "seq")
    )
    clawbacks = list(Clawback.objects.filter(award=award).prefetch_related("repayments").order_by("created_at"))
    return AwardPayments(award=award, tranches=tranches, lines=lines, clawbacks=clawbacks)


def enterprise_payments(*, actor) -> EnterprisePayments | None:
    enterprise_id = enterprise_id_of(actor)
    if enterprise_id is None:
        return None
    registrations = accounts_for_actor(actor=actor).order_by("-submitted_at", "-pk")
    result = EnterprisePayments(
        account=account_in_force(enterprise_id=enterprise_id),
        pending=registrations.filter(status=ReceivingAccount.Status.PENDING).first(),
        latest=registrations.first(),
    )
    result.awards = [award_payments(a) for a in payment_awards_for_actor(actor=actor).order_by("-decided_on", "-pk")]
    return result


# --- reports --------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    programme_code: str = ""
    fiscal_year: int | None = None
    budget: Decimal = ZERO
    awarded: Decimal = ZERO  # 已核定 committed (ledger)
    paid: Decimal = ZERO  # 已拨付 Σ disbursements (ledger)
    clawed_back: Decimal = ZERO  # 已追回 Σ claw-backs (ledger)
    due: Decimal = ZERO  # 待拨付 tranches due or in a batch
    waiting: Decimal = ZERO  # 待验收
    failed: Decimal = ZERO  # 拨付失败 (lines, cumulative)
    failed_count: int = 0
    owed: Decimal = ZERO  # 待追回 decided, not yet repaid
    lines_paid: Decimal = ZERO  # Σ paid lines of the payment files
    repayments: Decimal = ZERO  # Σ repayments recorded
    voucher: bool = False

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.clawed_back

    @property
    def unpaid(self) -> Decimal:
        return self.awarded - self.net_paid

    @property
    def unscheduled(self) -> Decimal:
        return self.unpaid - self.due - self.waiting

    @property
    def reconciled(self) -> bool:
        """The payment records equal the ledger to the cent (vouchers are paid by redemption)."""
        return self.voucher or (self.lines_paid == self.paid and self.repayments == self.clawed_back)

    def add(self, other: ReportRow) -> None:
        for name in (
            "budget",
            "awarded",
            "paid",
            "clawed_back",
            "due",
            "waiting",
            "failed",
            "failed_count",
            "owed",
            "lines_paid",
            "repayments",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _by_pool(qs: QuerySet, pool_field: str, **sums: Any) -> dict[int, dict[str, Any]]:
    return {r[pool_field]: r for r in qs.order_by().values(pool_field).annotate(**sums)}


def payment_report(*, actor, year: int | None = None) -> tuple[list[ReportRow], list[ReportRow], ReportRow]:
    """Per pool (programme × fiscal year), per programme and in total: awarded, paid, clawed back, due,
    waiting for acceptance, failed and owed — the ledger's figures beside the payment records'."""
    if not may_manage_payments(actor):
        return [], [], ReportRow(label="")
    pools = (
        BudgetPool.objects.filter(award_scope_q(actor))
        .select_related("programme__policy")
        .order_by("programme__policy__code", "programme__sort_order", "fiscal_year")
    )
    if year:
        pools = pools.filter(fiscal_year=year)
    ledger: dict[tuple[int, str], Decimal] = {
        (p, k): s
        for p, k, s in LedgerEntry.objects.filter(kind__in=["disburse", "clawback"])
        .order_by()
        .values_list("pool_id", "kind")
        .annotate(s=Sum("amount"))
    }
    tranches: dict[tuple[int, str], Decimal] = {
        (p, st): s
        for p, st, s in PaymentTranche.objects.filter(status__in=[T.DUE, T.IN_BATCH, T.WAITING])
        .order_by()
        .values_list("award__pool_id", "status")
        .annotate(s=Sum("amount"))
    }
    lines = {
        (p, st): (s, n)
        for p, st, s, n in PaymentLine.objects.filter(status__in=["paid", "failed"])
        .order_by()
        .values_list("pool_id", "status")
        .annotate(s=Sum("amount"), n=Count("id"))
    }
    owed = dict(Clawback.objects.order_by().values_list("award__pool_id").annotate(s=Sum("amount") - Sum("repaid")))
    repaid = dict(Clawback.objects.order_by().values_list("award__pool_id").annotate(s=Sum("repayments__amount")))
    rows, total = [], ReportRow(label="合计")
    programmes: dict[str, ReportRow] = {}
    for p in pools:
        r = ReportRow(
            label=f"{p.programme.name_zh} {p.fiscal_year}",
            programme_code=p.programme.code,
            fiscal_year=p.fiscal_year,
            budget=p.amount,
            awarded=p.committed,
            paid=ledger.get((p.pk, "disburse"), ZERO),
            clawed_back=ledger.get((p.pk, "clawback"), ZERO),
            due=tranches.get((p.pk, T.DUE), ZERO) + tranches.get((p.pk, T.IN_BATCH), ZERO),
            waiting=tranches.get((p.pk, T.WAITING), ZERO),
            failed=lines.get((p.pk, "failed"), (ZERO, 0))[0],
            failed_count=lines.get((p.pk, "failed"), (ZERO, 0))[1],
            owed=owed.get(p.pk) or ZERO,
            lines_paid=lines.get((p.pk, "paid"), (ZERO, 0))[0],
            repayments=repaid.get(p.pk) or ZERO,
            voucher=p.programme.is_voucher,
        )
        rows.append(r)
        sub = programmes.setdefault(
            p.programme.code,
            ReportRow(label=p.programme.name_zh, programme_code=p.programme.code, voucher=p.programme.is_voucher),
        )
        sub.add(r)
        total.add(r)
    total.voucher = all(r.reconciled for r in rows)  # the total (vouchers included) is reconciled when every pool is
    return rows, list(programmes.values()), total
