"""实名核验 who the enterprise is: claiming a credit code with the business licence (营业执照) and, when the
claimant is not the legal representative, a signed power of attorney (授权委托书); the bureau's accept
or refuse (with a reason); contested claims (争议认领) on a code someone else holds, which the bureau
may accept by transferring the owner role. The identity an identity provider asserts (OIDC) is
verification_asserted.py's.

Services in the sense of CONVENTIONS.md: keyword-only, one transaction, the actor checked
(portal.permissions.may_verify_enterprises for the bureau's side), the audit row in the same
transaction, notifications after commit. The eligibility facts are verification_facts.py's."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification, Role
from portal.notifications import notify_users
from portal.permissions import is_active_user, may_verify_enterprises, require, require_district

from .models import (
    District,
    EligibilityFact,
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    FactSource,
    VerificationDocument,
    VerificationState,
    VerifiedVia,
)
from .selectors import is_owner_of
from .uscc import normalize, uscc_error
from .verification_documents import Upload, documents_store, stored_files, uploads_check
from .verification_facts import facts_record

Claim = EnterpriseClaim
Doc = VerificationDocument.Kind
REASON_MAX = 2000  # the bureau's note or reason, told to the claimant
STATEMENT_MAX = 2000


def field_max(field: str) -> int:
    return EnterpriseClaim._meta.get_field(field).max_length


def already_claimed_message() -> str:
    """What the second claimant of a credit code is told (the page, the API, the identity provider's login)."""
    return _(
        "该统一社会信用代码已注册，不能重复登记。请联系该企业的法人/负责人（企业管理员）在“企业信息”页邀请您作为"
        "经办人加入；如您是该企业的法定代表人或经其授权，且认为该登记有误，可提交争议认领（附营业执照等证明），"
        "由主管部门核验。"
    )


def unverified_message(enterprise: Enterprise) -> str:
    """Why an unverified enterprise cannot submit, and what to do."""
    if enterprise.verification_state == VerificationState.REFUSED:
        return _(
            "贵企业的实名核验未通过，暂不能提交申报（草稿已保存，可继续填写和测算）。请在“企业信息 → 实名核验”页"
            "按核验意见重新上传营业执照（及授权委托书）后再次提交核验。"
        )
    return _(
        "贵企业尚未通过实名核验（营业执照等材料待主管部门核验），暂不能提交申报；草稿已保存，可继续填写和测算。"
        "请在“企业信息 → 实名核验”页查看核验进度，核验通过后即可提交。"
    )


def _portal_language():
    """Notifications and audit notes are read later by others: in the portal's language (Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)


# ---------------------------------------------------------------- documents


def documents_check(
    *,
    business_licence: UploadedFile | None,
    authorization: UploadedFile | None = None,
    claimant_is_legal_representative: bool,
    evidence: Iterable[UploadedFile] = (),
    errors: dict[str, str],
) -> list[Upload]:
    """A claim's files checked by content: the licence always, the power of attorney when the claimant is
    not the legal representative, any further evidence; what is missing or refused goes into `errors`."""
    return uploads_check(
        [
            ("business_licence", Doc.BUSINESS_LICENCE, business_licence, _("请上传营业执照（PDF、JPG、PNG 或 OFD）。")),
            (
                "authorization",
                Doc.AUTHORIZATION,
                authorization,
                ""
                if claimant_is_legal_representative
                else _("认领人不是法定代表人：请上传法定代表人签字并加盖公章的授权委托书。"),
            ),
            *[("evidence", Doc.EVIDENCE, f, "") for f in evidence if f],
        ],
        errors,
    )


def _doc_json(docs: Iterable[VerificationDocument]) -> list[dict]:
    return [{"id": d.pk, "kind": d.kind, "name": d.original_name, "sha256": d.sha256} for d in docs]


# ---------------------------------------------------------------- the enterprise's side


def claim_text(value: str | None, *, field: str, label: str, limit: int, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = _("请填写%(label)s。") % {"label": label}
    elif len(text) > limit:
        errors[field] = _("%(label)s最多 %(n)d 个字符（当前 %(m)d 个）。") % {
            "label": label,
            "n": limit,
            "m": len(text),
        }
    return text


def claim_record(
    *,
    actor,
    enterprise: Enterprise,
    kind: str,
    uploads: list[Upload],
    stored: list[str],
    legal_representative: str,
    claimant_is_legal_representative: bool,
    statement: str = "",
    name: str | None = None,
    registered_district: str | None = None,
    asserted_by: str = "",
    ip: str | None = None,
) -> EnterpriseClaim:
    """Write a pending claim with its documents (inside the caller's transaction) and audit it."""
    try:
        with transaction.atomic():
            claim = EnterpriseClaim.objects.create(
                enterprise=enterprise,
                claimant=actor,
                kind=kind,
                name=name or enterprise.name,
                legal_representative=legal_representative,
                registered_district=registered_district or enterprise.registered_district,
                claimant_is_legal_representative=claimant_is_legal_representative,
                statement=statement,
                asserted_by=asserted_by,
            )
    except IntegrityError:  # claim_one_pending_per_claimant
        raise ValidationError({"__all__": _("您对该企业已有一项待核验的认领，请等待主管部门核验。")}) from None
    docs = documents_store(uploads, actor=actor, stored=stored, claim=claim)
    audit_record(
        actor=actor,
        action=f"enterprise.claim_{kind}",
        target=enterprise,
        ip=ip,
        after={
            "claim": claim.pk,
            "name": claim.name,
            "legal_representative": legal_representative,
            "claimant_is_legal_representative": claimant_is_legal_representative,
            "documents": _doc_json(docs),
            "asserted_by": asserted_by,
        },
    )
    return claim


def claim_resubmit(
    *,
    actor,
    enterprise: Enterprise,
    legal_representative: str,
    claimant_is_legal_representative: bool,
    business_licence: UploadedFile | None,
    authorization: UploadedFile | None = None,
    ip: str | None = None,
) -> EnterpriseClaim:
    """重新提交核验: the owner of an enterprise not (yet) verified — refused, or registered before claims
    existed — uploads the licence again; a new pending claim goes to the bureau's queue."""
    require(is_owner_of(actor, enterprise.pk), _("只有本企业的法人/负责人可以提交实名核验。"))
    errors: dict[str, str] = {}
    legal = claim_text(
        legal_representative,
        field="legal_representative",
        label=_("法定代表人"),
        limit=field_max("legal_representative"),
        errors=errors,
    )
    uploads = documents_check(
        business_licence=business_licence,
        authorization=authorization,
        claimant_is_legal_representative=claimant_is_legal_representative,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    with stored_files() as stored, transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if locked.is_verified:
            raise ValidationError({"__all__": _("贵企业已通过实名核验，无需重新提交。")})
        if locked.claims.filter(kind=Claim.Kind.REGISTRATION, state=Claim.State.PENDING).exists():
            raise ValidationError({"__all__": _("贵企业已有待核验的认领，请等待主管部门核验。")})
        if locked.verification_state == VerificationState.REFUSED:
            locked.verification_state = VerificationState.UNVERIFIED
            locked.save(update_fields=["verification_state", "updated_at"])
        return claim_record(
            actor=actor,
            enterprise=locked,
            kind=Claim.Kind.REGISTRATION,
            uploads=uploads,
            stored=stored,
            legal_representative=legal,
            claimant_is_legal_representative=claimant_is_legal_representative,
            ip=ip,
        )


def claim_contest(
    *,
    actor,
    credit_code: str,
    name: str,
    legal_representative: str,
    registered_district: str,
    claimant_is_legal_representative: bool,
    statement: str,
    business_licence: UploadedFile | None,
    authorization: UploadedFile | None = None,
    evidence: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> EnterpriseClaim:
    """争议认领: an enterprise user who belongs to no enterprise claims a credit code someone else holds,
    with the licence, the power of attorney where needed and any further evidence; the bureau decides."""
    require(is_active_user(actor) and actor.role == Role.ENTERPRISE, _("只有企业用户可以提交争议认领。"))
    if EnterpriseMember.objects.filter(user=actor).exists():
        raise ValidationError({"__all__": _("您的账户已关联一家企业，不能再认领其他企业。")})
    errors: dict[str, str] = {}
    code = normalize(credit_code)
    enterprise = None
    problem = uscc_error(code)
    if problem:
        errors["credit_code"] = problem
    else:
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            errors["credit_code"] = _("该统一社会信用代码尚未登记，无需争议认领，请直接登记企业。")
    name = claim_text(name, field="name", label=_("企业名称"), limit=field_max("name"), errors=errors)
    legal = claim_text(
        legal_representative,
        field="legal_representative",
        label=_("法定代表人"),
        limit=field_max("legal_representative"),
        errors=errors,
    )
    text = claim_text(statement, field="statement", label=_("认领说明"), limit=STATEMENT_MAX, errors=errors)
    if registered_district not in District.values:
        errors["registered_district"] = _("请选择注册地。")
    uploads = documents_check(
        business_licence=business_licence,
        authorization=authorization,
        evidence=evidence,
        claimant_is_legal_representative=claimant_is_legal_representative,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    with stored_files() as stored, transaction.atomic():
        claim = claim_record(
            actor=actor,
            enterprise=enterprise,
            kind=Claim.Kind.CONTESTED,
            uploads=uploads,
            stored=stored,
            name=name,
            legal_representative=legal,
            registered_district=registered_district,
            claimant_is_legal_representative=claimant_is_legal_representative,
            statement=text,
            ip=ip,
        )
    return claim


# ---------------------------------------------------------------- the bureau's side


def _lock_pending(claim: EnterpriseClaim) -> tuple[EnterpriseClaim, Enterprise]:
    """The enterprise's row first, then the claim's (the order every writer of an enterprise keeps)."""
    enterprise_id = EnterpriseClaim.objects.values_list("enterprise_id", flat=True).get(pk=claim.pk)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
    locked = EnterpriseClaim.objects.select_for_update().select_related("claimant").get(pk=claim.pk)
    if locked.state != Claim.State.PENDING:
        raise ValidationError(
            {"__all__": _("该认领已处理（%(s)s），不能再次核验。") % {"s": locked.get_state_display()}}
        )
    return locked, enterprise


def mark_verified(enterprise: Enterprise, *, via: str, note: str = "") -> None:
    enterprise.verification_state = VerificationState.VERIFIED
    enterprise.verified_via, enterprise.verified_at, enterprise.verification_note = via, timezone.now(), note


def claim_accept(
    *, actor, claim: EnterpriseClaim, facts_verified: Iterable[str] = (), reason: str = "", ip: str | None = None
) -> EnterpriseClaim:
    """核验通过: the enterprise's identity is verified with the name and legal representative of the licence;
    `facts_verified` (e.g. the registered district the licence shows) are recorded as verified by the
    bureau. A contested claim makes its claimant the owner: the former owner's link to the enterprise
    ends (the agents stay, for the new owner to keep or remove)."""
    require(may_verify_enterprises(actor), _("只有主管部门审核人员可以核验企业。"))
    require_district(actor, claim.enterprise.registered_district)  # a bureau verifies its own district's
    facts = [f for f in facts_verified if f]
    unknown = [f for f in facts if f not in EligibilityFact.values]
    errors: dict[str, str] = {}
    if unknown:
        errors["facts_verified"] = _("未知的认定事实：%(f)s") % {"f": "、".join(unknown)}
    note = str(reason or "").strip()
    if note:
        claim_text(note, field="reason", label=_("核验意见"), limit=REASON_MAX, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim, enterprise = _lock_pending(claim)
        before = {
            "name": enterprise.name,
            "legal_representative": enterprise.legal_representative,
            "verification_state": enterprise.verification_state,
        }
        former: list[int] = []
        if claim.kind == Claim.Kind.CONTESTED:
            former = _transfer_owner(claim, enterprise)
        enterprise.name, enterprise.legal_representative = claim.name, claim.legal_representative
        mark_verified(enterprise, via=VerifiedVia.BUREAU)
        enterprise.save()
        facts_record(enterprise=enterprise, facts=facts, source=FactSource.BUREAU, actor=actor)
        # the other claims on the code waiting beside it are answered by this decision
        others = list(
            EnterpriseClaim.objects.select_for_update()
            .filter(enterprise=enterprise, state=Claim.State.PENDING, kind=Claim.Kind.REGISTRATION)
            .exclude(pk=claim.pk)
        )
        claim.state, claim.decided_by, claim.decided_at = Claim.State.ACCEPTED, actor, timezone.now()
        claim.reason = note
        claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        for other in others:
            other.state, other.decided_by, other.decided_at = Claim.State.WITHDRAWN, actor, claim.decided_at
            other.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="enterprise.claim_accept",
            target=enterprise,
            ip=ip,
            before=before,
            after={
                "claim": claim.pk,
                "kind": claim.kind,
                "owner": claim.claimant_id,
                "former_owners": former,
                "name": enterprise.name,
                "legal_representative": enterprise.legal_representative,
                "facts_verified": facts,
            },
            note=claim.reason,
        )
        with _portal_language():
            notify_users(
                user_ids=[claim.claimant_id],
                kind=Notification.Kind.ACCOUNT,
                subject=_("企业实名核验已通过：%(e)s") % {"e": enterprise.name},
                body=(
                    _("您对“%(e)s”（%(c)s）的争议认领已通过主管部门核验，您现为该企业的法人/负责人。")
                    if claim.kind == Claim.Kind.CONTESTED
                    else _("“%(e)s”（%(c)s）已通过主管部门实名核验，可以提交申报。")
                )
                % {"e": enterprise.name, "c": enterprise.credit_code},
                link=reverse("applications:enterprise"),
                dedupe_key=f"claim-accepted:{claim.pk}",
            )
            if former:
                notify_users(
                    user_ids=former,
                    kind=Notification.Kind.ACCOUNT,
                    subject=_("企业负责人已变更：%(e)s") % {"e": enterprise.name},
                    body=_(
                        "经主管部门核验，“%(e)s”（%(c)s）的法人/负责人已变更为争议认领人，您的账户已不再关联该企业。"
                        "如有异议，请联系主管部门。"
                    )
                    % {"e": enterprise.name, "c": enterprise.credit_code},
                    dedupe_key=f"claim-transferred:{claim.pk}",
                )
    return claim


def _transfer_owner(claim: EnterpriseClaim, enterprise: Enterprise) -> list[int]:
    """The contested claimant becomes the owner; the former owners' links end. Refused when the claimant
    has joined another enterprise meanwhile (a user acts for one enterprise)."""
    mine = EnterpriseMember.objects.select_for_update().filter(user_id=claim.claimant_id).first()
    if mine is not None and mine.enterprise_id != enterprise.pk:
        raise ValidationError({"__all__": _("认领人的账户已关联另一家企业，不能转移负责人身份；请退回本认领。")})
    owners = EnterpriseMember.objects.select_for_update().filter(
        enterprise=enterprise, member_role=EnterpriseMember.MemberRole.OWNER
    )
    former = [m.user_id for m in owners if m.user_id != claim.claimant_id]
    owners.exclude(user_id=claim.claimant_id).delete()
    if mine is None:
        EnterpriseMember.objects.create(
            enterprise=enterprise, user_id=claim.claimant_id, member_role=EnterpriseMember.MemberRole.OWNER
        )
    elif mine.member_role != EnterpriseMember.MemberRole.OWNER:
        mine.member_role = EnterpriseMember.MemberRole.OWNER
        mine.save(update_fields=["member_role"])
    return former


def claim_refuse(*, actor, claim: EnterpriseClaim, reason: str, ip: str | None = None) -> EnterpriseClaim:
    """核验未通过, with the reason the claimant is told. A refused registration leaves the enterprise
    refused until its owner uploads again; a refused contested claim changes nothing of the enterprise."""
    require(may_verify_enterprises(actor), _("只有主管部门审核人员可以核验企业。"))
    require_district(actor, claim.enterprise.registered_district)  # a bureau verifies its own district's
    errors: dict[str, str] = {}
    text = claim_text(reason, field="reason", label=_("不通过的原因"), limit=REASON_MAX, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claim, enterprise = _lock_pending(claim)
        if claim.kind == Claim.Kind.REGISTRATION and not enterprise.is_verified:
            enterprise.verification_state = VerificationState.REFUSED
            enterprise.save(update_fields=["verification_state", "updated_at"])
        claim.state, claim.decided_by, claim.decided_at, claim.reason = (
            Claim.State.REFUSED,
            actor,
            timezone.now(),
            text,
        )
        claim.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        audit_record(
            actor=actor,
            action="enterprise.claim_refuse",
            target=enterprise,
            ip=ip,
            after={"claim": claim.pk, "kind": claim.kind, "claimant": claim.claimant_id},
            note=text,
        )
        with _portal_language():
            again = (
                _("请按意见准备材料后重新提交争议认领。")
                if claim.kind == Claim.Kind.CONTESTED
                else _("请在“企业信息 → 实名核验”页按意见重新上传材料后再次提交核验。")
            )
            notify_users(
                user_ids=[claim.claimant_id],
                kind=Notification.Kind.ACCOUNT,
                subject=_("企业实名核验未通过：%(e)s") % {"e": claim.name},
                body=_("您对“%(e)s”（%(c)s）的%(k)s未通过主管部门核验：%(r)s。")
                % {"e": claim.name, "c": enterprise.credit_code, "k": claim.get_kind_display(), "r": text}
                + again,
                link=reverse(
                    "applications:enterprise_contest"
                    if claim.kind == Claim.Kind.CONTESTED
                    else "applications:enterprise_verification"
                ),
                dedupe_key=f"claim-refused:{claim.pk}",
            )
    return claim
