"""Who may do what: typed predicates over the acting user, one home for each rule (CONVENTIONS.md,
"One home for each rule"). Views may call them to refuse early; services call them to decide.
Predicates take plain values (a user, a district code, ids), never another app's models, so that
portal imports none of the apps."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import Role, User


def is_active_user(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_bureau_admin(user: User | None) -> bool:
    """主管部门管理员 or 系统管理员."""
    return is_active_user(user) and user.role in (Role.BUREAU_ADMIN, Role.SYSADMIN)


def is_reviewing_staff(user: User | None) -> bool:
    """审核人员, 主管部门管理员 or 系统管理员: those who work the review queue."""
    return is_active_user(user) and user.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


def is_provider_user(user: User | None) -> bool:
    """A user of a compute service provider (算力服务商)."""
    return is_active_user(user) and user.role == Role.PROVIDER


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with the user's-language message unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
