"""Writes on an enterprise's profile and its people: the owner (法人/负责人) edits the profile,
invites colleagues by e-mail link to act as agents (经办人) and removes them. Services in the
sense of CONVENTIONS.md: each owns its transaction, checks the actor, writes the audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Role

from .models import Enterprise, EnterpriseMember, FactChangeRequest, Invitation
from .selectors import is_owner_of
from .services import ENTERPRISE_FIELDS
from .verification_facts import clean_changes, fact_change_request, needs_bureau

INVITATION_VALID_FOR = dt.timedelta(days=7)
# The owner may change these; the credit code (统一社会信用代码) never changes after registration.
EDITABLE_FIELDS = ENTERPRISE_FIELDS


def _is_owner(actor, enterprise: Enterprise) -> bool:
    return is_owner_of(actor, enterprise.pk)


def _require_owner(actor, enterprise: Enterprise, what: str) -> None:
    if not _is_owner(actor, enterprise):
        raise PermissionDenied(_("只有本企业的法人/负责人可以%(what)s。") % {"what": what})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ProfileUpdate:
    enterprise: Enterprise
    fact_change: FactChangeRequest | None = None  # the changes waiting for the bureau, if any


def enterprise_update(
    *, actor, enterprise: Enterprise, ip: str | None = None, evidence: Iterable = (), change_note: str = "", **fields
) -> ProfileUpdate:
    """The owner edits the profile. `credit_code` may not be changed (refused with a message). The
    eligibility facts (and, once the enterprise is verified, its name and legal representative) change
    only through the bureau: a change of them becomes a fact-change request with `evidence`
    (applications.verification_facts), the rest applies at once; without evidence nothing changes."""
    _require_owner(actor, enterprise, _("修改企业信息"))
    if "credit_code" in fields and fields["credit_code"] not in (None, "", enterprise.credit_code):
        raise ValidationError({"credit_code": _("统一社会信用代码登记后不能修改；如登记有误，请联系主管部门。")})
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS) - {"credit_code"})
    if unknown:
        raise ValidationError({k: _("该项不能修改。") for k in unknown})
    verified = enterprise.verified_facts()
    controlled = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and needs_bureau(enterprise, k, verified)}
    direct = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and k not in controlled}
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = {k: getattr(locked, k) for k in direct}
        for key, value in direct.items():
            setattr(locked, key, value)
        locked.full_clean(exclude=["credit_code"])  # refused before any file of a request is stored
        request = None
        if clean_changes(locked, controlled):
            request = fact_change_request(
                actor=actor, enterprise=locked, changes=controlled, note=change_note, evidence=evidence, ip=ip
            )
        if before != {k: getattr(locked, k) for k in before}:
            locked.save()
            audit_record(
                actor=actor,
                action="enterprise.update",
                target=locked,
                ip=ip,
                before=before,
                after={k: getattr(locked, k) for k in before},
            )
    return ProfileUpdate(enterprise=locked, fact_change=request)


def _send_invitation(email: str, enterprise_name: str, inviter: str, link: str, expires: str) -> None:
    send_mail(
        subject=_("%(e)s 邀请您作为经办人使用广州人工智能产业补贴券平台") % {"e": enterprise_name},
        message=_(
            "您好！\n\n%(who)s 邀请您作为“%(e)s”的经办人，在平台上办理申报。\n"
            "请在 %(exp)s 前打开以下链接，注册或登录（请使用本邮箱）后接受邀请：\n%(link)s\n\n"
            "如您不认识邀请人，请忽略本邮件。"
        )
        % {"who": inviter, "e": enterprise_name, "link": link, "exp": expires},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def invitation_create(*, actor, enterprise: Enterprise, email: str, ip: str | None = None) -> tuple[Invitation, str]:
    """The owner invites a colleague by e-mail; returns the invitation and the link's token (only its
    hash is stored). Inviting the same address again replaces the pending invitation."""
    _require_owner(actor, enterprise, _("邀请经办人"))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("请输入有效的电子邮箱地址。")}) from None
    if enterprise.members.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("该邮箱的用户已是本企业成员。")})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            enterprise=enterprise, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            enterprise=enterprise,
            email=email,
            token_hash=token_hash(token),
            invited_by=actor,
            expires_at=now + INVITATION_VALID_FOR,
        )
        audit_record(
            actor=actor,
            action="enterprise.invite",
            target=enterprise,
            ip=ip,
            after={"email": email, "invitation": invitation.pk},
        )
        link = settings.SITE_URL.rstrip("/") + reverse("applications:invitation_accept", args=[token])
        expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
        args = (email, enterprise.name, str(actor), link, expires)
        transaction.on_commit(lambda: _send_invitation(*args), robust=True)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("enterprise").filter(token_hash=token_hash(token or "")).first()


def invitation_accept(*, actor, token: str, ip: str | None = None) -> EnterpriseMember:
    """The invitee, signed in with the invited e-mail address, joins the enterprise as an agent."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("请先登录。"))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token or "")).first()
        if invitation is None or not invitation.is_pending:
            raise ValidationError({"__all__": _("邀请链接无效、已过期、已撤销或已被使用，请联系企业负责人重新邀请。")})
        if actor.role != Role.ENTERPRISE:
            raise ValidationError({"__all__": _("工作人员账户不能加入企业，请使用企业用户账户。")})
        if actor.email.lower() != invitation.email.lower():
            raise ValidationError(
                {"__all__": _("此邀请发送给 %(e)s，请使用该邮箱注册或登录后再接受。") % {"e": invitation.email}}
            )
        if EnterpriseMember.objects.filter(user=actor).exists():
            raise ValidationError({"__all__": _("您的账户已关联一家企业，不能再加入其他企业。")})
        membership = EnterpriseMember.objects.create(
            enterprise=invitation.enterprise, user=actor, member_role=EnterpriseMember.MemberRole.AGENT
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=actor,
            action="enterprise.join",
            target=invitation.enterprise,
            ip=ip,
            after={"invitation": invitation.pk, "member_role": membership.member_role},
        )
    return membership


def invitation_revoke(*, actor, enterprise: Enterprise, invitation_id: int, ip: str | None = None) -> None:
    _require_owner(actor, enterprise, _("撤销邀请"))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(enterprise=enterprise, pk=invitation_id).first()
        if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError({"__all__": _("该邀请不存在、已被接受或已撤销。")})
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="enterprise.invitation_revoke",
            target=enterprise,
            ip=ip,
            before={"invitation": invitation.pk, "email": invitation.email},
        )


def member_remove(*, actor, enterprise: Enterprise, member_id: int, ip: str | None = None) -> None:
    """The owner removes an agent; the owner cannot be removed this way. Applications stay with
    the enterprise."""
    _require_owner(actor, enterprise, _("移除经办人"))
    with transaction.atomic():
        membership = (
            EnterpriseMember.objects.select_for_update()
            .select_related("user")
            .filter(enterprise=enterprise, pk=member_id)
            .first()
        )
        if membership is None:
            raise ValidationError({"__all__": _("该成员不存在。")})
        if membership.member_role != EnterpriseMember.MemberRole.AGENT:
            raise ValidationError({"__all__": _("不能移除法人/负责人。")})
        audit_record(
            actor=actor,
            action="enterprise.member_remove",
            target=enterprise,
            ip=ip,
            before={"user": membership.user_id, "email": membership.user.email},
        )
        membership.delete()
