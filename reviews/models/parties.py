"""合作方确认 the other party of a two-party award confirms its part in its own account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vouchers.calculator.spec import LINE_LABELS


class PartyConfirmation(models.Model):
    """One award line's enterprise that is not the applicant (th-scenario-demo's buyer, or either
    party when a third enterprise applies) confirms, signed in as its own member, that it is that
    party of the project. Until it has, that line cannot be approved (reviews.services.decisions).
    The row names the enterprise it was given by: a line that names another enterprise later needs
    that one's own confirmation."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="party_confirmations", verbose_name=_("申报")
    )
    line = models.CharField(_("奖励对象"), max_length=10)
    enterprise = models.ForeignKey(
        "applications.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("确认企业")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作方确认")
        verbose_name_plural = _("合作方确认")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "line", "enterprise"], name="party_confirmation_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{LINE_LABELS.get(self.line, self.line)} {self.enterprise_id}"
