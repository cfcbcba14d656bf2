"""Budget pools, their append-only ledger, and awards."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..calculator.spec import LINE_LABELS
from .catalogue import Programme

MONEY = {"max_digits": 16, "decimal_places": 2}


class BudgetPool(models.Model):
    """资金池 a programme's budget for one fiscal year. The figures are derived from the ledger and
    kept in step with it in the same transaction; the constraints refuse any overdraft."""

    programme = models.ForeignKey(Programme, verbose_name=_("申报项目"), on_delete=models.PROTECT, related_name="pools")
    fiscal_year = models.PositiveIntegerField(_("年度"))
    amount = models.DecimalField(_("预算额度"), **MONEY)
    reserved = models.DecimalField(_("已预留"), default=Decimal("0"), **MONEY)
    committed = models.DecimalField(_("已核定"), default=Decimal("0"), **MONEY)
    disbursed = models.DecimalField(_("已拨付"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("资金池")
        verbose_name_plural = _("资金池")
        ordering = ["programme", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "fiscal_year"], name="pool_per_programme_year"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(committed__gte=0) & Q(disbursed__gte=0),
                name="pool_figures_not_negative",
            ),
            models.CheckConstraint(condition=Q(amount__gte=F("reserved") + F("committed")), name="pool_not_overdrawn"),
            models.CheckConstraint(condition=Q(committed__gte=F("disbursed")), name="pool_disbursed_within_committed"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name_zh} {self.fiscal_year}年度"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.reserved - self.committed


class Award(models.Model):
    """核定金额 an amount decided for an application (one line; th-scenario-demo has two)."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("已预留（待公示）")
        COMMITTED = "committed", _("已核定")
        RELEASED = "released", _("已释放")

    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报"), on_delete=models.PROTECT, related_name="awards"
    )
    line = models.CharField(_("奖励对象"), max_length=10, blank=True)
    enterprise = models.ForeignKey(
        "applications.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="awards"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("申报项目"), on_delete=models.PROTECT, related_name="awards"
    )
    pool = models.ForeignKey(BudgetPool, verbose_name=_("资金池"), on_delete=models.PROTECT, related_name="awards")
    fiscal_year = models.PositiveIntegerField(_("年度"))
    amount = models.DecimalField(_("核定金额"), **MONEY)
    disbursed = models.DecimalField(_("已拨付"), default=Decimal("0"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RESERVED)
    decided_on = models.DateField(_("决定日期"))
    # 测算基准日 the application's basis date: per-year caps count awards by its year.
    basis_date = models.DateField(_("测算基准日"), null=True, blank=True)
    parameters = models.JSONField(_("计算参数"), default=dict)
    explanation = models.JSONField(_("计算过程"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核定奖励")
        verbose_name_plural = _("核定奖励")
        constraints = [
            models.UniqueConstraint(fields=["application", "line"], name="award_once_per_line"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_not_negative"),
            models.CheckConstraint(
                condition=Q(disbursed__gte=0) & Q(disbursed__lte=F("amount")), name="award_disbursed_within_amount"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "programme", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.application_id}{self.line and '/' + LINE_LABELS.get(self.line, self.line)} {self.amount}"


class LedgerEntry(models.Model):
    """资金台账 one append-only movement on a pool."""

    class Kind(models.TextChoices):
        RESERVE = "reserve", _("预留")
        COMMIT = "commit", _("核定")
        RELEASE = "release", _("释放")
        DISBURSE = "disburse", _("拨付")
        CLAWBACK = "clawback", _("追回")

    class Figure(models.TextChoices):
        """The pool figure a release gives back to."""

        RESERVED = "reserved", _("已预留")
        COMMITTED = "committed", _("已核定")

    pool = models.ForeignKey(BudgetPool, verbose_name=_("资金池"), on_delete=models.PROTECT, related_name="entries")
    award = models.ForeignKey(
        Award, verbose_name=_("核定奖励"), on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    reference = models.CharField(_("凭证/说明"), max_length=200, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    idempotency_key = models.CharField(_("防重复提交标识"), max_length=120, null=True, blank=True, unique=True)
    # For a release: which figure of the pool it gave back (reserved or committed), so that every
    # figure is a plain sum over the ledger.
    released_from = models.CharField(_("释放自"), max_length=10, blank=True, choices=Figure.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="release", released_from__in=["reserved", "committed"])
                | (~Q(kind="release") & Q(released_from="")),
                name="ledger_release_names_its_figure",
            ),
        ]
        indexes = [models.Index(fields=["pool", "kind"])]

    def __str__(self) -> str:
        return f"{self.pool} {self.get_kind_display()} {self.amount}"


class BudgetCounter(models.Model):
    """额度计数 the running total of one bound an award draws on besides its pool: the programme's
    total over the policy period, its quota of awardees or projects, and an enterprise's per-year or
    per-period total (per award line where the clause caps lines). Reservations lock these rows in a
    fixed order; `used` never passes `limit` (the bound in force when it was last drawn on)."""

    class Kind(models.TextChoices):
        PROGRAMME_TOTAL = "programme_total", _("项目政策期总额")
        AWARDEES = "awardees", _("支持主体名额")
        PROJECTS = "projects", _("支持项目名额")
        ENTERPRISE_YEAR = "enterprise_year", _("企业年度上限")
        ENTERPRISE_PERIOD = "enterprise_period", _("企业政策期上限")

    programme = models.ForeignKey(
        Programme, verbose_name=_("申报项目"), on_delete=models.PROTECT, related_name="budget_counters"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    enterprise = models.ForeignKey(
        "applications.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fiscal_year = models.PositiveIntegerField(_("年度"), default=0, help_text=_("0 表示整个政策有效期"))
    line = models.CharField(_("奖励对象"), max_length=10, blank=True)
    # An amount in yuan, or a count of awardees/projects for the quotas.
    used = models.DecimalField(_("已用额度"), default=Decimal("0"), **MONEY)
    limit = models.DecimalField(_("上限"), null=True, blank=True, **MONEY)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("额度计数")
        verbose_name_plural = _("额度计数")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "enterprise", "fiscal_year", "line"],
                condition=Q(enterprise__isnull=False),
                name="counter_once_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "fiscal_year", "line"],
                condition=Q(enterprise__isnull=True),
                name="counter_once_per_programme",
            ),
            models.CheckConstraint(condition=Q(used__gte=0), name="counter_not_negative"),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(used__lte=F("limit")), name="counter_within_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name_zh} {self.get_kind_display()} {self.fiscal_year}"
