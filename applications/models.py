"""Enterprises and their members, applications, their project claims, attachments and timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models_supplement import SupplementItem, SupplementRequest  # noqa: F401 - the app's tables
from .models_verification import (  # noqa: F401 - the verification models are the app's through this import
    EligibilityFact,
    EnterpriseClaim,
    FactChangeRequest,
    FactImport,
    FactRecord,
    FactSource,
    RequestState,
    VerificationDocument,
    VerificationState,
    VerifiedVia,
)
from .uscc import normalize
from .workflow import EventAction, Route, State


class District(models.TextChoices):
    HUANGPU = "huangpu", _("黄埔区/广州开发区")
    TIANHE = "tianhe", _("天河区")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    AI = "ai", _("人工智能")
    SOFTWARE_IT = "software_it", _("软件和信息技术服务业")
    INTERNET = "internet", _("互联网和相关服务")
    MANUFACTURING = "manufacturing", _("制造业")
    DATA = "data", _("数据服务")
    COMPUTE = "compute", _("算力服务")
    RESEARCH = "research", _("科研机构")
    OTHER = "other", _("其他")


class Enterprise(models.Model):
    """企业 an enterprise or institution that applies. One per unified social credit code."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    credit_code_override_reason = models.CharField(
        _("校验位例外原因"),
        max_length=300,
        blank=True,
        help_text=_("仅管理员可填写：历史代码未通过校验位检查时的核实说明。"),
    )
    registered_district = models.CharField(_("注册地"), max_length=20, choices=District.choices)
    tax_district = models.CharField(_("税收关系所在地"), max_length=20, choices=District.choices)
    stats_district = models.CharField(_("统计关系所在地"), max_length=20, choices=District.choices)
    industry = models.CharField(_("所属行业"), max_length=20, choices=Industry.choices, default=Industry.AI)
    is_above_scale = models.BooleanField(_("规模以上企业"), default=False)
    is_startup = models.BooleanField(_("初创企业"), default=False)
    has_independent_accounts = models.BooleanField(_("独立核算"), default=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # 实名核验 the identity as the bureau knows it (applications.verification): unverified, an enterprise
    # drafts and estimates but does not submit
    verification_state = models.CharField(
        _("实名核验"),
        max_length=20,
        choices=VerificationState.choices,
        default=VerificationState.UNVERIFIED,
        db_index=True,
    )
    verified_via = models.CharField(_("核验方式"), max_length=20, choices=VerifiedVia.choices, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verification_note = models.CharField(_("核验说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalize(self.credit_code)
        super().save(*args, **kwargs)

    def in_district(self, district: str) -> bool:
        """Registered, taxed and counted in the district (PROGRAMS.md rule 3)."""
        return self.registered_district == self.tax_district == self.stats_district == district

    @property
    def is_verified(self) -> bool:
        return self.verification_state == VerificationState.VERIFIED

    def fact_value(self, fact: str) -> str:
        """An eligibility fact's value as a FactRecord keeps it ("True", "huangpu")."""
        return str(getattr(self, fact))

    def verified_facts(self) -> dict[str, str]:
        """The eligibility facts verified and still holding the verified value: field → how (核验方式, in
        Chinese, with the data's source and date for an import). Read by the calculator through
        vouchers.selectors.enterprise_facts (vouchers imports no app); the rest is the enterprise's own
        statement (企业自报)."""
        out: dict[str, str] = {}
        prefetched = "fact_records" in getattr(self, "_prefetched_objects_cache", {})  # a batch read them at once
        records = self.fact_records.all() if prefetched else self.fact_records.select_related("fact_import")
        for record in records:
            if record.source == FactSource.DECLARED or record.value != self.fact_value(record.fact):
                continue
            if record.fact_import is not None:
                batch = record.fact_import
                out[record.fact] = f"部门数据导入：{batch.source}（{batch.source_date:%Y-%m-%d}）"
            else:
                out[record.fact] = "主管部门核验"
        return out


class EnterpriseMember(models.Model):
    """法人与经办人: a user's link to the one enterprise they act for."""

    class MemberRole(models.TextChoices):
        OWNER = "owner", _("法人/负责人")
        AGENT = "agent", _("经办人")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members", verbose_name=_("企业"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("用户")
    )
    member_role = models.CharField(_("身份"), max_length=10, choices=MemberRole.choices)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业成员")
        verbose_name_plural = _("企业成员")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.user}（{self.get_member_role_display()}）"


class Application(models.Model):
    """申报 an enterprise's application under one programme."""

    reference = models.CharField(_("申报编号"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申报企业")
    )
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="applications", verbose_name=_("申报项目")
    )
    window = models.ForeignKey(
        "vouchers.ApplicationWindow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("申报批次"),
    )
    state = models.CharField(_("状态"), max_length=30, choices=State.choices, default=State.DRAFT, db_index=True)
    title = models.CharField(_("项目名称"), max_length=200, blank=True)
    project_key = models.CharField(
        _("项目标识"),
        max_length=100,
        blank=True,
        help_text=_("同一项目在不同政策下申报时使用同一标识，用于“从高不重复”核查。"),
    )
    description = models.TextField(_("项目简介"), blank=True)
    # The programme's declared inputs, amounts as decimal strings (never floats).
    inputs = models.JSONField(_("申报数据"), default=dict, blank=True)
    estimate_amount = models.DecimalField(_("测算金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    estimate = models.JSONField(_("测算说明"), null=True, blank=True)
    route = models.CharField(_("申报方式"), max_length=10, choices=Route.choices, default=Route.APPLIED)
    # where each input came from when it was not typed by the applicant (免申即享: the enterprise's
    # facts): input → {value, source, period, fact_import}
    input_sources = models.JSONField(_("数据来源"), default=dict, blank=True)
    # 免申即享: the enterprise confirmed the award (收款账户 and declaration); until then it is not final
    confirmed_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    # What the applicant typed, as typed (also what does not validate yet), so that nothing typed is
    # lost when the browser closes; `inputs`, the claims and the estimate hold what validated.
    draft_data = models.JSONField(_("草稿原文"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(_("草稿保存时间"), null=True, blank=True)
    declared_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承诺人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # 快申快享 承诺兑付日期: the date the first payment is promised by, fixed when the application is
    # submitted (免申: when the batch is published) — applications.promise
    payment_promised_on = models.DateField(_("承诺兑付日期"), null=True, blank=True, db_index=True)
    due_date = models.DateField(
        _("办理期限"), null=True, blank=True, db_index=True, help_text=_("当前环节（如补正）的截止日期。")
    )
    # 申报事项所属期间的截止日 the end of the period the facts cover (上年度营业收入, costs incurred):
    # the basis date of such a claim. Empty for claims on the submission itself.
    period_end = models.DateField(_("申报事项所属期间截止日"), null=True, blank=True)
    # 测算基准日 the date the application is judged on (policy and parameters in force): fixed at
    # submission, period_end when given, else the submission date. Never the decision date.
    basis_date = models.DateField(_("测算基准日"), null=True, blank=True, db_index=True)
    # th-events 事前同意: the bureau's approval given before the event that this claim rests on.
    preapproval = models.ForeignKey(
        "PreApproval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("事前同意"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"]),
            # By programme and state; with the two dates, the budget overview's counts per programme,
            # state and year are read from this index alone (no visit of the wide rows).
            models.Index(fields=["programme", "state", "submitted_at", "created_at"], name="application_budget_counts"),
            models.Index(fields=["state", "submitted_at"]),
            # The API list's keyset order (newest first): every page is one index range, no sort.
            models.Index(fields=["-created_at", "-id"], name="application_newest_first"),
            # The review queue (oldest submission first) over the states still with the bureau only,
            # so that the decided years behind them are never scanned; with the state, the programme
            # (the district) and the stage deadline, a page's ids — of the queue, and of the overdue
            # list — come from this index alone.
            models.Index(
                fields=["submitted_at", "id"],
                include=["state", "programme", "due_date"],
                name="application_open_by_age",
                condition=models.Q(
                    state__in=[
                        State.SUBMITTED,
                        State.FORMAL_REVIEW,
                        State.SUPPLEMENT_REQUESTED,
                        State.EXPERT_REVIEW,
                        State.BUREAU_REVIEW,
                        State.APPROVED_PENDING_NOTICE,
                        State.IN_PUBLIC_NOTICE,
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ReferenceSequence(models.Model):
    """The last serial number of application references (GZAI-2026-000123) issued in a year."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    last = models.PositiveIntegerField(_("当前序号"), default=0)

    class Meta:
        verbose_name = _("申报编号序列")
        verbose_name_plural = _("申报编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invitation(models.Model):
    """邀请 the owner invites a colleague by e-mail to act for the enterprise as an agent (经办人).
    Only the SHA-256 of the link's token is stored."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("企业")
    )
    email = models.EmailField(_("受邀邮箱"))
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("邀请人")
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接受人"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成员邀请")
        verbose_name_plural = _("成员邀请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.email}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ProjectClaim(models.Model):
    """A contract number, invoice number or project key an application claims, normalised, so that
    the same project under another programme is found (从高不重复, hp2025 第十五条)."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("合同编号")
        INVOICE = "invoice", _("发票号码")
        PROJECT = "project", _("项目标识")

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="claims"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("取值"), max_length=100)

    class Meta:
        verbose_name = _("项目关联号")
        verbose_name_plural = _("项目关联号")
        constraints = [models.UniqueConstraint(fields=["application", "kind", "value"], name="claim_once")]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Attachment(models.Model):
    """证明材料 an uploaded piece of evidence, stored privately and served only through a
    permission-checked view. The type is decided from the content, never from the name."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    material = models.CharField(_("材料类别"), max_length=40)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationEvent(models.Model):
    """办理记录 one entry of the application's timeline, shown to the applicant where visible."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("事项"), max_length=40, choices=EventAction.choices)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    message = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    visible_to_applicant = models.BooleanField(_("申报单位可见"), default=True)
    # Not a column: a return for supplement's items, attached by selectors.application_timeline.
    supplement_items: list[SupplementItem]

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [
            # The formal-review clock (reviews.selectors.queue): an application's latest (re)submission
            # is the first entry of this small index, for every row of the queue and the overdue list.
            models.Index(
                fields=["application", "-created_at", "-id"],
                condition=models.Q(action__in=[EventAction.SUBMIT, EventAction.RESUBMIT]),
                name="event_clock_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_action_display()}"


class PreApproval(models.Model):
    """事前同意 a request made before an event (th-events: 事前经天河区科工信局同意支持) with its plan,
    budget and date, decided by the bureau; the claim after the event rests on an approved one."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("不予同意")
        WITHDRAWN = "withdrawn", _("已撤回")

    reference = models.CharField(_("事前申请编号"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="preapprovals", verbose_name=_("申请单位")
    )
    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="preapprovals", verbose_name=_("申报项目")
    )
    event_name = models.CharField(_("活动名称"), max_length=200)
    event_date = models.DateField(_("活动日期"))
    venue = models.CharField(_("举办地点"), max_length=200)
    plan = models.TextField(_("活动方案"))
    budget = models.DecimalField(_("活动预算（元）"), max_digits=16, decimal_places=2)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_on = models.DateField(_("同意日期"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("事前同意")
        verbose_name_plural = _("事前同意")
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(budget__gt=0), name="preapproval_budget_positive")]

    def __str__(self) -> str:
        return f"{self.reference} {self.event_name}"


class PreApprovalSequence(models.Model):
    """The last serial number of pre-approval references (SQ2026-000123) issued in a year: their own
    series, apart from the applications' (ReferenceSequence)."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    last = models.PositiveIntegerField(_("当前序号"), default=0)

    class Meta:
        verbose_name = _("事前申请编号序列")
        verbose_name_plural = _("事前申请编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
