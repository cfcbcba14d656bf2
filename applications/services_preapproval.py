"""事前同意 pre-approvals, the first of th-events' two steps (培育措施 10: 事前经天河区科工信局同意支持).

An enterprise asks before the event (plan, budget, date); the bureau approves or refuses, also before
the event; the claim after the event names an approved one (Application.preapproval), which is
checked when the claim is submitted: approved, of the same enterprise and programme, dated before
the event, the event held, and no other live claim resting on it. Writes follow the services' rules:
keyword-only, one transaction, the actor checked, the audit row in the same transaction,
notifications after commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification, Role, User
from portal.notifications import notify_enterprise, notify_users
from portal.permissions import require_district
from vouchers.calculator import Estimate
from vouchers.models import Programme
from vouchers.services.budget import money

from .models import Application, PreApproval, PreApprovalSequence
from .selectors import enterprise_of
from .selectors_preapproval import is_bureau, preapproval_claims, preapproval_get_for_actor, requires_preapproval

ZERO = Decimal("0.00")
TEXT_LIMITS = {"event_name": 200, "venue": 200, "plan": 10000, "reason": 2000}


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def preapproval_reference_next(*, on: dt.date | None = None) -> str:
    """The next pre-approval reference of the year, SQ2026-000123 (its own series). Call inside a
    transaction: the year's counter row stays locked until it commits."""
    year = (on or timezone.localdate()).year
    seq, _created = PreApprovalSequence.objects.select_for_update().get_or_create(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"SQ{year}-{seq.last:06d}"


def _text(errors: dict[str, str], field: str, value: Any, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = _("请填写%(label)s。") % {"label": label}
    elif len(text) > TEXT_LIMITS[field]:
        errors[field] = _("%(label)s最多 %(n)d 个字符（当前 %(m)d 个）。") % {
            "label": label,
            "n": TEXT_LIMITS[field],
            "m": len(text),
        }
    return text


# ---------------------------------------------------------------- the enterprise's request


def preapproval_request(
    *,
    actor,
    programme: Programme,
    event_name: str,
    event_date: dt.date,
    venue: str,
    plan: str,
    budget: Any,
    ip: str | None = None,
) -> PreApproval:
    """申请事前同意: a member of an enterprise asks, before the event, for the bureau's consent to a
    programme that requires it; the administrators are told after commit."""
    enterprise = enterprise_of(actor)
    if enterprise is None or actor.role != Role.ENTERPRISE or not actor.is_active:
        raise PermissionDenied(_("只有企业用户（本企业的法人/负责人或经办人）可以申请事前同意。"))
    errors: dict[str, str] = {}
    if not requires_preapproval(programme):
        errors["programme"] = _("“%(p)s”无需事前同意。") % {"p": programme.name_zh}
    name = _text(errors, "event_name", event_name, _("活动名称"))
    place = _text(errors, "venue", venue, _("举办地点"))
    text = _text(errors, "plan", plan, _("活动方案"))
    try:
        amount = money(budget, field="budget")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        amount = ZERO
    today = timezone.localdate()
    policy = programme.policy
    if not isinstance(event_date, dt.date):
        errors["event_date"] = _("请填写活动日期。")
    elif event_date <= today:
        errors["event_date"] = _("事前同意须在活动举办前申请：活动日期须晚于今天（%(d)s）。") % {"d": today.isoformat()}
    elif not policy.valid_from <= event_date <= policy.valid_to:
        errors["event_date"] = _("活动日期须在政策有效期内（%(f)s 至 %(t)s）。") % {
            "f": policy.valid_from.isoformat(),
            "t": policy.valid_to.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        preapproval = PreApproval.objects.create(
            reference=preapproval_reference_next(on=today),
            enterprise=enterprise,
            programme=programme,
            event_name=name,
            event_date=event_date,
            venue=place,
            plan=text,
            budget=amount,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="preapproval.request",
            target=preapproval,
            ip=ip,
            after={
                "reference": preapproval.reference,
                "programme": programme.code,
                "event_name": name,
                "event_date": event_date.isoformat(),
                "venue": place,
                "budget": str(amount),
            },
        )
        admins = User.objects.filter(
            role__in=(Role.BUREAU_ADMIN,), is_active=True, district=programme.policy.district
        ).values_list("pk", flat=True)
        with translation.override(settings.LANGUAGE_CODE):  # a record others read later: the portal's language
            notify_users(
                user_ids=list(admins),
                kind=Notification.Kind.REMINDER,
                subject=_("事前同意申请待审核：%(ref)s") % {"ref": preapproval.reference},
                body=_(
                    "%(ent)s申请对“%(name)s”（%(p)s，活动日期 %(date)s，预算 %(budget)s 元）给予事前同意，"
                    "请在活动举办前审核。"
                )
                % {
                    "ent": enterprise.name,
                    "name": name,
                    "p": programme.name_zh,
                    "date": event_date.isoformat(),
                    "budget": f"{amount:,}",
                },
                link=_link("reviews:preapproval_decide", preapproval.pk),
                dedupe_key=f"preapproval:{preapproval.pk}:request",
            )
    return preapproval


def _lock(preapproval: PreApproval | int) -> PreApproval:
    pk = preapproval.pk if isinstance(preapproval, PreApproval) else preapproval
    return PreApproval.objects.select_for_update().select_related("enterprise", "programme").get(pk=pk)


def preapproval_withdraw(
    *, actor, preapproval: PreApproval | int, reason: str = "", ip: str | None = None
) -> PreApproval:
    """撤回 a request still pending, or an approval no live claim rests on (the event is cancelled)."""
    with transaction.atomic():
        p = _lock(preapproval)
        membership = getattr(actor, "membership", None) if getattr(actor, "is_authenticated", False) else None
        if (
            membership is None
            or membership.enterprise_id != p.enterprise_id
            or actor.role != Role.ENTERPRISE
            or not actor.is_active
        ):
            raise PermissionDenied(_("只有本企业的成员可以撤回该事前同意申请。"))
        if p.state not in (PreApproval.State.PENDING, PreApproval.State.APPROVED):
            raise ValidationError(
                _("事前申请 %(ref)s 当前状态为“%(s)s”，不能撤回。") % {"ref": p.reference, "s": p.get_state_display()}
            )
        held = preapproval_claims(p).first()
        if held is not None:
            raise ValidationError(
                _("事前同意 %(ref)s 已用于申报 %(app)s，不能撤回。") % {"ref": p.reference, "app": held.reference}
            )
        before = p.state
        p.state = PreApproval.State.WITHDRAWN
        p.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="preapproval.withdraw",
            target=p,
            ip=ip,
            before={"state": before},
            after={"state": p.state},
            note=(reason or "").strip(),
        )
    return p


# ---------------------------------------------------------------- the bureau's decision


def preapproval_decide(
    *, actor, preapproval: PreApproval | int, approve: bool, reason: str = "", ip: str | None = None
) -> PreApproval:
    """同意 or 不予同意 by a reviewer or administrator of the bureau, before the event (事前); a refusal
    gives its reason. The decision date (decided_on) is today; the enterprise is told after commit."""
    if not is_bureau(actor):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以审核事前同意申请。"))
    reason = (reason or "").strip()
    with transaction.atomic():
        p = _lock(preapproval)
        require_district(actor, p.programme.policy.district)
        today = timezone.localdate()
        if p.state != PreApproval.State.PENDING:
            raise ValidationError(
                _("事前申请 %(ref)s 当前状态为“%(s)s”，不能再审核。") % {"ref": p.reference, "s": p.get_state_display()}
            )
        if today >= p.event_date:
            raise ValidationError(
                _("活动日期（%(d)s）已到，事前同意须在活动举办前作出，不能再审核。") % {"d": p.event_date.isoformat()}
            )
        if not approve and not reason:
            raise ValidationError({"reason": _("不予同意须说明理由。")})
        if len(reason) > TEXT_LIMITS["reason"]:
            raise ValidationError({"reason": _("意见最多 %(n)d 个字符。") % {"n": TEXT_LIMITS["reason"]}})
        p.state = PreApproval.State.APPROVED if approve else PreApproval.State.REFUSED
        p.decided_by, p.decided_on, p.decided_at, p.reason = actor, today, timezone.now(), reason
        p.save(update_fields=["state", "decided_by", "decided_on", "decided_at", "reason"])
        audit_record(
            actor=actor,
            action="preapproval.approve" if approve else "preapproval.refuse",
            target=p,
            ip=ip,
            before={"state": PreApproval.State.PENDING},
            after={"state": p.state, "decided_on": today.isoformat()},
            note=reason,
        )
        with translation.override(settings.LANGUAGE_CODE):
            if approve:
                subject = _("事前同意：%(ref)s 已获同意") % {"ref": p.reference}
                body = _(
                    "贵单位申请的“%(name)s”（活动日期 %(date)s）已于 %(on)s 获天河区科工信局事前同意。"
                    "活动举办后，可在申报时选择该事前同意（%(ref)s）申请奖励。%(reason)s"
                )
            else:
                subject = _("事前同意：%(ref)s 不予同意") % {"ref": p.reference}
                body = _("贵单位申请的“%(name)s”（活动日期 %(date)s）于 %(on)s 经审核不予同意。%(reason)s")
            notify_enterprise(
                enterprise_id=p.enterprise_id,
                kind=Notification.Kind.DECISION,
                subject=subject,
                body=body
                % {
                    "name": p.event_name,
                    "date": p.event_date.isoformat(),
                    "on": today.isoformat(),
                    "ref": p.reference,
                    "reason": (_("意见：%(r)s") % {"r": reason}) if reason else "",
                },
                link=_link("applications:preapproval_detail", p.pk),
                dedupe_key=f"preapproval:{p.pk}:decision",
            )
    return p


# ---------------------------------------------------------------- the claim after the event


def preapproval_choose(*, actor, application: Application, value: Any) -> str:
    """Name (or, with an empty value, clear) the pre-approval a draft claim rests on; call with the
    application locked and the actor checked (application_save_draft). Returns the reason it cannot
    be named ("" when named); another enterprise's pre-approval is not found (Http404)."""
    if value is None or str(value).strip() in ("", "0"):
        application.preapproval = None
        return ""
    if not requires_preapproval(application.programme):
        return _("本项目无需事前同意。")
    try:
        pk = int(str(value).strip())
    except ValueError:
        return _("请选择有效的事前同意。")
    if not 0 < pk < 2**63:
        return _("请选择有效的事前同意。")
    p = preapproval_get_for_actor(actor=actor, pk=pk)
    if p.enterprise_id != application.enterprise_id or p.programme_id != application.programme_id:
        return _("所选事前同意不属于本企业的本项目。")
    if p.state != PreApproval.State.APPROVED:
        return _("事前申请 %(ref)s 当前状态为“%(s)s”，未获同意，不能据以申报。") % {
            "ref": p.reference,
            "s": p.get_state_display(),
        }
    other = preapproval_claims(p, exclude=application.pk).first()
    if other is not None:
        return _("已被其他申报使用：事前同意 %(ref)s 已用于申报 %(app)s。") % {
            "ref": p.reference,
            "app": other.reference,
        }
    application.preapproval = p
    return ""


def preapproval_lock(application: Application) -> None:
    """Lock the pre-approval the claim names (inside the submit transaction), so that two claims
    cannot both be submitted on it, nor the approval withdrawn meanwhile."""
    if application.preapproval_id:
        application.preapproval = PreApproval.objects.select_for_update().get(pk=application.preapproval_id)


def _approval_problem(application: Application) -> str:
    """Why the named pre-approval is no 事前同意 for this claim ("" when it is one)."""
    p = application.preapproval
    if p is None:
        return _(
            "无事前同意：本项目须事前经天河区科工信局同意支持，请选择活动举办前已获同意的事前申请"
            "（可在“事前同意”中申请）。"
        )
    if p.enterprise_id != application.enterprise_id or p.programme_id != application.programme_id:
        return _("无事前同意：所选事前同意不属于本企业的本项目。")
    if p.state != PreApproval.State.APPROVED:
        return _("无事前同意：事前申请 %(ref)s 当前状态为“%(s)s”。") % {"ref": p.reference, "s": p.get_state_display()}
    if p.decided_on is None or p.decided_on >= p.event_date:
        return _(
            "同意日期不早于活动日期：事前申请 %(ref)s 的同意日期为 %(on)s，活动日期为 %(date)s，不属于事前同意。"
        ) % {
            "ref": p.reference,
            "on": p.decided_on.isoformat() if p.decided_on else "—",
            "date": p.event_date.isoformat(),
        }
    return ""


def preapproval_problems(application: Application) -> dict[str, str]:
    """What keeps a claim under a programme requiring 事前同意 from being submitted (the field
    `preapproval`), with the reason named: 无事前同意, 同意日期不早于活动日期, 活动尚未举办, 已被其他申报使用."""
    if not requires_preapproval(application.programme):
        return {}
    problem = _approval_problem(application)
    if problem:
        return {"preapproval": problem}
    p = application.preapproval
    assert p is not None  # _approval_problem says so
    problems = []
    today = timezone.localdate()
    if today < p.event_date:
        problems.append(
            _("活动尚未举办：活动日期为 %(date)s，请于活动举办后再提交申报。") % {"date": p.event_date.isoformat()}
        )
    other = preapproval_claims(p, exclude=application.pk).first()
    if other is not None:
        problems.append(
            _("已被其他申报使用：事前同意 %(ref)s 已用于申报 %(app)s，一项事前同意只能支持一次申报。")
            % {"ref": p.reference, "app": other.reference}
        )
    return {"preapproval": "；".join(problems)} if problems else {}


def preapproval_estimate(application: Application, est: Estimate) -> Estimate:
    """The calculator's estimate with the clause's consent applied: satisfied only when the claim
    names an approval given before the event; otherwise not eligible, with the reason."""
    if not requires_preapproval(application.programme):
        return est
    with translation.override(settings.LANGUAGE_CODE):  # stored with the application, like the calculator's text
        problem = _approval_problem(application)
    if not problem:
        return est
    return dataclasses.replace(
        est,
        eligible=False,
        amount=ZERO,
        uncapped_amount=ZERO,
        capped_by=None,
        reasons=[*est.reasons, problem],
        steps=[s for s in est.steps if s.label != "测算金额"],
        lines=[dataclasses.replace(line, amount=ZERO, capped_by=None) for line in est.lines],
    )
