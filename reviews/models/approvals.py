"""四眼原则 no money decision by one person alone: the approval chains (审批链 经办 → 复核 → 分管领导)
chosen by programme and amount, the authorised leaders (分管领导), each decision's proposal (拟办)
with its steps, and the collective decisions (集体决策) competitive programmes record before their
public notice.

A decision of the bureau (approve with an amount, reduce, decline; each of a batch commit) is first
a DecisionProposal: the proposer holds its first step (经办); the chain's further steps are held by
other people; the decision takes effect (award, budget, state, notice) only when the last one
approves. The chain is copied onto the proposal as its steps, so editing a chain never changes a
proposal already made. The default chains are seeded by migration 0007 (up to 500,000 元: 经办 +
复核; above: + 分管领导) and edited by system administrators in the Django admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.workflow import State
from portal.permissions import ApprovalHolder

from .review import MONEY, Decision


class ApprovalStepRole(models.TextChoices):
    """审批环节 the steps of a chain."""

    HANDLER = "handler", _("经办")
    CHECKER = "checker", _("复核")
    LEADER = "leader", _("分管领导")


class ApprovalChain(models.Model):
    """审批链 the steps a money decision passes, for a programme (or every programme) and a range of
    amounts (the decided total; for a decline, the amount at stake: the application's estimate).
    When several active chains fit, a programme's own comes before a general one, then the one with
    the highest lower bound the amount passes."""

    name = models.CharField(_("名称"), max_length=100)
    programme = models.ForeignKey(
        "vouchers.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用项目"),
        help_text=_("留空：适用于所有项目。"),
    )
    amount_above = models.DecimalField(
        _("金额高于（元）"), null=True, blank=True, **MONEY, help_text=_("决定金额高于此数时适用；留空：不设下限。")
    )
    amount_up_to = models.DecimalField(
        _("金额不超过（元）"), null=True, blank=True, **MONEY, help_text=_("决定金额不超过此数时适用；留空：不设上限。")
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.TextField(_("说明"), blank=True, help_text=_("设置依据，如本局内部审批制度的条款。"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("审批链")
        verbose_name_plural = _("审批链")
        ordering = [F("programme_id").asc(nulls_first=True), F("amount_above").asc(nulls_first=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_above__isnull=True)
                | Q(amount_up_to__isnull=True)
                | Q(amount_up_to__gt=F("amount_above")),
                name="approval_chain_range",
            ),
            models.CheckConstraint(
                condition=Q(amount_above__isnull=True) | Q(amount_above__gte=0),
                name="approval_chain_above_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalChainStep(models.Model):
    """One step of a chain: its place, its name (经办, 复核, 分管领导) and who may hold it. The first
    step is the proposal itself (经办)."""

    chain = models.ForeignKey(ApprovalChain, verbose_name=_("审批链"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("顺序"))
    role = models.CharField(_("环节"), max_length=10, choices=ApprovalStepRole.choices)
    holder = models.CharField(_("办理人"), max_length=20, choices=ApprovalHolder.choices)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["chain_id", "position"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="approval_step_position_once")]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_role_display()}"


class AuthorisedApprover(models.Model):
    """分管领导 a member of the bureau's staff authorised to hold the leader's step of a chain."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authorised_approver", verbose_name=_("用户")
    )
    title = models.CharField(_("职务"), max_length=100, help_text=_("如：分管副局长"))
    active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("授权依据"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    granted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("授权分管领导")
        verbose_name_plural = _("授权分管领导")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user}（{self.title}）"


class DecisionProposal(models.Model):
    """拟办 a money decision proposed by one person, on its way through its chain's steps."""

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已生效")
        RETURNED = "returned", _("已退回")
        LAPSED = "lapsed", _("已失效")  # the application moved on (withdrawn, returned) meanwhile

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="decision_proposals", verbose_name=_("申报")
    )
    outcome = models.CharField(_("拟办结论"), max_length=10, choices=Decision.Outcome.choices)
    amount = models.DecimalField(_("拟核定金额"), default=0, **MONEY)
    max_amount = models.DecimalField(_("测算上限"), null=True, blank=True, **MONEY)
    lines = models.JSONField(_("奖励对象明细"), default=list, blank=True)  # [{"line", "amount", "max"}], strings
    reason = models.TextField(_("理由"), blank=True)
    chain = models.ForeignKey(
        ApprovalChain, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("审批链")
    )
    from_state = models.CharField(_("拟办时状态"), max_length=30, choices=State.choices)
    # the proposal's own entry on the application's timeline: a change of state recorded after it
    # (a return for supplement and the answer, a withdrawal…) means the proposal no longer applies
    opened_event = models.ForeignKey(
        "applications.ApplicationEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("拟办记录"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # 批量核定 a competitive batch's commit: the option it was computed by and the batch
    batch_mode = models.CharField(_("批量核定方式"), max_length=10, blank=True)
    window = models.ForeignKey(
        "vouchers.ApplicationWindow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申报批次"),
    )
    decided_on = models.DateField(
        _("决定日期"), null=True, blank=True, help_text=_("留空：以最后一个环节同意之日为决定日期。")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    proposed_at = models.DateTimeField(_("拟办时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal", verbose_name=_("审核决定")
    )

    class Meta:
        verbose_name = _("拟办审批")
        verbose_name_plural = _("拟办审批")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="pending"), name="one_pending_proposal"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="proposal_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(amount__lte=F("max_amount")), name="proposal_within_maximum"
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"])]

    def __str__(self) -> str:
        from portal.templatetags.money import yuan  # the admin names a decision in words and yuan

        return f"{self.application_id} {self.get_outcome_display()} {yuan(self.amount)}"


class ProposalStep(models.Model):
    """One step of a proposal: who held it, when, with what comment, and whether they approved it
    or sent the proposal back. Copied from the chain when the proposal is made."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回")

    proposal = models.ForeignKey(
        DecisionProposal, verbose_name=_("决定建议"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    role = models.CharField(_("环节"), max_length=10, choices=ApprovalStepRole.choices)
    holder = models.CharField(_("办理人"), max_length=20, choices=ApprovalHolder.choices)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    verdict = models.CharField(_("意见"), max_length=10, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("审批环节记录")
        verbose_name_plural = _("审批环节记录")
        ordering = ["proposal_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "position"], name="proposal_step_position_once"),
            # 四眼 the same person never holds two steps of one decision
            models.UniqueConstraint(
                fields=["proposal", "acted_by"],
                condition=Q(acted_by__isnull=False),
                name="proposal_step_one_per_person",
            ),
            models.CheckConstraint(
                condition=(Q(acted_by__isnull=True) & Q(acted_at__isnull=True) & Q(verdict=""))
                | (Q(acted_by__isnull=False) & Q(acted_at__isnull=False) & ~Q(verdict="")),
                name="proposal_step_acted_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.position} {self.get_role_display()}"


class CollectiveDecision(models.Model):
    """集体决策 the meeting (局务会, 专题会议) that decided a competitive programme's awards, recorded
    before their public notice: its name, date, attendees, minutes and, if any, the signed minutes."""

    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报项目")
    )
    meeting_name = models.CharField(_("会议名称"), max_length=200)
    meeting_date = models.DateField(_("会议日期"))
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"))
    file = models.FileField(_("纪要文件"), upload_to="collective/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    applications = models.ManyToManyField(
        "applications.Application", related_name="collective_decisions", verbose_name=_("决策事项（申报）")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("集体决策")
        verbose_name_plural = _("集体决策")
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting_name}（{self.meeting_date:%Y-%m-%d}）"
