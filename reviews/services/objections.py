"""异议 objections to a public notice (公示): anyone may lodge a named objection during the period; an
administrator resolves each with a reason; an upheld objection declines that award (notice_uphold), a
dismissed one lets it become final once the period is over. The notice itself, its period and the
finalising of awards are notices.py's."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import application_lock, application_transition, timeline_add, transition_check
from applications.workflow import EventAction, State
from portal.audit import audit_record
from portal.limits import length_problem
from portal.models import Role, User
from portal.notifications import notify_enterprise, notify_users
from portal.permissions import require_district

from ..letters.services import letter_create
from ..models import Decision, Objection, PublicNotice, PublicNoticeEntry
from .common import applicant_link, district_of, due_after, link, portal_language, require_admin, today
from .decisions import record_decline, release_awards
from .notices import finalize_if_clear, notice_entries_withdraw, notice_period_over

PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")


def objection_lodge(
    *,
    notice: PublicNotice | int,
    application_id: int,
    objector_kind: str,
    objector_name: str,
    contact_phone: str,
    content: str,
    contact_email: str = "",
    objector_id_number: str = "",
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Objection:
    """提出异议 anyone (no login) lodges a named objection against one listed award, during the period."""
    errors: dict[str, str] = {}
    if objector_kind not in Objection.ObjectorKind.values:
        errors["objector_kind"] = _("请选择以个人或单位名义提出。")
    if not (objector_name or "").strip():
        errors["objector_name"] = _("异议须署名：请填写姓名或单位名称。")
    if not PHONE.match((contact_phone or "").strip()):
        errors["contact_phone"] = _("请填写有效的联系电话，以便核实。")
    if contact_email:
        try:
            validate_email(contact_email.strip())
        except ValidationError:
            errors["contact_email"] = _("请输入有效的电子邮箱。")
    if len((content or "").strip()) < 10:
        errors["content"] = _("请写明异议的事实和理由（至少10个字）。")
    for field, value in (
        ("objector_name", objector_name),
        ("objector_id_number", objector_id_number),
        ("content", content),
    ):
        too_long = length_problem((value or "").strip(), model=Objection, field=field)
        if too_long and field not in errors:
            errors[field] = too_long
    if errors:
        raise ValidationError(errors)
    pk = notice.pk if isinstance(notice, PublicNotice) else notice
    with transaction.atomic():
        n = PublicNotice.objects.select_for_update().filter(pk=pk).first()
        if n is None:
            raise ValidationError(_("公示不存在。"))
        if n.status != PublicNotice.Status.OPEN or notice_period_over(n, now):
            raise ValidationError(_("公示期已于 %(end)s 结束，不再受理异议。") % {"end": n.ends_on.isoformat()})
        entry = n.entries.filter(application_id=application_id, status=PublicNoticeEntry.Status.LISTED).first()
        if entry is None:
            raise ValidationError({"application": _("请选择本公示中所列的项目。")})
        day = timezone.localdate(now or timezone.now())
        objection = Objection.objects.create(
            notice=n,
            application_id=application_id,
            objector_kind=objector_kind,
            objector_name=objector_name.strip(),
            objector_id_number=(objector_id_number or "").strip(),
            contact_phone=contact_phone.strip(),
            contact_email=(contact_email or "").strip(),
            content=content.strip(),
            submitted_ip=ip,
            due_date=due_after("objection", day),
        )
        audit_record(
            actor=None,
            action="review.objection_lodge",
            target=objection,
            ip=ip,
            after={"notice": n.pk, "application": application_id},
            note=_("公众异议"),
        )
        timeline_add(
            application=entry.application,
            actor=None,
            action=EventAction.OBJECTION,
            message=_("公示期内收到异议，正在核查。"),
            visible_to_applicant=False,
        )
        admins = list(
            User.objects.filter(
                role__in=[Role.BUREAU_ADMIN], is_active=True, district=district_of(entry.application)
            ).values_list("pk", flat=True)
        )
        notify_users(
            user_ids=admins,
            kind="public_notice",
            subject=_("公示异议：%(title)s") % {"title": n.title},
            body=_("“%(title)s”收到一件异议，请于 %(due)s 前核查并作出处理。")
            % {"title": n.title, "due": objection.due_date.isoformat()},
            link=link("reviews:objection", objection.pk),
            dedupe_key=f"objection:{objection.pk}",
        )
    return objection


def objection_resolve(
    *, actor, objection: Objection | int, upheld: bool, reason: str, ip: str | None = None
) -> Objection:
    """核查异议: upheld → that award is declined and its budget released (uphold_objection);
    dismissed → the award stands. Either needs a reason."""
    require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明核查意见和理由。")})
    pk = objection.pk if isinstance(objection, Objection) else objection
    with transaction.atomic():
        obj = Objection.objects.select_for_update().select_related("notice").filter(pk=pk).first()
        if obj is None:
            raise ValidationError(_("异议不存在。"))
        require_district(actor, obj.notice.programme.policy.district)
        if obj.status != Objection.Status.OPEN:
            raise ValidationError(_("该异议已处理（%(status)s）。") % {"status": obj.get_status_display()})
        obj.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        obj.resolution, obj.resolved_by, obj.resolved_at = reason, actor, timezone.now()
        obj.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            actor=actor, action="review.objection_resolve", target=obj, ip=ip, after={"status": obj.status}, note=reason
        )
        if upheld:
            app = Application.objects.get(pk=obj.application_id)
            if app.state == State.IN_PUBLIC_NOTICE:
                notice_uphold(actor=actor, application=app, reason=reason, ip=ip)
            Objection.objects.filter(application_id=obj.application_id, status=Objection.Status.OPEN).update(
                status=Objection.Status.UPHELD,
                resolution=_("同一项目的其他异议已成立：%(r)s") % {"r": reason},
                resolved_by=actor,
                resolved_at=timezone.now(),
            )
        elif notice_period_over(obj.notice):
            finalize_if_clear(application_id=obj.application_id)
    return obj


def notice_uphold(*, actor, application: Application | int, reason: str, ip: str | None = None) -> Decision:
    """异议成立: the award is declined, its budget released, its notice line withdrawn, the 不予支持通知
    made. Reads top to bottom: lock, check, write, one transition."""
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition=EventAction.UPHOLD_OBJECTION)
        because = _("公示异议成立：%(r)s") % {"r": reason}
        release_awards(actor=actor, app=app, reason=because)
        decision = record_decline(actor=actor, app=app, reason=because, on=today())
        notice_entries_withdraw(application=app)
        letter_create(application=app, kind="decline", actor=actor, context={"reason": decision.reason})  # 不予支持通知
        application_transition(
            actor=actor,
            application=app,
            transition=EventAction.UPHOLD_OBJECTION,
            message=reason,
            ip=ip,
            data={"outcome": "decline", "reason": reason},
            due_date=None,
        )
        transaction.on_commit(lambda: _tell_upheld(app, decision, reason))
    return decision


def _tell_upheld(app: Application, decision: Decision, reason: str) -> None:
    with portal_language():
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind="decision",
            subject=_("审核结果：申报 %(ref)s 公示异议成立，不予支持") % {"ref": app.reference},
            body=_("您的申报 %(ref)s 在公示期间收到的异议经核查成立，不予支持。理由：%(r)s")
            % {"ref": app.reference, "r": reason},
            link=applicant_link(app),
            dedupe_key=f"decision:{decision.pk}",
        )
