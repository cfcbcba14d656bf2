"""Who may do what: typed predicates over the acting user, one home for each rule (CONVENTIONS.md,
"One home for each rule"). Views may call them to refuse early; services call them to decide.
Predicates take plain values (a user, a district code, ids), never another app's models, so that
portal imports none of the apps.

District scoping (所属区域): reviewers, bureau administrators and experts work on the policies of
their own district only — a policy's district (vouchers.Policy.district) is that of its issuing
authority. Everything bureau-side is bound to the district of the application's programme's policy
(the queue, the decisions, the budget pools, the payments, the exports); the system administrator
sees all; a staff account without a district sees nothing district-bound. Selectors filter with
`district_q` (lists omit what is out of the district, a fetch answers 404); services decide with
`require_district`."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import DISTRICT_ROLES, Role, User


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


def may_verify_enterprises(user: User | None) -> bool:
    """实名核验: verify the claims on credit codes (registrations and contested claims) and the changes of
    eligibility facts — reviewing staff. The bureau's district scoping narrows what they see in
    applications.selectors_verification.verification_queue_for_actor; this says whether they may at all."""
    return is_reviewing_staff(user)
# ---------------------------------------------------------------- districts

def staff_districts(user: User | None) -> frozenset[str] | None:
    """The district codes whose objects the user works on: None means all (the system
    administrator); an empty set for a staff account without a district and for everyone else
    (enterprises and providers reach their own objects by other rules)."""
    if not is_active_user(user):
        return frozenset()
    if user.role == Role.SYSADMIN:
        return None
    if user.role in DISTRICT_ROLES and user.district:
        return frozenset({user.district})
    return frozenset()


def in_district(user: User | None, district: str | None) -> bool:
    """Whether an object of `district` (a policy's district code) is within the user's districts."""
    districts = staff_districts(user)
    return districts is None or (bool(district) and district in districts)


def district_q(user: User | None, path: str) -> Q:
    """A filter keeping the rows whose district, reached through the lookup `path` (e.g.
    "programme__policy__district"), is one of the user's: Q() for all, none for no district."""
    districts = staff_districts(user)
    if districts is None:
        return Q()
    return Q(**{f"{path}__in": sorted(districts)})


def require_district(user: User | None, district: str | None) -> None:
    """Refuse (PermissionDenied) an action on an object of another district. Actor None, the
    system's scheduled work, is not bound to a district."""
    require_districts(user, [district])


def require_districts(user: User | None, districts: Iterable[str | None]) -> None:
    """Refuse an action on something that spans districts (a payment batch) unless every one of
    them is the user's."""
    if user is None:
        return
    if not all(in_district(user, d) for d in districts):
        raise PermissionDenied(_("该事项属于其他区域，您无权办理。"))
