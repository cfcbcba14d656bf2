"""补正 returns for supplement: what the reviewer asked the applicant to supply or correct, each item,
its deadlines and when it was answered. The application owns them: the reviewer side records a
return through `applications.services.supplement_request_record` inside its transition, the
applicant answers by resubmitting, and every reader (the applicant's pages and API, the timeline,
the deadline clock, the 补正通知书) reads these rows, not the timeline's event data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The answer key of the request's own note (its 说明 as a whole), beside the items' codes.
GENERAL_ANSWER = "general"


class SupplementRequest(models.Model):
    """补正通知 a return for supplement that lists every missing item at once (一次性告知)."""

    application = models.ForeignKey(
        "Application", on_delete=models.CASCADE, related_name="supplement_requests", verbose_name=_("申报")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(_("退回时间"), auto_now_add=True)
    due_date = models.DateField(_("补正截止日期"))
    review_due_date = models.DateField(
        _("应告知期限"), null=True, blank=True, help_text=_("提交后5个工作日内须一次性告知。")
    )
    note = models.TextField(_("说明"), blank=True)
    answered_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正通知")
        verbose_name_plural = _("补正通知")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} 补正 {timezone.localtime(self.created_at):%Y-%m-%d}"


class SupplementItem(models.Model):
    """One item to supplement: a missing material of the checklist or another point to correct."""

    request = models.ForeignKey(
        SupplementRequest, verbose_name=_("补正通知"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("材料/事项代码"), max_length=40)
    label = models.CharField(_("材料/事项"), max_length=200)
    note = models.CharField(_("补正要求"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("补正事项")
        verbose_name_plural = _("补正事项")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "code"], name="supplement_item_once")]

    def __str__(self) -> str:
        return self.label
