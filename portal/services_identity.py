"""统一身份认证 sign-in with an identity asserted by an OpenID Connect provider (广东政务服务网 / 粤商通):
which account it opens, which it links and which it refuses. The tokens themselves are checked
before this (portal.oidc); here the identity is the provider's issuer and subject, and the rules are:

- an identity already linked signs in to its account — never to a staff account, whatever happened
  since it was linked (staff sign in with their password and TOTP code);
- an identity not yet linked, met while someone is signed in, is linked to that account (the person
  proved both), unless the account is staff or already has an identity of this provider;
- otherwise an enterprise user's account is created for it, unless the e-mail address it carries
  already has an account: that account is never taken over by the address alone — its owner signs
  in with the password and links the identity from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .backends import account_for
from .models import ExternalIdentity, Role, User


class IdentityRefused(PermissionDenied):
    """The identity may not sign in or be linked; the message is for the person, in their language."""


@dataclass(frozen=True)
class PersonClaims:
    """What the provider says of the person (the claim keys are settings.OIDC_CLAIM_*)."""

    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    full_name: str = ""
    phone: str = ""


def _refuse_staff(user: User) -> None:
    if user.requires_second_factor or user.role != Role.ENTERPRISE:
        raise IdentityRefused(_("工作人员及非企业账户不能通过统一身份认证登录，请使用邮箱、密码和两步验证登录。"))


def external_identity_sign_in(*, person: PersonClaims, signed_in: User | None = None, ip: str | None = None) -> User:
    """The account `person` signs in to (linked, or created now); raises IdentityRefused."""
    if not person.issuer or not person.subject:
        raise IdentityRefused(_("统一身份认证未返回有效的身份标识。"))
    signed_in = signed_in if signed_in is not None and signed_in.is_authenticated else None
    try:
        with transaction.atomic():
            return _sign_in(person, signed_in, ip)
    except IntegrityError as exc:  # the same identity linked at the same moment by another request
        raise IdentityRefused(_("统一身份认证登录未完成，请重试。")) from exc
    except ValidationError as exc:  # a name or number longer than the account's fields hold
        raise IdentityRefused(_("统一身份认证提供的姓名、邮箱或手机号码不符合平台要求，无法开通平台账户。")) from exc


def _sign_in(person: PersonClaims, signed_in: User | None, ip: str | None) -> User:
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=person.issuer, subject=person.subject)
        .first()
    )
    now = timezone.now()
    if identity is not None:
        user = identity.user
        _refuse_staff(user)
        if signed_in is not None and signed_in.pk != user.pk:
            raise IdentityRefused(_("该统一身份已绑定另一个平台账户。"))
        if not user.is_active:
            raise IdentityRefused(_("该统一身份绑定的平台账户已停用。"))
        identity.last_login_at = now
        identity.save(update_fields=["last_login_at"])
        audit_record(
            actor=user,
            action="auth.oidc_login",
            target=user,
            ip=ip,
            after={"issuer": person.issuer, "subject": person.subject},
        )
        return user

    if signed_in is not None:
        _refuse_staff(signed_in)
        if ExternalIdentity.objects.filter(user=signed_in, issuer=person.issuer).exists():
            raise IdentityRefused(_("您的账户已绑定另一个统一身份。"))
        ExternalIdentity.objects.create(user=signed_in, issuer=person.issuer, subject=person.subject, last_login_at=now)
        audit_record(
            actor=signed_in,
            action="auth.oidc_link",
            target=signed_in,
            ip=ip,
            after={"issuer": person.issuer, "subject": person.subject},
        )
        return signed_in

    email = User.objects.normalize_email(person.email).strip()
    if not email or "@" not in email:
        raise IdentityRefused(_("统一身份认证未提供电子邮箱，无法开通平台账户。请通过邮箱注册，登录后再绑定统一身份。"))
    if account_for(email) is not None:
        raise IdentityRefused(
            _(
                "该统一身份尚未绑定平台账户，且无法自动开通。若您已有平台账户，"
                "请先用邮箱和密码登录，再使用统一身份认证绑定。"
            )
        )
    user = User(
        username=email,
        email=email,
        full_name=person.full_name,
        phone=person.phone,
        role=Role.ENTERPRISE,
        is_active=True,
        email_confirmed_at=now if person.email_verified else None,
    )
    user.set_unusable_password()  # a password can be set later through 忘记密码
    user.full_clean(exclude=["password"])
    user.save()
    ExternalIdentity.objects.create(user=user, issuer=person.issuer, subject=person.subject, last_login_at=now)
    audit_record(
        actor=user,
        action="user.register_oidc",
        target=user,
        ip=ip,
        after={"email": email, "issuer": person.issuer, "subject": person.subject},
    )
    return user
