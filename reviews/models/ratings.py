"""好差评 the enterprise's rating of the service once its application has ended (approved, declined
or withdrawn), as the national 政务服务"好差评" system asks: 1–5 and a comment, once per application."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceRating(models.Model):
    class Step(models.TextChoices):
        OVERALL = "overall", _("整体服务")
        FORMAL_REVIEW = "formal_review", _("形式审查")
        SUPPLEMENT = "supplement", _("补正材料")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        BUREAU_REVIEW = "bureau_review", _("实质审核")
        NOTICE = "notice", _("公示")
        PAYMENT = "payment", _("兑付")

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="service_rating", verbose_name=_("申报")
    )
    score = models.PositiveSmallIntegerField(_("评分"))
    step = models.CharField(_("评价环节"), max_length=20, choices=Step.choices, default=Step.OVERALL)
    comment = models.TextField(_("评价意见"), max_length=1000, blank=True)
    outcome = models.CharField(_("办结结果"), max_length=30)  # the application's state when rated
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价人")
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="service_rating_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.score}"
