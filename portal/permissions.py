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

import time
from collections.abc import Collection, Iterable
from typing import TypeGuard

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import DISTRICT_ROLES, Role, User


def is_active_user(user: User | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_bureau_admin(user: User | None) -> TypeGuard[User]:
    """主管部门管理员 or 系统管理员."""
    return is_active_user(user) and user.role in (Role.BUREAU_ADMIN, Role.SYSADMIN)


def is_reviewing_staff(user: User | None) -> TypeGuard[User]:
    """审核人员, 主管部门管理员 or 系统管理员: those who work the review queue."""
    return is_active_user(user) and user.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


def is_provider_user(user: User | None) -> TypeGuard[User]:
    """A user of a compute service provider (算力服务商)."""
    return is_active_user(user) and user.role == Role.PROVIDER


def require_bureau_admin(user: User | None, message: str | None = None) -> None:
    """Refuse anyone but an active 主管部门管理员 or 系统管理员 (the one check behind every "administrators
    only" service and page)."""
    if not is_bureau_admin(user):
        raise PermissionDenied(message or _("仅主管部门管理员可以进行此操作。"))


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with the user's-language message unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def may_verify_enterprises(user: User | None) -> bool:
    """实名核验: verify the claims on credit codes (registrations and contested claims) and the changes of
    eligibility facts — reviewing staff. The bureau's district scoping narrows what they see in
    applications.selectors_verification.verification_queue_for_actor; this says whether they may at all."""
    return is_reviewing_staff(user)


def may_import_enterprise_facts(user: User | None) -> bool:
    """一企一档: import the departments' files of enterprise facts and run matching — bureau administrators
    (district-bound: their district's enterprises only)."""
    return is_bureau_admin(user)


def may_run_auto_awards(user: User | None) -> bool:
    """免申即享: prepare and publish a batch of awards filed from facts — bureau administrators of the
    programme's district (each money decision then walks the four-eyes chain like any other)."""
    return is_bureau_admin(user)


def may_view_results(user: User | None) -> bool:
    """政策成效 the results of the routes to an award (awards by route, time to payment, reach) — bureau
    administrators, of their district's programmes (the system administrator all)."""
    return is_bureau_admin(user)


def may_keep_document_library(user: User | None, *, member_of: bool) -> bool:
    """资料库 the enterprise's document library: its own active members only (`member_of`: the user
    belongs to the library's enterprise). Staff see its files only as copies filed under the
    applications they review."""
    return is_active_user(user) and user.role == Role.ENTERPRISE and member_of


def may_watch_payment_promises(user: User | None) -> bool:
    """兑付时限 the dashboard of applications whose promised payment date is near or past — bureau
    administrators (district-bound)."""
    return is_bureau_admin(user)


def may_resolve_fact_contests(user: User | None) -> bool:
    """Decide an enterprise's contest of one of its facts — reviewing staff of its district."""
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


# ---------------------------------------------------------------- 四眼原则 the approval chain of money decisions


def may_act_on_application(user: User | None, *, assigned_reviewer_id: int | None) -> bool:
    """Work an application under review (formal review, propose its decision): an administrator, or
    the reviewer it is assigned to."""
    return is_bureau_admin(user) or (is_reviewing_staff(user) and user.pk == assigned_reviewer_id)


class ApprovalHolder(models.TextChoices):
    """Who may hold a step of an approval chain (reviews' ApprovalChainStep.holder)."""

    REVIEWING_STAFF = "reviewing_staff", _lazy("审核人员或主管部门管理员")
    BUREAU_ADMIN = "bureau_admin", _lazy("主管部门管理员")
    LEADER = "leader", _lazy("授权的分管领导")


def approval_step_refusal(
    user: User | None, *, holder: str, authorised_leader: bool, held_by: Collection[int]
) -> str | None:
    """Why `user` may not hold a step of `holder` in a decision whose other steps are held by the
    users `held_by`, or None when they may. `authorised_leader`: the user is an active 分管领导 of
    the reviews' table of authorised approvers. The same person never holds two steps of one
    decision (the table's unique constraint is the backstop)."""
    if not is_reviewing_staff(user):
        return _("仅审核人员、主管部门管理员或授权的分管领导可以办理审批。")
    if user.pk in held_by:
        return _("您已办理本决定的其他环节：同一人不能办理同一决定的两个环节。")
    if holder == ApprovalHolder.BUREAU_ADMIN and not is_bureau_admin(user):
        return _("该环节须由主管部门管理员办理。")
    if holder == ApprovalHolder.LEADER and not authorised_leader:
        return _("该环节须由授权的分管领导办理。")
    return None


def may_hold_approval_step(
    user: User | None, *, holder: str, authorised_leader: bool, held_by: Collection[int]
) -> bool:
    return approval_step_refusal(user, holder=holder, authorised_leader=authorised_leader, held_by=held_by) is None


def may_rate_service(user: User | None, *, member_of_applicant: bool, ended: bool) -> bool:
    """好差评: a member of the applying enterprise, once its application has ended."""
    return is_active_user(user) and user.role == Role.ENTERPRISE and member_of_applicant and ended


def may_use_admin_site(user: User | None) -> bool:
    """The Django admin (管理后台) is of use to an active staff account with at least one model
    permission (or a superuser); to any other it would show an empty index."""
    return is_active_user(user) and user.is_staff and (user.is_superuser or has_model_permissions(user))


MODEL_PERMISSIONS_VERSION = "model-permissions:version"


def has_model_permissions(user: User) -> bool:
    """Whether the user holds any model permission, own or through a group. Asked on every staff page
    (the navigation's admin-site link): kept in the site cache under a version that any change of
    permissions or group membership moves on (portal.signals), so a change shows on the next page."""
    version = cache.get(MODEL_PERMISSIONS_VERSION, 0)
    key = f"model-permissions:{version}:{user.pk}"
    held = cache.get(key)
    if held is None:
        held = bool(user.get_all_permissions())
        cache.set(key, held, 3600)
    return bool(held)


def model_permissions_changed(**_signal) -> None:
    """A permission, a group's permissions or a membership changed: every cached answer is dropped
    (now, and again at commit, after which a page can only read the new rows)."""

    def bump() -> None:
        cache.set(MODEL_PERMISSIONS_VERSION, f"{time.time_ns()}", None)

    bump()
    transaction.on_commit(bump)
