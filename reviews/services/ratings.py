"""好差评 writes: the enterprise rates the service of an application that has ended."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applications.models import Application, EnterpriseMember
from applications.workflow import TERMINAL
from portal.audit import audit_record
from portal.permissions import may_rate_service
from reviews.models import ServiceRating


def rating_allowed(*, actor, application: Application) -> bool:
    user_id = getattr(actor, "pk", None)
    member = (
        user_id is not None
        and EnterpriseMember.objects.filter(user_id=user_id, enterprise_id=application.enterprise_id).exists()
    )
    return may_rate_service(actor, member_of_applicant=member, ended=application.state in TERMINAL)


def rating_submit(
    *,
    actor,
    application: Application,
    score: int,
    comment: str = "",
    step: str = ServiceRating.Step.OVERALL,
    ip: str | None = None,
) -> ServiceRating:
    """Record the enterprise's rating (1–5, a comment, the step it concerns); once per application."""
    if score not in range(1, 6):
        raise ValidationError({"score": _("请选择1至5分。")})
    if step not in ServiceRating.Step.values:
        raise ValidationError({"step": _("请选择评价环节。")})
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if not rating_allowed(actor=actor, application=app):
            raise PermissionDenied(_("只有申报单位可以在办结后评价。"))
        if ServiceRating.objects.filter(application=app).exists():
            raise ValidationError(_("该申报已评价，不能重复评价。"))
        try:
            with transaction.atomic():
                rating = ServiceRating.objects.create(
                    application=app,
                    score=score,
                    step=step,
                    comment=(comment or "").strip(),
                    outcome=app.state,
                    rated_by=actor,
                )
        except IntegrityError:
            raise ValidationError(_("该申报已评价，不能重复评价。")) from None
        audit_record(
            actor=actor,
            action="rating.submit",
            target=rating,
            ip=ip,
            after={"application": app.reference, "score": score, "step": step},
        )
    return rating
