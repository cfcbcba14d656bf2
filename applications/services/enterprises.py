"""Registering an enterprise 企业注册 (a claim the bureau verifies)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Role

from ..models import (
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    VerificationState,
    VerifiedVia,
)
from ..uscc import normalize, uscc_error
from ..verification import already_claimed_message, claim_record, documents_check
from ..verification_documents import stored_files

# ---------------------------------------------------------------- enterprises

ENTERPRISE_FIELDS = (
    "name",
    "registered_district",
    "tax_district",
    "stats_district",
    "industry",
    "is_above_scale",
    "is_startup",
    "has_independent_accounts",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
)


def enterprise_register(
    *,
    actor,
    credit_code: str,
    ip: str | None = None,
    override_reason: str = "",
    business_licence: UploadedFile | None = None,
    authorization: UploadedFile | None = None,
    claimant_is_legal_representative: bool = False,
    **fields,
) -> Enterprise:
    """Register an enterprise; the actor becomes its owner (法人/负责人). One enterprise per code.

    An enterprise user claims it (认领) with the business licence (营业执照) and, when not the legal
    representative, a signed power of attorney (授权委托书): the enterprise is unverified (it drafts
    and estimates, it does not submit) until the bureau verifies the claim (applications.verification).
    A code already registered is refused with what to do instead (an invitation, a contested claim).
    An administrator registers for the bureau (verified, no owner), and may register a legacy code that
    fails the check character, with a reason."""
    code = normalize(credit_code)
    errors: dict[str, str] = {}
    problem = uscc_error(code)
    if problem and not (override_reason.strip() and actor.is_bureau_admin):
        errors["credit_code"] = problem
    if Enterprise.objects.filter(credit_code=code).exists():
        errors["credit_code"] = already_claimed_message()
    is_admin = actor.is_bureau_admin
    if not is_admin and hasattr(actor, "membership"):
        errors["__all__"] = _("您的账户已关联一家企业，不能再注册新企业。")
    if not is_admin and actor.role != Role.ENTERPRISE:
        errors["__all__"] = _("只有企业用户可以注册企业。")
    uploads = []
    if not is_admin:
        if not str(fields.get("legal_representative") or "").strip():
            errors["legal_representative"] = _("请填写法定代表人姓名（与营业执照一致）。")
        uploads = documents_check(
            business_licence=business_licence,
            authorization=authorization,
            claimant_is_legal_representative=claimant_is_legal_representative,
            errors=errors,
        )
    if errors:
        raise ValidationError(errors)
    with stored_files() as stored, transaction.atomic():
        enterprise = Enterprise(
            credit_code=code,
            credit_code_override_reason=override_reason.strip() if problem else "",
            **{k: v for k, v in fields.items() if k in ENTERPRISE_FIELDS},
        )
        if is_admin:  # entered by the bureau from its own files
            enterprise.verification_state, enterprise.verified_via = VerificationState.VERIFIED, VerifiedVia.BUREAU
            enterprise.verified_at = timezone.now()
        enterprise.full_clean(exclude=["credit_code"])
        try:
            with transaction.atomic():
                enterprise.save()
        except IntegrityError:  # the same code registered a moment before (credit_code is unique)
            raise ValidationError({"credit_code": already_claimed_message()}) from None
        audit_record(
            actor=actor,
            action="enterprise.register",
            target=enterprise,
            ip=ip,
            after={"credit_code": code, **{k: fields.get(k) for k in ENTERPRISE_FIELDS}},
            note=override_reason if problem else "",
        )
        if not is_admin:
            EnterpriseMember.objects.create(
                enterprise=enterprise, user=actor, member_role=EnterpriseMember.MemberRole.OWNER
            )
            claim_record(
                actor=actor,
                enterprise=enterprise,
                kind=EnterpriseClaim.Kind.REGISTRATION,
                uploads=uploads,
                stored=stored,
                legal_representative=enterprise.legal_representative,
                claimant_is_legal_representative=claimant_is_legal_representative,
                ip=ip,
            )
    return enterprise
