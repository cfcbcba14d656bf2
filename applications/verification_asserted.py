"""实名核验 by an identity provider: the enterprise identity 广东政务服务网 / 粤商通 asserts at an OpenID Connect
login counts as verified (the contract is enterprise_claim_asserted's docstring). The claims and the bureau's
decisions are verification.py's; the same rules of names and lengths apply to both."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Role
from portal.permissions import is_active_user, require

from .models import District, Enterprise, EnterpriseClaim, EnterpriseMember, VerifiedVia
from .uscc import DISTRICT_DIVISIONS, division_of, normalize, uscc_error
from .verification import already_claimed_message, claim_text, field_max, mark_verified

Claim = EnterpriseClaim


@dataclass(frozen=True)
class AssertedClaim:
    """What enterprise_claim_asserted did: the enterprise (None when the code is invalid), the user's
    membership (None when the code is already someone else's), whether the enterprise was created, and
    for the user a message in Chinese when not linked."""

    enterprise: Enterprise | None
    membership: EnterpriseMember | None
    created: bool = False
    message: str = ""


def enterprise_claim_asserted(
    *, user, credit_code: str, name: str, legal_representative: str, source: str, ip: str | None = None
) -> AssertedClaim:
    """An enterprise identity asserted by an identity provider (OpenID Connect login through 广东政务服务网 /
    粤商通 unified identity) counts as verified. The contract, for the login that calls it:

    - `user`: the active enterprise user (Role.ENTERPRISE) who signed in; PermissionDenied otherwise.
    - `credit_code` (any spelling: normalised), `name`, `legal_representative`: as the provider asserts
      them; `source`: the provider's name as shown to the bureau (e.g. "粤商通"), kept on the enterprise and
      in the audit trail. ValidationError (field messages in Chinese) for an invalid code or empty name.
    - No enterprise has the code: it is created, verified (verified_via identity_provider), with the
      asserted name and legal representative; its districts are the one the code's division names
      (黄埔区, 天河区 or 其他), as the enterprise's own statement until verified; the user becomes its
      owner (法人/负责人) and should complete the profile (contact, districts, industry).
    - The user already belongs to the enterprise (owner or agent): it stays so; an enterprise not yet
      verified becomes verified with the asserted name and legal representative, and its pending
      registration claims are answered (withdrawn).
    - The enterprise exists and has no owner (entered by the bureau): the user becomes its owner.
    - The enterprise has another owner: the same rule as any second claimant — nothing is linked, the
      result has no membership and `message` says to ask the enterprise's administrator for an
      invitation, or to file a contested claim (applications:enterprise_contest).
    - The user belongs to another enterprise: ValidationError (a user acts for one enterprise).
    Idempotent: the same assertion again changes nothing and returns the same link. Audited
    (enterprise.identity_asserted) in the same transaction."""
    require(is_active_user(user) and user.role == Role.ENTERPRISE, _("只有企业用户可以关联企业身份。"))
    code = normalize(credit_code)
    errors: dict[str, str] = {}
    problem = uscc_error(code)
    if problem:
        errors["credit_code"] = problem
    name = claim_text(name, field="name", label=_("企业名称"), limit=field_max("name"), errors=errors)
    legal = str(legal_representative or "").strip()
    if legal:
        claim_text(
            legal,
            field="legal_representative",
            label=_("法定代表人"),
            limit=field_max("legal_representative"),
            errors=errors,
        )
    source = str(source or "").strip() or "OIDC"
    claim_text(source, field="source", label=_("身份认证来源"), limit=field_max("asserted_by"), errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().filter(credit_code=code).first()
        mine = EnterpriseMember.objects.select_for_update().filter(user=user).first()
        if mine is not None and (enterprise is None or mine.enterprise_id != enterprise.pk):
            raise ValidationError({"credit_code": _("您的账户已关联另一家企业，不能再关联“%(e)s”。") % {"e": name}})
        created = enterprise is None
        note = _("%(s)s 统一身份认证") % {"s": source}
        if created:
            division = division_of(code)
            district = DISTRICT_DIVISIONS.get(division.code if division else "", District.OTHER)
            enterprise = Enterprise(
                credit_code=code,
                name=name,
                legal_representative=legal,
                registered_district=district,
                tax_district=district,
                stats_district=district,
                contact_name=legal or str(user),
                contact_phone=user.phone,
                contact_email=user.email,
            )
            mark_verified(enterprise, via=VerifiedVia.IDENTITY_PROVIDER, note=note)
            try:
                with transaction.atomic():
                    enterprise.save()
            except IntegrityError:  # another login created it a moment before: the same rules apply again
                raise ValidationError({"credit_code": _("该企业刚由其他用户关联，请重新登录。")}) from None
        elif mine is None and enterprise.members.filter(member_role=EnterpriseMember.MemberRole.OWNER).exists():
            return AssertedClaim(enterprise=enterprise, membership=None, message=already_claimed_message())
        before = {
            "name": enterprise.name,
            "legal_representative": enterprise.legal_representative,
            "verification_state": enterprise.verification_state,
        }
        changed = created
        if not enterprise.is_verified:
            enterprise.name, enterprise.legal_representative = name, legal or enterprise.legal_representative
            mark_verified(enterprise, via=VerifiedVia.IDENTITY_PROVIDER, note=note)
            enterprise.save()
            EnterpriseClaim.objects.filter(
                enterprise=enterprise, state=Claim.State.PENDING, kind=Claim.Kind.REGISTRATION
            ).update(state=Claim.State.WITHDRAWN, decided_at=timezone.now(), reason=note)
            changed = True
        if mine is None:
            mine = EnterpriseMember.objects.create(
                enterprise=enterprise, user=user, member_role=EnterpriseMember.MemberRole.OWNER
            )
            changed = True
        if changed:
            audit_record(
                actor=user,
                action="enterprise.identity_asserted",
                target=enterprise,
                ip=ip,
                before=None if created else before,
                after={
                    "credit_code": code,
                    "source": source,
                    "created": created,
                    "name": enterprise.name,
                    "legal_representative": enterprise.legal_representative,
                    "verification_state": enterprise.verification_state,
                    "member_role": mine.member_role,
                },
                note=note,
            )
    return AssertedClaim(enterprise=enterprise, membership=mine, created=created)
