"""实名核验 who the enterprise is and which of its facts are verified: the claims on a credit code (the
first registration and contested claims) with their documents, the requests to change an eligibility
fact, the imports of department data, and per fact how it was verified. Imported by models.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationState(models.TextChoices):
    """The enterprise's identity (名称、代码、法定代表人) as the bureau knows it."""

    UNVERIFIED = "unverified", _("待核验")
    VERIFIED = "verified", _("已核验")
    REFUSED = "refused", _("核验未通过")


class VerifiedVia(models.TextChoices):
    BUREAU = "bureau", _("主管部门核验")
    IDENTITY_PROVIDER = "identity_provider", _("统一身份认证")


class EligibilityFact(models.TextChoices):
    """The facts that decide eligibility (the calculator and the eligibility hint read them); the value
    is the Enterprise field's name."""

    REGISTERED_DISTRICT = "registered_district", _("注册地")
    TAX_DISTRICT = "tax_district", _("税收关系所在地")
    STATS_DISTRICT = "stats_district", _("统计关系所在地")
    INDUSTRY = "industry", _("所属行业")
    IS_ABOVE_SCALE = "is_above_scale", _("规模以上企业")
    IS_STARTUP = "is_startup", _("初创企业")
    HAS_INDEPENDENT_ACCOUNTS = "has_independent_accounts", _("独立核算")


class RequestState(models.TextChoices):
    """Of a claim and of a fact-change request: waiting for the bureau, then its answer."""

    PENDING = "pending", _("待核验")
    ACCEPTED = "accepted", _("核验通过")
    REFUSED = "refused", _("核验未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class FactSource(models.TextChoices):
    DECLARED = "declared", _("企业自报")
    BUREAU = "bureau", _("主管部门核验")
    IMPORT = "import", _("部门数据导入")


class EnterpriseClaim(models.Model):
    """认领 a user's claim to act for the enterprise of a credit code, with the business licence (营业执照)
    and, when the claimant is not the legal representative, a signed power of attorney (授权委托书). The
    first registration makes the claimant the owner of an unverified enterprise; a contested claim
    (争议认领) on a code someone else holds goes to the bureau, which may transfer the owner role."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("登记认领")
        CONTESTED = "contested", _("争议认领")

    State = RequestState

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="claims", verbose_name=_("企业")
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enterprise_claims", verbose_name=_("认领人")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    name = models.CharField(_("企业名称（营业执照）"), max_length=200)
    legal_representative = models.CharField(_("法定代表人（营业执照）"), max_length=100)
    registered_district = models.CharField(_("注册地"), max_length=20, blank=True)
    claimant_is_legal_representative = models.BooleanField(_("认领人为法定代表人"), default=False)
    statement = models.TextField(_("认领说明"), blank=True)
    # an identity asserted by an identity provider (统一身份认证, e.g. 粤商通) instead of documents
    asserted_by = models.CharField(_("身份认证来源"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    reason = models.TextField(_("核验意见"), blank=True)

    class Meta:
        verbose_name = _("企业认领")
        verbose_name_plural = _("企业认领")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "claimant"],
                condition=models.Q(state="pending"),
                name="claim_one_pending_per_claimant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} · {self.claimant}"


class FactChangeRequest(models.Model):
    """认定事实变更 the owner's request to change eligibility facts, with evidence, verified by the bureau:
    accepted, the values apply and count as verified; refused, nothing changes. One pending at a time."""

    State = RequestState

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="fact_changes", verbose_name=_("企业")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    changes = models.JSONField(_("申请变更为"), default=dict)  # fact → new value (bool or choice value)
    before = models.JSONField(_("变更前"), default=dict)
    note = models.TextField(_("变更说明"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    reason = models.TextField(_("核验意见"), blank=True)

    class Meta:
        verbose_name = _("认定事实变更申请")
        verbose_name_plural = _("认定事实变更申请")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=models.Q(state="pending"), name="fact_change_one_pending"
            ),
        ]

    def __str__(self) -> str:
        names = dict(EligibilityFact.choices)
        return f"{self.enterprise} · {'、'.join(str(names.get(fact, fact)) for fact in self.changes)}"


class VerificationDocument(models.Model):
    """A document of a claim or of a fact-change request, stored privately; its type is decided from
    the content (applications.uploads), never from the name."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("营业执照")
        AUTHORIZATION = "authorization", _("授权委托书")
        EVIDENCE = "evidence", _("证明材料")

    claim = models.ForeignKey(
        EnterpriseClaim,
        verbose_name=_("企业认领"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    fact_change = models.ForeignKey(
        FactChangeRequest,
        verbose_name=_("认定事实变更申请"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("材料类别"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="verification/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核验材料")
        verbose_name_plural = _("核验材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim__isnull=False, fact_change__isnull=True)
                | models.Q(claim__isnull=True, fact_change__isnull=False),
                name="verification_document_of_one",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class FactImport(models.Model):
    """部门数据导入 one file of department data (e.g. 统计部门的规上企业名录) read by `facts_import`: where it
    comes from and the date it speaks for, so that each fact it set can name its source."""

    source = models.CharField(_("数据来源"), max_length=200)
    source_date = models.DateField(_("数据日期"))
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    applied = models.PositiveIntegerField(_("已更新企业数"), default=0)
    unknown = models.PositiveIntegerField(_("未登记的代码数"), default=0)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("部门数据导入")
        verbose_name_plural = _("部门数据导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source}（{self.source_date}）"


class FactRecord(models.Model):
    """How one eligibility fact of an enterprise was established: the value it was verified with, by the
    bureau, by imported department data, or as the enterprise's own statement. The fact counts as
    verified only while the enterprise's value is still the recorded one."""

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="fact_records", verbose_name=_("企业")
    )
    fact = models.CharField(_("认定事实"), max_length=30, choices=EligibilityFact.choices)
    value = models.CharField(_("核验值"), max_length=40)
    source = models.CharField(_("核验方式"), max_length=20, choices=FactSource.choices)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    fact_import = models.ForeignKey(
        FactImport, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("部门数据导入")
    )
    fact_change = models.ForeignKey(
        FactChangeRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("变更申请"),
    )

    class Meta:
        verbose_name = _("认定事实核验记录")
        verbose_name_plural = _("认定事实核验记录")
        constraints = [models.UniqueConstraint(fields=["enterprise", "fact"], name="fact_record_once")]

    def __str__(self) -> str:
        return f"{self.get_fact_display()}：{self.value_label()}（{self.get_source_display()}）"

    def value_label(self) -> str:
        """The recorded value as people read it ("True" → 是, "huangpu" → the district's name)."""
        field = self._meta.get_field("enterprise").related_model._meta.get_field(self.fact)
        if field.get_internal_type() == "BooleanField":
            return str({"True": _("是"), "False": _("否"), "None": _("未填")}.get(self.value, self.value))
        return str(dict(field.flatchoices).get(self.value, self.value))
