"""Writes on accounts."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Role, User

CONFIRM_SALT = "portal.email-confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def user_register(*, email: str, password: str, full_name: str, phone: str, ip: str | None = None) -> User:
    """An enterprise user registers; the account stays inactive until the e-mail is confirmed."""
    with transaction.atomic():
        user = User(username=email, email=email, full_name=full_name, phone=phone, role=Role.ENTERPRISE,
                    is_active=False)
        user.set_password(password)
        user.save()
        audit_record(actor=user, action="user.register", target=user, ip=ip, after={"email": email})
        token = signing.dumps({"u": user.pk, "e": email}, salt=CONFIRM_SALT)
        transaction.on_commit(lambda: _send_confirmation(email, token))
    return user


def _send_confirmation(email: str, token: str) -> None:
    link = settings.SITE_URL + reverse("confirm_email", args=[token])
    send_mail(
        subject=_("请确认您的邮箱 — 广州人工智能产业补贴券平台"),
        message=_("您好！\n\n请在3天内打开以下链接完成邮箱确认并启用账户：\n%(link)s\n\n"
                  "如非本人操作，请忽略本邮件。") % {"link": link},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[email],
    )


def user_confirm_email(*, token: str, ip: str | None = None) -> User | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
        if user is None:
            return None
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.is_active = True
            user.save(update_fields=["email_confirmed_at", "is_active"])
            audit_record(actor=user, action="user.confirm_email", target=user, ip=ip)
    return user


def staff_create(*, actor: User, email: str, full_name: str, role: str, password: str | None = None) -> User:
    """Administrators create staff accounts (reviewers, experts, administrators, providers)."""
    if not actor.is_bureau_admin:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有管理员可以创建工作人员账户。"))
    with transaction.atomic():
        user = User(username=email, email=email, full_name=full_name, role=role, is_active=True,
                    is_staff=role in (Role.BUREAU_ADMIN, Role.SYSADMIN), is_superuser=role == Role.SYSADMIN,
                    email_confirmed_at=timezone.now())
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(actor=actor, action="user.create_staff", target=user, after={"email": email, "role": role})
    return user
