"""Issued vouchers (算力券) and their redemption by compute service providers in the district."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .budget import MONEY, Award
from .catalogue import Programme


class ComputeProvider(models.Model):
    """算力服务商 a compute service provider of the district's catalogue, kept by administrators.
    Only providers in the catalogue, within their dates, may redeem vouchers."""

    name = models.CharField(_("服务商名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    services = models.TextField(_("服务内容"), help_text=_("如：智能算力租赁、模型云部署、API调用服务。"))
    district = models.CharField(_("所在区域"), max_length=40, default="黄埔区/广州开发区")
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    valid_from = models.DateField(_("入库日期"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("算力服务商")
        verbose_name_plural = _("算力服务商")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="provider_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def in_catalogue_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ProviderMember(models.Model):
    """A provider's user (Role.PROVIDER), linked by an administrator."""

    provider = models.ForeignKey(
        ComputeProvider, on_delete=models.CASCADE, related_name="members", verbose_name=_("服务商")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership", verbose_name=_("用户")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务商用户")
        verbose_name_plural = _("服务商用户")

    def __str__(self) -> str:
        return f"{self.provider} · {self.user}"


class ProviderRelation(models.Model):
    """关联关系 a declared relation between a provider and an enterprise (shareholding, common
    control…). A related provider may not redeem the enterprise's vouchers."""

    class Kind(models.TextChoices):
        SHAREHOLDING = "shareholding", _("股权关联")
        CONTROL = "control", _("同一实际控制人")
        MANAGEMENT = "management", _("高管交叉任职")
        OTHER = "other", _("其他关联")

    provider = models.ForeignKey(
        ComputeProvider, on_delete=models.CASCADE, related_name="relations", verbose_name=_("服务商")
    )
    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("关联企业")
    )
    kind = models.CharField(_("关联类型"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关联关系")
        verbose_name_plural = _("关联关系")
        constraints = [models.UniqueConstraint(fields=["provider", "enterprise"], name="relation_once")]

    def __str__(self) -> str:
        return f"{self.provider} ↔ {self.enterprise_id}（{self.get_kind_display()}）"


class Voucher(models.Model):
    """算力券 a voucher issued on final approval of a voucher programme: face value = the award,
    bound to the enterprise (non-transferable), valid for a number of months. The balance is moved
    only by conditional updates; the constraints refuse a negative balance as the backstop."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")

    code = models.CharField(_("券码"), max_length=24, unique=True)
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="voucher", verbose_name=_("核定奖励"))
    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("持券企业")
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("申报项目"), on_delete=models.PROTECT, related_name="vouchers"
    )
    face_value = models.DecimalField(_("券面金额"), **MONEY)
    balance = models.DecimalField(_("可用余额"), **MONEY)
    issued_on = models.DateField(_("发放日期"))
    expires_on = models.DateField(_("有效期至"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    expired_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    released_amount = models.DecimalField(_("到期释放金额"), default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("算力券")
        verbose_name_plural = _("算力券")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="voucher_face_value_positive"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="voucher_balance_not_negative"),
            models.CheckConstraint(condition=Q(balance__lte=F("face_value")), name="voucher_balance_within_face"),
            models.CheckConstraint(condition=Q(released_amount__gte=0), name="voucher_released_not_negative"),
            models.CheckConstraint(condition=Q(expires_on__gte=F("issued_on")), name="voucher_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return self.code


class Redemption(models.Model):
    """核销 a provider's redemption of part of a voucher against an invoice. The amount leaves the
    balance at once; the enterprise confirms it (then it is settled with the provider) or disputes
    it (then the amount returns to the voucher)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待企业确认")
        CONFIRMED = "confirmed", _("已确认")
        DISPUTED = "disputed", _("企业有异议")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("算力券"))
    provider = models.ForeignKey(
        ComputeProvider, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("服务商")
    )
    invoice_number = models.CharField(_("发票号码"), max_length=40)
    invoice_date = models.DateField(_("开票日期"))
    amount = models.DecimalField(_("核销金额"), **MONEY)
    invoice_file = models.FileField(_("发票文件"), upload_to="invoices/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    dispute_reason = models.CharField(_("异议理由"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("核销时间"), auto_now_add=True, db_index=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("核销记录")
        verbose_name_plural = _("核销记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_amount_positive"),
            # An invoice redeems once; a disputed (voided) redemption frees its number.
            models.UniqueConstraint(
                fields=["provider", "invoice_number"], condition=~Q(status="disputed"), name="redemption_invoice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.invoice_number} {self.amount}"
