"""Writes on accounts."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Role, User
from .permissions import require_district

CONFIRM_SALT = "portal.email-confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def user_register(*, email: str, password: str, full_name: str, phone: str, ip: str | None = None) -> User | None:
    """An enterprise user registers; the account stays inactive until the e-mail is confirmed.
    For an address that already has an account nothing is created and the page answers the same
    (the registration form never tells who has an account): the address is told by e-mail, where
    only its owner reads it, to sign in or reset the password. Returns the new user, or None."""
    with transaction.atomic():
        existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
        if existing is not None:
            User().set_password(password)  # the same work as a registration: no telling by the time taken
            audit_record(actor=None, action="user.register_existing", target=existing, ip=ip)
            transaction.on_commit(lambda: _send_already_registered(existing.email))
            return None
        user = User(
            username=email, email=email, full_name=full_name, phone=phone, role=Role.ENTERPRISE, is_active=False
        )
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
        message=_("您好！\n\n请在3天内打开以下链接完成邮箱确认并启用账户：\n%(link)s\n\n如非本人操作，请忽略本邮件。")
        % {"link": link},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def _send_already_registered(email: str) -> None:
    send_mail(
        subject=_("您的邮箱已注册 — 广州人工智能产业补贴券平台"),
        message=_(
            "您好！\n\n有人使用本邮箱申请注册平台账户，而本邮箱已有账户，因此未新建账户。\n"
            "如是您本人，请直接登录：%(login)s\n忘记密码可在此重置：%(reset)s\n\n"
            "如非本人操作，请忽略本邮件，您的账户不受影响。"
        )
        % {"login": settings.SITE_URL + reverse("login"), "reset": settings.SITE_URL + reverse("password_reset")},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
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


def staff_create(
    *, actor: User, email: str, full_name: str, role: str, password: str | None = None, district: str = ""
) -> User:
    """Administrators create staff accounts (reviewers, experts, administrators, providers); a
    reviewer, expert or administrator belongs to a district (所属区域), and a bureau administrator
    creates them in their own district only (the system administrator in any)."""
    if not actor.is_bureau_admin:
        raise PermissionDenied(_("只有管理员可以创建工作人员账户。"))
    if district:
        require_district(actor, district)
    user = User(
        username=email,
        email=email,
        full_name=full_name,
        role=role,
        is_active=True,
        is_staff=role in (Role.BUREAU_ADMIN, Role.SYSADMIN),
        is_superuser=role == Role.SYSADMIN,
        email_confirmed_at=timezone.now(),
        district=district,
    )
    user.clean()  # a district for the district roles, none for the others
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            actor=actor,
            action="user.create_staff",
            target=user,
            after={"email": email, "role": role, "district": district},
        )
    return user
