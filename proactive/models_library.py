"""资料库 the enterprise's document library (快申快享): files kept once by material kind with a validity
end, copied into any application's material of the same kind while valid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LibraryMaterial(models.TextChoices):
    """The kinds a library keeps; the values are the catalogue's material codes, so that a document is
    offered to every application whose checklist names its kind (proactive.library_rules says how long
    each stays valid)."""

    BUSINESS_LICENSE = "business_license", _("营业执照")
    CREDIT_COMMITMENT = "credit_commitment", _("信用承诺书")
    AUDIT_REPORT = "audit_report", _("审计报告")
    TAX_CERTIFICATE = "tax_certificate", _("纳税证明")
    STATISTICS_PROOF = "statistics_proof", _("纳入规模以上统计证明")
    FILING_CERTIFICATE = "filing_certificate", _("深度合成服务算法备案证明")


class LibraryDocument(models.Model):
    """One file of the library. The current one of a kind (and year, for those kept by year) is the one
    not replaced or removed; an application gets its own copy, so removing or replacing a library file
    never touches what an application holds."""

    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.CASCADE, related_name="library_documents", verbose_name=_("企业")
    )
    material = models.CharField(_("材料类别"), max_length=40, choices=LibraryMaterial.choices)
    year = models.PositiveSmallIntegerField(_("所属年度"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)  # None: no end (until replaced)
    file = models.FileField(_("文件"), upload_to="library/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业资料库文件")
        verbose_name_plural = _("企业资料库文件")
        ordering = ["material", "-year", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "material"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.material} {self.original_name}"
