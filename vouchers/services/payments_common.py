"""Who may do what with payments, in one place (views, API and services call these)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.models import Role
from portal.permissions import district_q, require_district, require_districts, staff_districts

from ..models import Award, PaymentLine


def _active(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def enterprise_id_of(actor) -> int | None:
    """The enterprise an enterprise user acts for (None for everyone else)."""
    if not _active(actor) or actor.role != Role.ENTERPRISE:
        return None
    membership = getattr(actor, "membership", None)
    return membership.enterprise_id if membership is not None else None


def may_manage_payments(actor) -> bool:
    """Accounts' verification, acceptance, batches, claw-backs and reports: bureau administrators and
    system administrators."""
    return _active(actor) and actor.is_bureau_admin


def require_payment_admin(actor) -> None:
    if not may_manage_payments(actor):
        raise PermissionDenied(_("仅主管部门管理员或系统管理员可以办理拨付事项。"))


# --- districts: payments are bound to the district of the award's programme's policy; a receiving
# account to the districts where its enterprise is registered or has been awarded something.

AWARD_DISTRICT = "programme__policy__district"


def award_scope_q(actor, path: str = "") -> Q:
    """The awards (reached through `path`, e.g. "award__", "tranche__award__") of the actor's district."""
    return district_q(actor, f"{path}{AWARD_DISTRICT}")


def enterprise_scope_q(actor, path: str = "enterprise") -> Q:
    """The enterprises (reached through `path`) of the actor's district: registered there, or holding
    an award of its policies (every enterprise for the system administrator)."""
    districts = staff_districts(actor)
    if districts is None:
        return Q()
    awarded = Award.objects.filter(**{f"{AWARD_DISTRICT}__in": sorted(districts)}).values("enterprise_id")
    return Q(**{f"{path}__registered_district__in": sorted(districts)}) | Q(**{f"{path}_id__in": awarded})


def require_award_district(actor, award) -> None:
    require_district(actor, award.programme.policy.district)


def require_batch_district(actor, batch) -> None:
    """A payment batch is the actor's when every line's award is of the actor's district."""
    require_districts(
        actor, set(PaymentLine.objects.filter(batch=batch).values_list(f"award__{AWARD_DISTRICT}", flat=True))
    )


def require_enterprise(actor) -> int:
    enterprise_id = enterprise_id_of(actor)
    if enterprise_id is None:
        raise PermissionDenied(_("仅企业用户可以办理本企业的收款与拨付事项。"))
    return enterprise_id


def enterprise_link() -> str:
    return reverse("vouchers:payments_mine")


def portal_language() -> AbstractContextManager:
    """What is written for others to read later — notifications, the purpose of a payment, tranche
    labels, audit notes — is in the portal's language (Chinese), whichever language the actor reads."""
    return translation.override(settings.LANGUAGE_CODE)
