"""Staff accounts made by the operator (`manage.py staff_create`): the account with its role, a
confirmed TOTP authenticator and ten one-time recovery codes, in one audited transaction; and the
supported way back in after a lost authenticator (`manage.py staff_otp_reset`): the old
authenticator, codes and API token are removed and new ones issued, audited with the reason.

The enrolment (the secret and the codes) is returned once, to be handed to the person; only the
authenticator's key stays in the database, and the codes are spent as they are used."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from .audit import audit_record
from .models import DISTRICT_ROLES, STAFF_ROLES, Jurisdiction, Role, User
from .services_tokens import TokenRevocation, api_tokens_revoke_all

RECOVERY_CODES = 10


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an authenticator app
    otpauth_uri: str  # the same as a link / QR code
    recovery_codes: list[str]


def _enrol(user: User) -> Enrolment:
    totp = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    secret = base64.b32encode(totp.bin_key).decode("ascii").rstrip("=")
    return Enrolment(secret=secret, otpauth_uri=totp.config_url, recovery_codes=codes)


def password_generate() -> str:
    return secrets.token_urlsafe(15)


def staff_create(
    *,
    email: str,
    role: str,
    full_name: str = "",
    password: str,
    actor=None,
    district: str = "",
    note: str = "manage.py staff_create",
) -> tuple[User, Enrolment]:
    """创建工作人员账户 a staff account with its role, enrolled in two-factor login. A reviewer,
    expert or bureau administrator belongs to a district (所属区域: the policies it works on); a system
    administrator (系统管理员) to none, and also gets the Django admin (is_staff, is_superuser)."""
    email = User.objects.normalize_email(email).strip()
    if role not in STAFF_ROLES:
        raise ValidationError({"role": f"not a staff role: {role} (one of {', '.join(sorted(STAFF_ROLES))})"})
    if role in DISTRICT_ROLES and district not in Jurisdiction.values:
        raise ValidationError(
            {"district": f"a {role} belongs to a district: --district {' or '.join(Jurisdiction.values)}"}
        )
    if role not in DISTRICT_ROLES and district:
        raise ValidationError({"district": f"a {role} belongs to no district (it sees every district)"})
    if not email or "@" not in email:
        raise ValidationError({"email": "an e-mail address is required"})
    probe = User(email=email, username=email, full_name=full_name)
    validate_password(password, probe)
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username=email).exists():
            raise ValidationError(
                {"email": f"an account with {email} exists already (a lost authenticator: manage.py staff_otp_reset)"}
            )
        user = User.objects.create_user(
            username=email,
            email=email,
            password=password,
            full_name=full_name,
            role=role,
            is_staff=role == Role.SYSADMIN,
            is_superuser=role == Role.SYSADMIN,
            email_confirmed_at=timezone.now(),
            district=district,
        )
        enrolment = _enrol(user)
        audit_record(
            actor=actor,
            action="user.staff_create",
            target=user,
            note=note,
            after={
                "email": email,
                "role": role,
                "district": district,
                "superuser": user.is_superuser,
                "totp": True,
                "recovery_codes": len(enrolment.recovery_codes),
            },
        )
    return user, enrolment


def staff_otp_reset(
    *, user: User, reason: str, actor=None, note_prefix: str = "manage.py staff_otp_reset"
) -> Enrolment:
    """重置两步验证 after a lost or replaced authenticator: every authenticator, recovery code and
    API token of the account is removed and a new authenticator and codes are issued."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the authenticator is reset (it is kept in the audit trail)"})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {
            "totp_devices": TOTPDevice.objects.filter(user=locked).count(),
            "recovery_devices": StaticDevice.objects.filter(user=locked).count(),
            "api_token": AuthToken.objects.filter(user=locked).exists(),
        }
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()  # its tokens go with it
        api_tokens_revoke_all(user=locked, reason=TokenRevocation.SECOND_FACTOR_RESET, actor=actor)
        enrolment = _enrol(locked)
        audit_record(
            actor=actor,
            action="auth.totp_reset",
            target=locked,
            note=f"{note_prefix}: {reason}",
            before=before,
            after={"totp_devices": 1, "recovery_codes": len(enrolment.recovery_codes)},
        )
    return enrolment
