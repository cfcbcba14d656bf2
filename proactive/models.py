"""一企一档 enterprise facts delivered by the departments, the import batches they came in, the
enterprises' contests of them, and the matches of enterprises with open programmes (政策找企业)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models_library import LibraryDocument, LibraryMaterial  # noqa: F401 - the app's tables


class Department(models.TextChoices):
    """Who delivers a file of facts."""

    STATISTICS = "statistics", _("统计部门")
    TAX = "tax", _("税务部门")
    MARKET = "market", _("市场监管部门")
    BUREAU = "bureau", _("主管部门名单")


class FactKind(models.TextChoices):
    """What a fact says; proactive.facts declares each one's type and whether it has a period."""

    ABOVE_SCALE = "above_scale", _("规模以上企业")
    ANNUAL_REVENUE = "annual_revenue", _("年度营业收入（元）")
    REVENUE_JAN_NOV = "revenue_jan_nov", _("1至11月营业收入（元）")
    RD_EXPENSE = "rd_expense", _("年度研发费用（元）")
    CREDIT_GRADE = "credit_grade", _("纳税信用等级")
    REGISTRATION_DATE = "registration_date", _("成立日期")
    ADDRESS = "address", _("注册地址")
    INDUSTRY_CODE = "industry_code", _("行业代码")
    DCMM_LEVEL = "dcmm_level", _("数据管理能力成熟度等级")
    CAC_DEEP_SYNTHESIS = "cac_deep_synthesis", _("深度合成服务算法已备案")
    GENAI_FILING = "genai_filing", _("生成式人工智能服务已备案")
    NATIONAL_PLATFORM = "national_platform", _("世界500强或国家级平台")


