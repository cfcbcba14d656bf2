"""The review records: who reviews an application, the experts and their scores, supplement
requests (补正, now applications'), bureau decisions (实质审核), public notices (公示) and objections (异议).

The application's state lives on applications.Application and changes only through
applications.services.application_transition; these tables hold what each step decided."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}
SCORE = {"max_digits": 6, "decimal_places": 2}


class ReviewAssignment(models.Model):
    """审核分工 the reviewer responsible for an application (one at a time; changes are audited)."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="review_assignment", verbose_name=_("申报")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("审核人员"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("分配人")
    )
    assigned_at = models.DateTimeField(_("分配时间"), default=timezone.now)
    claimed = models.BooleanField(_("本人认领"), default=False)

    class Meta:
        verbose_name = _("审核分工")
        verbose_name_plural = _("审核分工")
        indexes = [models.Index(fields=["reviewer", "assigned_at"])]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.reviewer}"


class ExpertRelation(models.Model):
    """利益关联 a declared link between an expert and an enterprise: the expert is never assigned to
    that enterprise's applications."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_relations", verbose_name=_("专家")
    )
    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("关联企业")
    )
    note = models.CharField(_("关联说明"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家利益关联")
        verbose_name_plural = _("专家利益关联")
        constraints = [models.UniqueConstraint(fields=["expert", "enterprise"], name="expert_relation_once")]

    def __str__(self) -> str:
        return f"{self.expert} ~ {self.enterprise}"


class ExpertAssignment(models.Model):
    """专家评审分配 one expert on one application's panel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待声明利益冲突")
        ACCEPTED = "accepted", _("已声明无利益冲突，待评分")
        SUBMITTED = "submitted", _("已提交评分")
        RECUSED = "recused", _("已回避")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="expert_assignments", verbose_name=_("申报")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("专家")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("指派人")
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    declaration_note = models.CharField(_("声明说明"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("评分提交时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), null=True, blank=True, **SCORE)
    comment = models.TextField(_("综合意见"), blank=True, max_length=4000)  # limit enforced by the service

    class Meta:
        verbose_name = _("专家评审分配")
        verbose_name_plural = _("专家评审分配")
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="expert_once_per_application")]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.expert}"

    @property
    def active(self) -> bool:
        return self.status != self.Status.RECUSED


class ExpertScore(models.Model):
    """评分 an expert's score on one criterion of the programme (Programme.criteria)."""

    assignment = models.ForeignKey(
        ExpertAssignment, verbose_name=_("专家评审"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("评审指标"), max_length=40)
    label = models.CharField(_("指标名称"), max_length=100)
    max_score = models.DecimalField(_("满分"), **SCORE)
    score = models.DecimalField(_("得分"), **SCORE)
    comment = models.TextField(_("评审意见"), blank=True, max_length=2000)  # limit enforced by the service

    class Meta:
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=F("max_score")), name="score_within_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.score}/{self.max_score}"


class Decision(models.Model):
    """审核决定 the bureau's decision on an application: approve (in full or reduced) or decline.
    Exactly one decision is current per application; a later one (an upheld objection, a higher
    award of the same project) supersedes it and both stay on record."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("予以支持")
        REDUCE = "reduce", _("核减后支持")
        DECLINE = "decline", _("不予支持")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="decisions", verbose_name=_("申报")
    )
    outcome = models.CharField(_("结论"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(_("核定金额"), default=Decimal("0"), **MONEY)
    max_amount = models.DecimalField(_("测算上限"), null=True, blank=True, **MONEY)
    lines = models.JSONField(_("奖励对象明细"), default=list, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    explanation = models.JSONField(_("测算过程"), default=list, blank=True)
    parameters = models.JSONField(_("计算参数"), default=dict, blank=True)
    conflicts = models.JSONField(_("从高不重复核查"), default=list, blank=True)
    # th-case-by-case 一事一议: the district government's consent (经区政府同意) the decision rests on.
    consent_document = models.ForeignKey(
        "applications.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区政府同意文件"),
    )
    # 测算基准日 the date the maximum was computed on (the application's basis date).
    basis_date = models.DateField(_("测算基准日"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    current = models.BooleanField(_("现行"), default=True)

    class Meta:
        verbose_name = _("审核决定")
        verbose_name_plural = _("审核决定")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(current=True), name="one_current_decision"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="decision_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(amount__lte=F("max_amount")), name="decision_within_maximum"
            ),
        ]

    def __str__(self) -> str:
        from portal.templatetags.money import yuan  # the admin names a decision in words and yuan

        return f"{self.application_id} {self.get_outcome_display()} {yuan(self.amount)}"


class PublicNotice(models.Model):
    """公示 a batch of approved amounts published for a number of working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        CLOSED = "closed", _("公示结束")

    title = models.CharField(_("公示标题"), max_length=200)
    window = models.ForeignKey(
        "vouchers.ApplicationWindow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_notices",
        verbose_name=_("申报批次"),
    )
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="public_notices", verbose_name=_("申报项目")
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"), db_index=True)
    workdays = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-published_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="notice_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class PublicNoticeEntry(models.Model):
    """One line of a public notice: an enterprise, the programme and the amount (per award line)."""

    class Status(models.TextChoices):
        LISTED = "listed", _("公示中")
        FINAL = "final", _("公示期满，核定生效")
        WITHDRAWN = "withdrawn", _("异议成立，取消支持")

    notice = models.ForeignKey(PublicNotice, verbose_name=_("公示"), on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        "applications.Application", verbose_name=_("申报"), on_delete=models.PROTECT, related_name="notice_entries"
    )
    line = models.CharField(_("奖励对象"), max_length=10, blank=True)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    programme_name = models.CharField(_("支持项目"), max_length=120)
    project_title = models.CharField(_("项目名称"), max_length=200, blank=True)
    amount = models.DecimalField(_("拟支持金额"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.LISTED)

    class Meta:
        verbose_name = _("公示条目")
        verbose_name_plural = _("公示条目")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["application", "line"], name="notice_entry_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.amount}"


class Objection(models.Model):
    """异议 a named objection lodged during a public notice. The objector's contact details are
    confidential: shown to bureau administrators only."""

    class ObjectorKind(models.TextChoices):
        PERSON = "person", _("个人")
        ENTERPRISE = "enterprise", _("单位")

    class Status(models.TextChoices):
        OPEN = "open", _("核查中")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    notice = models.ForeignKey(
        PublicNotice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="objections", verbose_name=_("被异议申报")
    )
    objector_kind = models.CharField(_("异议人类型"), max_length=10, choices=ObjectorKind.choices)
    objector_name = models.CharField(_("异议人姓名/单位名称"), max_length=200)
    objector_id_number = models.CharField(_("身份证件号码/统一社会信用代码"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    content = models.TextField(_("异议内容及理由"), max_length=5000)  # limit enforced by the service
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    submitted_ip = models.GenericIPAddressField(_("提交地址"), null=True, blank=True)
    due_date = models.DateField(_("核查期限"), db_index=True)
    status = models.CharField(_("处理结果"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.TextField(_("核查意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.objector_name}"
