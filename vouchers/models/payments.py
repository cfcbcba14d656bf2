"""Money after the decision: the enterprise's receiving bank account (收款账户), the tranche schedule of
each award (拨付分期) with its acceptance reports (验收), payment batches (拨付批次) and their lines, and
claw-backs (追回) with their repayments. Every yuan that moves is a ledger entry (LedgerEntry); these
tables say why, to whom and in which file."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .budget import MONEY, Award, BudgetPool, LedgerEntry

# 10–30 digits (vouchers.services.accounts.account_number_check says why).
ACCOUNT_NUMBER_RE = r"^[0-9]{10,30}$"


class ReceivingAccount(models.Model):
    """收款账户 an enterprise's bank account for subsidies. A change is verified by the bureau; until
    then the account verified before stays in force. Payments go to the verified account only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        VERIFIED = "verified", _("已核验")
        REFUSED = "refused", _("未通过核验")
        SUPERSEDED = "superseded", _("已更换")
        WITHDRAWN = "withdrawn", _("已撤回")

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.PROTECT, related_name="receiving_accounts", verbose_name=_("企业")
    )
    account_name = models.CharField(_("账户名称"), max_length=200)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    branch_name = models.CharField(_("开户网点"), max_length=100)
    account_number = models.CharField(_("银行账号"), max_length=30)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    submitted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("未通过原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(status="verified"), name="one_verified_account_per_enterprise"
            ),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(status="pending"), name="one_pending_account_per_enterprise"
            ),
            models.CheckConstraint(condition=Q(account_number__regex=ACCOUNT_NUMBER_RE), name="account_number_digits"),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="account_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_name} {self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        n = self.account_number
        return f"{n[:4]} **** {n[-4:]}" if len(n) > 8 else n