class FactImport(models.Model):
    """One file of facts from a department, checked as a whole before anything of it is written."""

    department = models.CharField(_("提供部门"), max_length=20, choices=Department.choices)
    source = models.CharField(_("数据来源"), max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)  # the same file twice is the same batch
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增事实数"), default=0)
    changed = models.PositiveIntegerField(_("变更事实数"), default=0)
    unchanged = models.PositiveIntegerField(_("未变事实数"), default=0)
    unknown = models.PositiveIntegerField(_("未登记的代码数"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业档案导入")
        verbose_name_plural = _("企业档案导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} · {self.file_name}"


class EnterpriseFact(models.Model):
    """一企一档 one fact of an enterprise for a period ("" when it has none), with where it came from."""

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="profile_facts", verbose_name=_("企业")
    )
    kind = models.CharField(_("事实"), max_length=30, choices=FactKind.choices)
    period = models.CharField(_("所属期间"), max_length=7, blank=True)  # "2025" or "2025-11"
    value = models.CharField(_("值"), max_length=300)
    department = models.CharField(_("提供部门"), max_length=20, choices=Department.choices)
    source = models.CharField(_("数据来源"), max_length=200)
    fact_import = models.ForeignKey(
        FactImport, on_delete=models.PROTECT, null=True, blank=True, related_name="facts", verbose_name=_("导入批次")
    )
    corrected_by_contest = models.BooleanField(_("经异议更正"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业档案事实")
        verbose_name_plural = _("企业档案事实")
        ordering = ["kind", "-period"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "period"], name="profile_fact_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind}[{self.period}]={self.value}"


class FactContest(models.Model):
    """An enterprise's objection to one of its facts; the bureau upholds it (the value is corrected) or
    rejects it with a reason. One pending per fact."""

    class State(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议不成立")

    fact = models.ForeignKey(EnterpriseFact, on_delete=models.CASCADE, related_name="contests", verbose_name=_("事实"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    reason = models.TextField(_("异议理由"))
    proposed_value = models.CharField(_("企业认为的值"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("档案事实异议")
        verbose_name_plural = _("档案事实异议")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fact"], condition=models.Q(state="pending"), name="fact_contest_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fact} · {self.get_state_display()}"


class Utf8JSONEncoder(DjangoJSONEncoder):
    """Chinese as itself, not as \\u escapes: a match set's reasons are Chinese, a third of the bytes."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class MatchStatus(models.TextChoices):
    LIKELY = "likely", _("可能符合")
    POSSIBLE = "possible", _("待补充信息")
    NOT_ELIGIBLE = "not_eligible", _("不符合")


class MatchSet(models.Model):
    """政策匹配 what the calculator says of one enterprise and each open programme of its district on its
    known facts: a list of {programme, status, amount, missing, reasons} (amounts as strings). One row per
    enterprise, so that matching 20,000 enterprises writes 20,000 rows, and a rerun only those changed."""

    enterprise = models.OneToOneField(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="match_set", verbose_name=_("企业")
    )
    results = models.JSONField(_("匹配结果"), default=list, encoder=Utf8JSONEncoder)
    digest = models.CharField(max_length=32)
    computed_at = models.DateTimeField(_("匹配时间"))

    class Meta:
        verbose_name = _("政策匹配")
        verbose_name_plural = _("政策匹配")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {len(self.results)}"


class MatchRun(models.Model):
    """One run of matching over every enterprise: what started it and how many of each result."""

    trigger = models.CharField(_("触发原因"), max_length=100)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    written = models.PositiveIntegerField(_("更新企业数"), default=0)
    counts = models.JSONField(_("各项目匹配数"), default=dict)  # programme code → {status: n}

    class Meta:
        verbose_name = _("匹配运行")
        verbose_name_plural = _("匹配运行")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trigger} · {self.started_at}"


class MatchNotice(models.Model):
    """An enterprise told of a match when a window opened: once per window."""

    enterprise = models.ForeignKey("applications.Enterprise", on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey("vouchers.ApplicationWindow", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "window"], name="match_notice_once")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.window_id}"


class MatchPreference(models.Model):
    """The enterprise's choice about match notifications (opt-out; absent means notify)."""

    enterprise = models.OneToOneField("applications.Enterprise", on_delete=models.CASCADE, related_name="+")
    notify = models.BooleanField(_("接收政策匹配提醒"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.notify}"


class AutoAwardBatch(models.Model):
    """免申即享 a batch of awards the bureau prepares from facts for a programme flagged for it: the window,
    the facts cut-off (facts changed after it are not used), the candidates with their computed amounts,
    the budget effect (ranked / pro rata when the pool is short) and a random sample to check by hand."""

    class State(models.TextChoices):
        PREPARED = "prepared", _("已生成候选名单")
        PUBLISHED = "published", _("已生成申报，核定意见审批中")
        LISTED = "listed", _("已公示，待企业确认")

    programme = models.ForeignKey(
        "vouchers.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目")
    )
    window = models.ForeignKey(
        "vouchers.ApplicationWindow", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报批次")
    )
    facts_cutoff = models.DateTimeField(_("数据截止时间"))
    confirm_workdays = models.PositiveSmallIntegerField(_("确认期限（工作日）"), default=10)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PREPARED)
    seed = models.PositiveIntegerField(_("抽样种子"))
    budget = models.JSONField(_("资金影响"), default=dict, encoder=DjangoJSONEncoder)  # amounts as strings
    sample = models.JSONField(_("人工抽查样本"), default=list)  # enterprise ids
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("免申即享批次")
        verbose_name_plural = _("免申即享批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.window_id} · {self.facts_cutoff:%Y-%m-%d}"


class AutoAwardCandidate(models.Model):
    """One enterprise of a 免申 batch: the amount the calculator gives on its facts (each input with the
    fact it came from) and what each budget remedy would award."""

    class Response(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已放弃")
        LAPSED = "lapsed", _("逾期未确认，已失效")

    batch = models.ForeignKey(AutoAwardBatch, on_delete=models.CASCADE, related_name="candidates")
    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    amount = models.DecimalField(_("测算金额（元）"), max_digits=16, decimal_places=2)
    rank_award = models.DecimalField(_("按排名择优"), max_digits=16, decimal_places=2)
    pro_rata_award = models.DecimalField(_("按比例核减"), max_digits=16, decimal_places=2)
    inputs = models.JSONField(_("数据及来源"), default=dict)  # input → {value, source, period, fact_import}
    estimate = models.JSONField(_("测算说明"), default=dict)
    in_sample = models.BooleanField(_("抽查样本"), default=False)
    # once the batch is published: the application filed for it, and the enterprise's answer once listed
    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="auto_candidate",
        verbose_name=_("申报"),
    )
    confirm_by = models.DateField(_("确认截止日"), null=True, blank=True)
    response = models.CharField(
        _("企业确认"), max_length=12, choices=Response.choices, default=Response.PENDING, db_index=True
    )
    account = models.ForeignKey(
        "vouchers.ReceivingAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收款账户"),
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("免申即享候选企业")
        verbose_name_plural = _("免申即享候选企业")
        ordering = ["-amount", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["batch", "enterprise"], name="auto_candidate_once")]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.enterprise_id}: {self.amount}"
