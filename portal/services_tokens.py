"""API tokens (django-rest-knox, portal.authentication): issued at sign-in against the password (and
the TOTP code of staff), revoked by signing out and whenever the account's credentials change — a
new password (changed, reset, or set by an administrator), a deactivated account, a reset second
factor. Knox keeps only each token's digest; the token itself is shown once, when it is issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from .audit import audit_record
from .models import User


class TokenRevocation(models.TextChoices):
    """Why API tokens were revoked (the audit trail's `reason`)."""

    SIGN_OUT = "sign_out", _("退出登录")
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere", _("退出全部登录")
    PASSWORD_CHANGED = "password_changed", _("密码已更改")
    DEACTIVATED = "deactivated", _("账户已停用")
    SECOND_FACTOR_RESET = "second_factor_reset", _("两步验证已重置")


def api_token_issue(*, user: User, ip: str | None = None) -> tuple[AuthToken, str]:
    """A new token of `user`, valid for settings.PORTAL_API_TOKEN_TTL. Returns the stored row (its
    digest and expiry) and the token, which is not kept and cannot be shown again."""
    with transaction.atomic():
        # the account's expired tokens go now (the lookup refuses them without reading the others)
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user, expiry=settings.PORTAL_API_TOKEN_TTL)
        audit_record(
            actor=user,
            action="auth.api_token",
            target=user,
            ip=ip,
            after={"expiry": instance.expiry.isoformat() if instance.expiry else None},
        )
    return instance, token


def api_token_revoke(*, token: AuthToken, ip: str | None = None) -> None:
    """退出登录 sign out: the token the request came with stops working."""
    with transaction.atomic():
        user = token.user
        AuthToken.objects.filter(pk=token.pk).delete()
        audit_record(
            actor=user,
            action="auth.api_token_revoked",
            target=user,
            ip=ip,
            after={"tokens": 1, "reason": TokenRevocation.SIGN_OUT},
        )


def api_tokens_revoke_all(
    *, user: User, reason: TokenRevocation, actor: User | None = None, ip: str | None = None
) -> int:
    """Every API token of `user` stops working; returns how many there were. `actor` is who asked
    (None for the system, e.g. on a password saved by whatever path)."""
    with transaction.atomic():
        count, _deleted = AuthToken.objects.filter(user=user).delete()
        if count:
            audit_record(
                actor=actor,
                action="auth.api_token_revoked",
                target=user,
                ip=ip,
                after={"tokens": count, "reason": reason},
            )
    return count


def credentials_change_revocation(user: User, *, update_fields=None) -> TokenRevocation | None:
    """Whether the save of `user` about to happen changes its credentials so that its API tokens must
    go: a new password hash (set_password, a reset, set_unusable_password) or deactivation. Saves that
    name their fields (a sign-in's last_login) and do not touch these two cost nothing."""
    if user.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return None
    stored = User.objects.filter(pk=user.pk).values("password", "is_active").first()
    if stored is None:
        return None
    if stored["password"] != user.password:
        return TokenRevocation.PASSWORD_CHANGED
    if stored["is_active"] and not user.is_active:
        return TokenRevocation.DEACTIVATED
    return None