class PaymentTranche(models.Model):
    """拨付分期 one tranche of an award's payment schedule: the first is due when the award becomes
    final (核定生效); a later tranche of a staged programme when its acceptance report (验收) is approved."""

    class Condition(models.TextChoices):
        NONE = "none", _("核定生效后拨付")
        ACCEPTANCE = "acceptance", _("验收通过后拨付")

    class Status(models.TextChoices):
        WAITING = "waiting", _("待验收")
        DUE = "due", _("待拨付")
        IN_BATCH = "in_batch", _("拨付中")
        PAID = "paid", _("已拨付")
        CANCELLED = "cancelled", _("已取消")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("核定奖励"))
    seq = models.PositiveSmallIntegerField(_("期次"))
    label = models.CharField(_("名称"), max_length=60)
    amount = models.DecimalField(_("金额"), **MONEY)
    condition = models.CharField(_("拨付条件"), max_length=12, choices=Condition.choices, default=Condition.NONE)
    condition_text = models.CharField(_("条件说明"), max_length=300, blank=True)
    # 核定通知的文号: the purpose of the payment names it.
    document_number = models.CharField(_("核定文号"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DUE)
    due_since = models.DateField(_("应付日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拨付分期")
        verbose_name_plural = _("拨付分期")
        ordering = ["award", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["award", "seq"], name="tranche_once_per_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.award_id}#{self.seq} {self.amount}"


class AcceptanceReport(models.Model):
    """验收报告 the enterprise's report that a stage is complete, decided by the bureau; its approval
    makes the tranche it names due."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("验收通过")
        REFUSED = "refused", _("验收未通过")

    tranche = models.ForeignKey(
        PaymentTranche, on_delete=models.PROTECT, related_name="acceptance_reports", verbose_name=_("拨付分期")
    )
    summary = models.TextField(_("验收情况"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("验收报告")
        verbose_name_plural = _("验收报告")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(status__in=["submitted", "approved"]),
                name="one_open_acceptance_per_tranche",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(decision_note=""), name="acceptance_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tranche_id} {self.get_status_display()}"


class AcceptanceFile(models.Model):
    """验收材料 a file of an acceptance report, checked by content when uploaded (PDF, OFD or an image)
    and stored privately under a random name; offered only as a download."""

    report = models.ForeignKey(
        AcceptanceReport, on_delete=models.PROTECT, related_name="files", verbose_name=_("验收报告")
    )
    file = models.FileField(_("文件"), upload_to="acceptance/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("验收材料")
        verbose_name_plural = _("验收材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class PaymentBatch(models.Model):
    """拨付批次 lines of due tranches prepared by one administrator, approved by another (四眼原则),
    exported as the payment file, then closed once every line is recorded paid or failed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审批")
        APPROVED = "approved", _("已审批")
        CLOSED = "closed", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    number = models.CharField(_("批次号"), max_length=30, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("合计金额"), default=Decimal("0"), **MONEY)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人")
    )
    prepared_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("首次导出时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-prepared_at", "-id"]
        constraints = [
            # 四眼原则 four eyes: whoever prepared a batch never approves it
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")), name="batch_four_eyes"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="batch_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentLine(models.Model):
    """拨付明细 one tranche to one payee in a batch, with the account as verified when it was prepared."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待回执")
        PAID = "paid", _("已拨付")
        FAILED = "failed", _("拨付失败")
        CANCELLED = "cancelled", _("已撤销")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("批次"))
    seq = models.PositiveIntegerField(_("序号"))
    tranche = models.ForeignKey(
        PaymentTranche, on_delete=models.PROTECT, related_name="lines", verbose_name=_("拨付分期")
    )
    award = models.ForeignKey(Award, verbose_name=_("核定奖励"), on_delete=models.PROTECT, related_name="payment_lines")
    pool = models.ForeignKey(
        BudgetPool, verbose_name=_("资金池"), on_delete=models.PROTECT, related_name="payment_lines"
    )
    enterprise = models.ForeignKey(
        "applications.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("金额"), **MONEY)
    account = models.ForeignKey(
        ReceivingAccount, on_delete=models.PROTECT, related_name="lines", verbose_name=_("收款账户")
    )
    payee_name = models.CharField(_("收款人户名"), max_length=200)
    account_number = models.CharField(_("收款账号"), max_length=30)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    branch_name = models.CharField(_("开户网点"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=60, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=300, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("台账记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_line",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["batch", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="line_once_per_seq"),
            # a tranche is in at most one open batch and paid at most once
            models.UniqueConstraint(
                fields=["tranche"], condition=Q(status__in=["pending", "paid"]), name="tranche_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="line_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(paid_on__isnull=False) & ~Q(voucher_number="") & Q(ledger_entry__isnull=False)),
                name="line_paid_has_voucher",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="line_failed_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.seq} {self.amount}"


class Clawback(models.Model):
    """追回 the bureau's decision to recover money paid on an award, with its reason. The award ends
    with it (the unpaid rest goes back to the pool); the amount is owed until repaid."""

    class Status(models.TextChoices):
        OWED = "owed", _("待退回")
        REPAID = "repaid", _("已退回")

    number = models.CharField(_("追回编号"), max_length=30, unique=True)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="clawbacks", verbose_name=_("核定奖励"))
    enterprise = models.ForeignKey(
        "applications.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("应退回金额"), **MONEY)
    repaid = models.DecimalField(_("已退回金额"), default=Decimal("0"), **MONEY)
    reason = models.TextField(_("追回理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OWED)
    due_on = models.DateField(_("退回期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_on = models.DateField(_("决定日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追回决定")
        verbose_name_plural = _("追回决定")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="clawback_amount_positive"),
            models.CheckConstraint(
                condition=Q(repaid__gte=0) & Q(repaid__lte=F("amount")), name="clawback_repaid_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.repaid


class ClawbackRepayment(models.Model):
    """退回款 one repayment received on a claw-back; its ledger entry is the claw-back (award_clawback)."""

    clawback = models.ForeignKey(
        Clawback, verbose_name=_("追回决定"), on_delete=models.PROTECT, related_name="repayments"
    )
    amount = models.DecimalField(_("金额"), **MONEY)
    repaid_on = models.DateField(_("到账日期"))
    voucher_number = models.CharField(_("凭证号"), max_length=60)
    ledger_entry = models.OneToOneField(
        LedgerEntry, verbose_name=_("台账记录"), on_delete=models.PROTECT, related_name="repayment"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追回到账")
        verbose_name_plural = _("追回到账")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            models.UniqueConstraint(fields=["clawback", "voucher_number"], name="repayment_once_per_voucher"),
        ]

    def __str__(self) -> str:
        return f"{self.clawback_id} {self.amount} {self.voucher_number}"
