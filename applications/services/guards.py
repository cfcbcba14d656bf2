"""Who may act on an application and whether it may still change: checks shared by the applicant's services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import (
    Application,
)
from ..workflow import APPLICANT, EDITABLE_BY_APPLICANT
from .transitions import TransitionRefused, actor_kinds

# ---------------------------------------------------------------- the applicant's journey


def require_applicant(actor, app: Application) -> None:
    if APPLICANT not in actor_kinds(actor=actor, application=app):
        raise PermissionDenied(_("只有本企业的成员可以办理该申报。"))


def require_editable(app: Application) -> None:
    if app.state not in EDITABLE_BY_APPLICANT:
        raise TransitionRefused(
            _("申报 %(ref)s 当前状态为“%(state)s”，不能修改。")
            % {"ref": app.reference, "state": app.get_state_display()}
        )


def require_applicant_of(actor, application: Application | int) -> None:
    """Refuse a non-member before anything else (the transition checks again under the row lock)."""
    app = application if isinstance(application, Application) else Application.objects.filter(pk=application).first()
    if app is None:
        raise PermissionDenied(_("只有本企业的成员可以办理该申报。"))
    require_applicant(actor, app)
