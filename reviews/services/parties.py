"""合作方确认 two-party awards (th-scenario-demo, 培育措施 3): the award line of an enterprise other
than the applicant (the buyer, when the supplier applies) is that enterprise's, so it confirms, signed
in to its own account, that it is that party of the project; until it has, the bureau cannot approve
that line (decisions.approval_check). The parties are told to confirm when formal review passes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import enterprise_of
from applications.services import timeline_add
from applications.workflow import EventAction, State
from portal.audit import audit_record
from portal.models import Notification, Role
from portal.notifications import notify_enterprise

from ..models import PartyConfirmation
from ..selectors import line_enterprises, line_label
from .common import applicant_link

# While the bureau has not decided: the states in which a party may still confirm.
CONFIRMABLE = (
    State.SUBMITTED,
    State.FORMAL_REVIEW,
    State.SUPPLEMENT_REQUESTED,
    State.EXPERT_REVIEW,
    State.BUREAU_REVIEW,
)


def party_line_of(application: Application, enterprise) -> str | None:
    """The award line `enterprise` holds in the application as a party other than the applicant."""
    if enterprise is None or enterprise.pk == application.enterprise_id:
        return None
    return next(
        (line for line, e in line_enterprises(application).items() if line and e is not None and e.pk == enterprise.pk),
        None,
    )


def party_confirm(*, actor, application: Application | int, ip: str | None = None) -> PartyConfirmation:
    """确认参与 a member of the named party (owner or agent) confirms its part of the project. Once per
    party; only while the bureau has not decided. Audited, on the application's timeline, and the
    applicant is told."""
    enterprise = enterprise_of(actor) if getattr(actor, "role", None) == Role.ENTERPRISE and actor.is_active else None
    if enterprise is None:
        raise PermissionDenied(_("仅合作方企业的用户可以确认。"))
    pk = application.pk if isinstance(application, Application) else int(application)
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("programme", "enterprise").filter(pk=pk).first()
        line = party_line_of(app, enterprise) if app is not None else None
        if app is None or line is None:
            raise PermissionDenied(_("贵单位不是该申报所列的合作方。"))
        if app.state not in CONFIRMABLE:
            raise ValidationError(
                _("申报 %(ref)s 当前状态为“%(state)s”，已不能确认。")
                % {"ref": app.reference, "state": app.get_state_display()}
            )
        if PartyConfirmation.objects.filter(application=app, line=line, enterprise=enterprise).exists():
            raise ValidationError(_("贵单位已确认参与该项目，无需重复确认。"))
        row = PartyConfirmation.objects.create(application=app, line=line, enterprise=enterprise, confirmed_by=actor)
        who = line_label(line)
        audit_record(
            actor=actor,
            action="party.confirm",
            target=row,
            ip=ip,
            after={"application": app.reference, "line": line, "enterprise": enterprise.credit_code},
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.PARTY_CONFIRM,
            message=_("%(who)s %(name)s 已在平台确认参与本项目。") % {"who": who, "name": enterprise.name},
        )
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind=Notification.Kind.REMINDER,
            subject=_("合作方已确认：申报 %(ref)s") % {"ref": app.reference},
            body=_("%(who)s %(name)s 已在平台确认参与您的申报 %(ref)s。")
            % {"who": who, "name": enterprise.name, "ref": app.reference},
            link=applicant_link(app),
            dedupe_key=f"party-confirmed:{row.pk}",
        )
    return row


def parties_ask_to_confirm(application: Application) -> None:
    """Tell each party other than the applicant to confirm (once per application and line); call it
    inside the transaction that moves the application on (notify_enterprise sends after commit)."""
    confirmed = set(PartyConfirmation.objects.filter(application=application).values_list("line", "enterprise_id"))
    for line, enterprise in line_enterprises(application).items():
        if (
            not line
            or enterprise is None
            or enterprise.pk == application.enterprise_id
            or (line, enterprise.pk) in confirmed
        ):
            continue
        notify_enterprise(
            enterprise_id=enterprise.pk,
            kind=Notification.Kind.REMINDER,
            subject=_("请确认参与项目：%(programme)s") % {"programme": application.programme.name_zh},
            body=_(
                "%(applicant)s 申报的“%(title)s”（%(programme)s，编号 %(ref)s）列贵单位为%(who)s。"
                "请登录平台在“合作项目”中确认参与；确认前，主管部门不能核定贵单位的奖励。"
            )
            % {
                "applicant": application.enterprise.name,
                "title": application.title,
                "programme": application.programme.name_zh,
                "ref": application.reference,
                "who": line_label(line),
            },
            link=reverse("reviews:party_list"),
            dedupe_key=f"party:{application.pk}:{line}",
        )
