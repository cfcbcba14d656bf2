"""Official letters (正式文书): approval letters, decline notices, supplement request notices,
事前同意函 (a pre-approval granted) and 追回决定书 (a claw-back decided), their document numbers, the
issuing authorities' settings (number series words, the account repayments go to) and the stored,
immutable PDF."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LetterSeries(models.Model):
    """文号序列 the counter of one document-number prefix (one issuing authority) in one year.
    The row is locked while a number is taken, in the decision's transaction, so numbers are
    sequential, never reused and never skipped (a rolled-back decision gives its number back)."""

    prefix = models.CharField(_("文号前缀"), max_length=40)
    year = models.PositiveIntegerField(_("年份"))
    last_serial = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        ordering = ["prefix", "year"]
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="letter_series_once")]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last_serial}号"


class LetterIssuer(models.Model):
    """发文机关设置 what an issuing authority configures as data: the word (代字) of each kind's number
    series under its stem (穗开经信 + 复字 → 穗开经信复字〔2026〕1号; a kind not named keeps the default of
    reviews.letters.numbering), and the account a claw-back's repayment is paid into (印在追回决定书上)."""

    authority = models.CharField(_("发文机关"), max_length=100, unique=True)
    series_words = models.JSONField(
        _("文号代字"), default=dict, blank=True, help_text=_("各类文书的文号代字；未设置的类别用默认代字。")
    )
    repayment_account_name = models.CharField(_("退回款收款户名"), max_length=200, blank=True)
    repayment_bank = models.CharField(_("退回款开户银行"), max_length=200, blank=True)
    repayment_account_number = models.CharField(_("退回款收款账号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("发文机关设置")
        verbose_name_plural = _("发文机关设置")
        ordering = ["authority"]

    def __str__(self) -> str:
        return self.authority


class Letter(models.Model):
    """正式文书 one official letter to an enterprise about one application — or, for a 事前同意函, about
    one pre-approval (which has no application yet): exactly one of the two is set (a database
    constraint). `programme` is the one the letter is about either way: the district that may see and
    manage it is its policy's. A 追回决定书 is about the award's application and names its claw-back.
    Everything printed on it
    is snapshotted in `context` when the decision is taken; the PDF is generated from that snapshot
    after commit, then stored once with its SHA-256 and never replaced."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("核定通知")
        DECLINE = "decline", _("不予支持通知")
        SUPPLEMENT = "supplement", _("补正通知书")
        PREAPPROVAL = "preapproval", _("事前同意函")
        CLAWBACK = "clawback", _("追回决定书")

    class Status(models.TextChoices):
        PENDING = "pending", _("生成中")
        READY = "ready", _("已出具")
        REVOKED = "revoked", _("已撤销")
        # Every automatic retry of the PDF failed: waits for an administrator (letter_retry).
        FAILED = "failed", _("生成失败")

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="letters",
        null=True,
        blank=True,
        verbose_name=_("申报"),
    )
    preapproval = models.ForeignKey(
        "applications.PreApproval",
        on_delete=models.PROTECT,
        related_name="letters",
        null=True,
        blank=True,
        verbose_name=_("事前同意"),
    )
    clawback = models.ForeignKey(
        "vouchers.Clawback",
        on_delete=models.PROTECT,
        related_name="letters",
        null=True,
        blank=True,
        verbose_name=_("追回决定"),
    )
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报项目")
    )
    kind = models.CharField(_("文书类别"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    authority = models.CharField(_("发文机关"), max_length=100)
    prefix = models.CharField(_("文号前缀"), max_length=40)
    year = models.PositiveIntegerField(_("年份"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=80, unique=True)
    code = models.CharField(_("核验码"), max_length=16, unique=True)
    template = models.CharField(_("模板版本"), max_length=60)
    # 奖励对象 the award line the letter is about ("" = the whole application; two-party awards get a
    # letter per line, "supplier" / "buyer"), and the enterprise it is addressed to (the line's).
    line = models.CharField(_("奖励对象"), max_length=10, blank=True, default="")
    enterprise = models.ForeignKey(
        "applications.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主送企业"),
    )
    addressee_name = models.CharField(_("主送单位"), max_length=200)
    addressee_credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    amount = models.DecimalField(_("金额"), max_digits=16, decimal_places=2, null=True, blank=True)
    issued_on = models.DateField(_("成文日期"))
    context = models.JSONField(_("文书内容"), default=dict)
    pdf = models.FileField(_("PDF"), upload_to="letters/", max_length=300, blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("大小（字节）"), null=True, blank=True)
    signed = models.BooleanField(_("已电子签章"), default=False)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("正式文书")
        verbose_name_plural = _("正式文书")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "serial"], name="letter_serial_once"),
            # One standing approval and one standing decline per application and award line (a revoked
            # one may be replaced).
            models.UniqueConstraint(
                fields=["application", "kind", "line"],
                condition=Q(kind__in=["approval", "decline"]) & Q(revoked_at__isnull=True),
                name="letter_decision_once",
            ),
            # a 事前同意函 about its pre-approval, every other letter about an application: exactly one
            models.CheckConstraint(
                condition=(Q(application__isnull=False) & Q(preapproval__isnull=True) & ~Q(kind="preapproval"))
                | (Q(application__isnull=True) & Q(preapproval__isnull=False) & Q(kind="preapproval")),
                name="letter_about_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(clawback__isnull=True) | Q(kind="clawback"), name="letter_clawback_only_on_its_kind"
            ),
            models.UniqueConstraint(
                fields=["preapproval"],
                condition=Q(preapproval__isnull=False) & Q(revoked_at__isnull=True),
                name="letter_preapproval_once",
            ),
            models.UniqueConstraint(
                fields=["clawback"],
                condition=Q(clawback__isnull=False) & Q(revoked_at__isnull=True),
                name="letter_clawback_once",
            ),
            models.CheckConstraint(condition=Q(serial__gte=1), name="letter_serial_positive"),
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(sha256=""), name="letter_ready_has_hash"),
        ]
        indexes = [
            models.Index(fields=["application", "kind"]),
            # The letters list's order (newest first): a page is the head of this index, no sort.
            models.Index(fields=["-issued_on", "-id"], name="letter_newest_first"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def subject_reference(self) -> str:
        """The reference of what the letter is about: the application's, or the pre-approval's."""
        if self.application_id:
            return self.application.reference
        return self.preapproval.reference if self.preapproval_id else ""

    @property
    def file_name(self) -> str:
        return f"{self.number}-{self.get_kind_display()}.pdf"
