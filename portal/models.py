"""Accounts and roles, the audit trail, the in-portal inbox and the working-day calendar."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit_labels import audit_action_label, audit_target_label


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业用户")
    REVIEWER = "reviewer", _("审核人员")
    EXPERT = "expert", _("评审专家")
    BUREAU_ADMIN = "bureau_admin", _("主管部门管理员")
    PROVIDER = "provider", _("算力服务商")
    SYSADMIN = "sysadmin", _("系统管理员")


STAFF_ROLES = frozenset({Role.REVIEWER, Role.EXPERT, Role.BUREAU_ADMIN, Role.SYSADMIN})
# The staff whose work is bound to a district (the system administrator's is not).
DISTRICT_ROLES = frozenset({Role.REVIEWER, Role.EXPERT, Role.BUREAU_ADMIN})


class Jurisdiction(models.TextChoices):
    """所属区域 the district whose policies a staff member works on: a policy's district
    (vouchers.Policy.district, the district of its issuing authority 发文机关). The same codes as the
    catalogue's districts; portal imports no app, so they are named here."""

    HUANGPU = "huangpu", _("黄埔区/广州开发区")
    TIANHE = "tianhe", _("天河区")


class User(AbstractUser):
    """A person who signs in. Enterprise users register themselves; staff accounts are created by
    administrators. `role` is the one thing that decides what a user may do."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE, db_index=True)
    email_confirmed_at = models.DateTimeField(_("邮箱确认时间"), null=True, blank=True)
    district = models.CharField(
        _("所属区域"),
        max_length=20,
        choices=Jurisdiction.choices,
        blank=True,
        db_index=True,
        help_text=_(
            "审核人员、主管部门管理员和评审专家只办理本区域（政策发文机关所在区域）的事项；"
            "未设置区域的看不到任何区域事项。系统管理员不受区域限制。"
        ),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name_of(self.full_name, self.email, self.username)

    @staticmethod
    def name_of(full_name: str, email: str, username: str) -> str:
        """How a user is named on pages and in the API: the full name, else the e-mail, else the login."""
        return full_name or email or username

    def clean(self) -> None:
        super().clean()
        if self.role in DISTRICT_ROLES and not self.district:
            raise ValidationError({"district": _("审核人员、主管部门管理员和评审专家须设置所属区域。")})
        if self.role not in DISTRICT_ROLES and self.district:
            raise ValidationError({"district": _("只有审核人员、主管部门管理员和评审专家设置所属区域。")})

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def requires_second_factor(self) -> bool:
        """Staff roles, and any account the admin site or superuser powers open (is_staff,
        is_superuser) whatever its role, pass TOTP when PORTAL_STAFF_REQUIRE_2FA is on."""
        return self.is_staff_role or self.is_staff or self.is_superuser

    @property
    def is_bureau_admin(self) -> bool:
        return self.role in (Role.BUREAU_ADMIN, Role.SYSADMIN)

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles


class AuditEvent(models.Model):
    """审计日志 audit trail: one append-only row per change of state that matters, written in the
    same transaction as the change. On PostgreSQL a trigger refuses UPDATE and DELETE."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("操作人标识"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        action, target = audit_action_label(self.action), audit_target_label(self.target_type)
        when = timezone.localtime(self.created_at)
        return f"{when:%Y-%m-%d %H:%M} {self.actor_label} {action} {target} {self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("审计事件只能追加，不能删除。")


class Notification(models.Model):
    """站内信 in-portal inbox message (the same text goes out by e-mail)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("申报已提交")
        SUPPLEMENT = "supplement", _("补正通知")
        DECISION = "decision", _("审核结果")
        PUBLIC_NOTICE = "public_notice", _("公示")
        LETTER = "letter", _("文书已出具")
        REMINDER = "reminder", _("办理提醒")
        APPROVAL = "approval", _("审批待办")  # a decision's proposal (拟办) waiting at a step, or sent back
        VOUCHER = "voucher", _("算力券")
        ACCOUNT = "account", _("账户")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("收件人")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("去重标识"), max_length=120, blank=True, help_text=_("发送任务的去重标识"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class CalendarYear(models.Model):
    """国务院办公厅关于某年部分节假日安排的通知 the State Council's arrangement of a year's holidays
    (bridged rest days and make-up working days, 调休), as entered by an administrator. A year that is
    neither entered (and confirmed) nor in the shipped chinesecalendar data is provisional: statutory
    holidays and weekends only (portal.workdays)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    confirmed = models.BooleanField(
        _("已确认"), default=True, help_text=_("取消确认后，该年度按法定节假日暂行计算，录入的调休安排不再适用。")
    )
    document = models.CharField(_("发文字号"), max_length=100, help_text=_("如：国办发明电〔2026〕x号"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        User, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度放假安排")
        verbose_name_plural = _("年度放假安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.document}"


class CalendarDay(models.Model):
    """One day that departs from the computed calendar: a day of an entered State Council
    arrangement (source official: a bridged rest day or a make-up working day, 调休上班日), or an
    administrator's correction (source administrator), which wins over everything else."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("国务院放假安排")
        ADMINISTRATOR = "administrator", _("管理员更正")

    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("节日名称或调整原因，如：春节"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.ADMINISTRATOR)
    arrangement = models.ForeignKey(
        CalendarYear,
        verbose_name=_("年度放假安排"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
    )

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(source="administrator"), name="calendar_one_correction_per_day"
            ),
            models.UniqueConstraint(fields=["arrangement", "date"], name="calendar_day_once_per_arrangement"),
            models.CheckConstraint(
                condition=models.Q(source="administrator", arrangement__isnull=True)
                | models.Q(source="official", arrangement__isnull=False),
                name="calendar_official_day_has_arrangement",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="calendar_day_date")]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.note}"


class OutboxMessage(models.Model):
    """待发布任务 outbox: a task asked for inside a transaction, written in that transaction. It is
    published to the broker once the transaction commits; if the broker is unreachable then, beat's
    scheduler publishes it at its next tick after the broker is back (portal.outbox.outbox_relay),
    not at a sweep half an hour later. The tasks are idempotent, so publishing twice does no harm."""

    task = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发布尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待发布任务")
        verbose_name_plural = _("待发布任务")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished"
            )
        ]

    def __str__(self) -> str:
        return _("待发布任务 %(n)s") % {"n": self.pk}


class ExternalIdentity(models.Model):
    """统一身份认证 an identity asserted by an OpenID Connect provider (广东政务服务网 / 粤商通), linked to
    the account it signs in to. The link is the provider's issuer and subject — never an e-mail
    address alone: a first sign-in creates an enterprise user's account, or links the account that
    is signed in when it starts (portal.services_identity)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("身份提供方"), max_length=255)
    subject = models.CharField(_("身份标识"), max_length=255)
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统一身份认证绑定")
        verbose_name_plural = _("统一身份认证绑定")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once"),
            models.UniqueConstraint(fields=["user", "issuer"], name="external_identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} → {self.user}"
