"""Policies, programmes, dated parameters and application windows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """政策文件 a policy document."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("征求意见稿")
        IN_FORCE = "in_force", _("有效")
        EXPIRED = "expired", _("已失效")

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    issuers = models.JSONField(_("发文单位"), default=list)
    district = models.CharField(_("适用区域"), max_length=20)
    issue_date = models.DateField(_("发布日期"), null=True, blank=True)
    valid_from = models.DateField(_("施行日期"))
    valid_to = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    full_text = models.TextField(_("全文"), blank=True, help_text=_("规范简体中文正文（由原始文本转换、清理而来）。"))
    full_text_source = models.TextField(
        _("原始文本"), blank=True, help_text=_("政策文本的原始来源（转换前），作为出处保留。")
    )
    note = models.TextField(_("说明"), blank=True)
    # 继任政策 a successor loaded beside the old one; the old one's applications and awards stay its own.
    predecessor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors", verbose_name=_("前序政策")
    )
    letter_authority = models.CharField(_("发文机关"), max_length=100, blank=True)
    letter_prefix = models.CharField(
        _("批复文号前缀"), max_length=40, blank=True, help_text=_("如“穗开经信批字”，文号为 前缀〔年份〕序号号。")
    )

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class Programme(models.Model):
    """申报项目 one programme of a policy (a voucher or a direct subsidy)."""

    # Programmes are named by their kind; only the clauses that say 券 (Huangpu 第二至五条) name a
    # programme 券, in its name_zh, and only the 算力券 is redeemed at compute providers (is_voucher).
    class Kind(models.TextChoices):
        COMPUTE = "compute", _("算力类")
        MODEL = "model", _("模型类")
        SCENARIO = "scenario", _("场景类")
        DATA = "data", _("数据类")
        OTHER = "other", _("其他类")

    class ReviewPath(models.TextChoices):
        STANDARD = "standard", _("常规审核")
        COMPETITIVE = "competitive", _("竞争性评审")

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="programmes")
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, db_index=True)
    article = models.CharField(_("条款"), max_length=40)
    clause_text = models.TextField(_("条款原文"))
    clause_source = models.TextField(
        _("条款出处原文"), blank=True, help_text=_("条款在原始文本中的写法（转换为规范简体前）。")
    )
    # 责任单位 the unit that reviews the programme and issues its letters (its own number series).
    responsible_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    letter_prefix = models.CharField(_("批复文号前缀"), max_length=40, blank=True)
    summary_zh = models.CharField(_("支持内容"), max_length=300, blank=True)
    eligibility_zh = models.TextField(_("申报条件"), blank=True)
    review_path = models.CharField(_("评审方式"), max_length=12, choices=ReviewPath.choices)
    is_voucher = models.BooleanField(_("以券形式发放"), default=False)
    staged_payment = models.BooleanField(_("分阶段拨付"), default=False)
    once_only = models.BooleanField(_("一次性奖励"), default=False)
    formula = models.CharField(_("计算方式"), max_length=30)
    inputs = models.JSONField(_("申报数据项"), default=list)
    materials = models.JSONField(_("申报材料"), default=list)
    criteria = models.JSONField(_("评审指标"), default=list, blank=True)
    # The programme's whole entry of the shipped catalogue (what the calculator's ProgrammeSpec is built from).
    spec = models.JSONField(_("项目定义"), default=dict, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申报项目")
        verbose_name_plural = _("申报项目")
        ordering = ["policy__code", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh  # the code stays internal: the admin, its selects and its logs show the name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (reader_name)."""
        return self.reader_name(self.name_zh, self.name_en)

    @staticmethod
    def reader_name(name_zh: str, name_en: str) -> str:
        """The name in the reader's language: name_en on the English interface when the catalogue
        gives one, else the Chinese name (official letters and notices always use name_zh)."""
        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name_zh


class ParameterValue(models.Model):
    """A rate, cap, threshold, quota or fixed amount, in force from a date (dated parameter)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="parameters"
    )
    name = models.CharField(_("参数"), max_length=60)
    value = models.DecimalField(_("取值"), max_digits=20, decimal_places=4)
    effective_from = models.DateField(_("生效日期"))
    clause = models.TextField(_("依据条款"), blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["programme", "name", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name", "effective_from"], name="parameter_once_per_date")
        ]

    def __str__(self) -> str:
        from ..display import param_label, param_text  # display reads these models

        return (
            f"{self.programme.name_zh} {param_label(self.name)} {param_text(self.name, self.value)}"
            f"（{self.effective_from:%Y-%m-%d} 起）"
        )


class ApplicationWindow(models.Model):
    """申报批次 an application window of a programme, opened by administrators."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("申报批次")
        CLAIM = "claim", _("清算批次")

    programme = models.ForeignKey(
        Programme, verbose_name=_("申报项目"), on_delete=models.CASCADE, related_name="windows"
    )
    name = models.CharField(_("批次名称"), max_length=100)
    # 清算批次 a final claim window after the policy expired, for facts inside its validity.
    kind = models.CharField(_("批次类型"), max_length=10, choices=Kind.choices, default=Kind.ORDINARY)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="window_closes_after_opening")
        ]

    def __str__(self) -> str:
        return f"{self.programme.name_zh} {self.name}"
