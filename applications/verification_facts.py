"""The facts that decide eligibility (规上, the districts of registration, tax and statistics, industry,
startup, independent accounts) and the verified identity (name, legal representative) are not the
owner's to change at will once verified: a change is a request with evidence that the bureau accepts
(the values apply, verified by the bureau, audited) or refuses with a reason; department data imported
(e.g. 统计部门的规上企业名录) sets facts as verified with its source and date. Per fact, FactRecord says
how it was established (applications.models_verification)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise
from portal.permissions import is_active_user, may_verify_enterprises, require, require_district

from .models import (
    EligibilityFact,
    Enterprise,
    FactChangeRequest,
    FactImport,
    FactRecord,
    FactSource,
    VerificationDocument,
)
from .selectors import is_owner_of
from .uscc import normalize
from .verification_documents import documents_store, stored_files, uploads_check

# What a verified enterprise changes only through the bureau: the eligibility facts and its identity.
IDENTITY_FIELDS = ("name", "legal_representative")
CONTROLLED_FIELDS = (*EligibilityFact.values, *IDENTITY_FIELDS)
NOTE_MAX = 2000
Request = FactChangeRequest


def field_label(name: str) -> str:
    return str(Enterprise._meta.get_field(name).verbose_name)


def value_display(enterprise_or_none, name: str, value: Any) -> str:
    """A value as the pages show it: 是/否, a district's or industry's name."""
    field = Enterprise._meta.get_field(name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def facts_record(
    *,
    enterprise: Enterprise,
    facts: Iterable[str],
    source: str,
    actor=None,
    fact_import: FactImport | None = None,
    fact_change: FactChangeRequest | None = None,
) -> None:
    """Record how each of `facts` now holds (its present value), inside the caller's transaction."""
    for fact in facts:
        if fact not in EligibilityFact.values:
            continue
        FactRecord.objects.update_or_create(
            enterprise=enterprise,
            fact=fact,
            defaults={
                "value": enterprise.fact_value(fact),
                "source": source,
                "recorded_by": actor if is_active_user(actor) else None,
                "fact_import": fact_import,
                "fact_change": fact_change,
            },
        )


def needs_bureau(enterprise: Enterprise, field: str, verified: Mapping[str, str]) -> bool:
    """Whether changing `field` needs the bureau: everything controlled once the enterprise is verified;
    before that, only a fact already verified (e.g. by imported data)."""
    return field in CONTROLLED_FIELDS and (enterprise.is_verified or field in verified)


def clean_changes(enterprise: Enterprise, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The requested values parsed and validated as the model's fields do; only those that differ."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in CONTROLLED_FIELDS:
            errors[name] = [_("该项不能修改。")]
            continue
        field = Enterprise._meta.get_field(name)
        try:
            value = field.clean(raw.strip() if isinstance(raw, str) else raw, enterprise)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if value != getattr(enterprise, name):
            out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def fact_change_request(
    *,
    actor,
    enterprise: Enterprise,
    changes: Mapping[str, Any],
    note: str = "",
    evidence: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> FactChangeRequest:
    """认定事实变更申请: the owner asks to change facts (and, once verified, the name or the legal
    representative) with evidence; nothing changes until the bureau accepts. A request still pending is
    replaced (withdrawn) by the new one. Call inside or outside a transaction."""
    require(is_owner_of(actor, enterprise.pk), _("只有本企业的法人/负责人可以申请变更认定事实。"))
    wanted = clean_changes(enterprise, changes)
    errors: dict[str, str] = {}
    if not wanted:
        errors["__all__"] = _("申请变更的认定事实与现登记的相同，无需申请。")
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        errors["change_note"] = _("变更说明最多 %(n)d 个字符。") % {"n": NOTE_MAX}
    files = [f for f in evidence if f]
    if not files:
        errors["evidence"] = _(
            "变更规模以上、注册地、行业等认定事实须上传证明材料（如统计部门出具的规上企业证明、"
            "税务或统计关系证明、新的营业执照），由主管部门核验后生效。"
        )
    uploads = uploads_check([("evidence", VerificationDocument.Kind.EVIDENCE, f, "") for f in files], errors)
    if errors:
        raise ValidationError(errors)
    with stored_files() as stored, transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        for old in Request.objects.select_for_update().filter(enterprise=locked, state=Request.State.PENDING):
            old.state, old.decided_at = Request.State.WITHDRAWN, timezone.now()
            old.save(update_fields=["state", "decided_at"])
            audit_record(
                actor=actor,
                action="enterprise.fact_change_withdraw",
                target=locked,
                ip=ip,
                after={"fact_change": old.pk},
            )
        before = {k: getattr(locked, k) for k in wanted}
        request = Request.objects.create(
            enterprise=locked, requested_by=actor, changes=wanted, before=before, note=text
        )
        docs = documents_store(uploads, actor=actor, stored=stored, fact_change=request)
        audit_record(
            actor=actor,
            action="enterprise.fact_change_request",
            target=locked,
            ip=ip,
            before=before,
            after={"fact_change": request.pk, "changes": wanted, "documents": [d.pk for d in docs]},
            note=text,
        )
    return request


def _lock_pending(request: FactChangeRequest) -> tuple[FactChangeRequest, Enterprise]:
    """The enterprise's row first, then the request's (the order fact_change_request keeps)."""
    enterprise_id = Request.objects.values_list("enterprise_id", flat=True).get(pk=request.pk)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if locked.state != Request.State.PENDING:
        raise ValidationError(
            {"__all__": _("该变更申请已处理（%(s)s），不能再次核验。") % {"s": locked.get_state_display()}}
        )
    return locked, enterprise


def fact_change_accept(*, actor, request: FactChangeRequest, ip: str | None = None) -> FactChangeRequest:
    """核验通过: the requested values apply and count as verified by the bureau."""
    require(may_verify_enterprises(actor), _("只有主管部门审核人员可以核验企业。"))
    require_district(actor, request.enterprise.registered_district)  # a bureau verifies its own district's
    with transaction.atomic():
        request, enterprise = _lock_pending(request)
        before = {k: getattr(enterprise, k) for k in request.changes}
        values = clean_changes(enterprise, request.changes)  # the model's rule again, on today's record
        for name, value in values.items():
            setattr(enterprise, name, value)
        enterprise.save()
        facts_record(
            enterprise=enterprise, facts=request.changes, source=FactSource.BUREAU, actor=actor, fact_change=request
        )
        request.state, request.decided_by, request.decided_at = Request.State.ACCEPTED, actor, timezone.now()
        request.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="enterprise.fact_change_accept",
            target=enterprise,
            ip=ip,
            before=before,
            after={"fact_change": request.pk, **{k: getattr(enterprise, k) for k in request.changes}},
        )
        _notify(request, accepted=True)
    return request


def fact_change_refuse(*, actor, request: FactChangeRequest, reason: str, ip: str | None = None) -> FactChangeRequest:
    """核验未通过, with the reason; nothing of the enterprise changes."""
    require(may_verify_enterprises(actor), _("只有主管部门审核人员可以核验企业。"))
    require_district(actor, request.enterprise.registered_district)  # a bureau verifies its own district's
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请填写不通过的原因。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"reason": _("不通过的原因最多 %(n)d 个字符。") % {"n": NOTE_MAX}})
    with transaction.atomic():
        request, enterprise = _lock_pending(request)
        request.state, request.decided_by, request.decided_at = Request.State.REFUSED, actor, timezone.now()
        request.reason = text
        request.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        audit_record(
            actor=actor,
            action="enterprise.fact_change_refuse",
            target=enterprise,
            ip=ip,
            after={"fact_change": request.pk, "changes": request.changes},
            note=text,
        )
        _notify(request, accepted=False)
    return request


def _notify(request: FactChangeRequest, *, accepted: bool) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        what = "、".join(field_label(k) for k in request.changes)
        if accepted:
            subject = _("认定事实变更已核验通过")
            body = _("贵企业申请变更的%(w)s已通过主管部门核验并生效。") % {"w": what}
        else:
            subject = _("认定事实变更未通过核验")
            body = _("贵企业申请变更的%(w)s未通过主管部门核验：%(r)s。原登记信息不变。") % {
                "w": what,
                "r": request.reason,
            }
        notify_enterprise(
            enterprise_id=request.enterprise_id,
            kind=Notification.Kind.ACCOUNT,
            subject=subject,
            body=body,
            link=reverse("applications:enterprise"),
            dedupe_key=f"fact-change-{'accepted' if accepted else 'refused'}:{request.pk}",
        )


# ---------------------------------------------------------------- department data


def fact_value_parse(fact: str, raw: Any) -> Any:
    """A value as department data writes it: 是/否 (true/false, 1/0) for the yes-or-no facts, a district's
    or an industry's Chinese name (黄埔区, 天河区, 人工智能) or code for the others."""
    field = Enterprise._meta.get_field(fact)
    text = str(raw if raw is not None else "").strip()
    if field.get_internal_type() == "BooleanField":
        if isinstance(raw, bool):
            return raw
        lowered = text.lower()
        if lowered in ("是", "true", "1", "y", "yes"):
            return True
        if lowered in ("否", "false", "0", "n", "no"):
            return False
        raise ValidationError(_("“%(v)s”不是“是”或“否”。") % {"v": text})
    with translation.override("zh-hans"):
        by_label = {str(label): value for value, label in field.flatchoices}
    by_label.update({label.split("/")[0]: value for label, value in list(by_label.items())})
    if text in dict(field.flatchoices):
        return text
    if text in by_label:
        return by_label[text]
    raise ValidationError(_("“%(v)s”不是有效的%(f)s。") % {"v": text, "f": field_label(fact)})


def facts_import(
    *,
    rows: Iterable[Mapping[str, Any]],
    source: str,
    source_date: dt.date,
    file_name: str,
    sha256: str,
    set_values: Mapping[str, Any] | None = None,
    actor=None,
) -> FactImport:
    """Apply department data: each row names a credit code and facts (or `set_values` gives the same
    facts to every row, e.g. is_above_scale=是 for a 规上企业名录). The enterprises found take the values,
    verified by the import (source and date recorded); codes no enterprise holds are counted. Any bad
    row refuses the whole file (ValidationError naming the rows); nothing is half-imported."""

    if actor is not None and not may_verify_enterprises(actor):
        raise PermissionDenied(_("只有主管部门审核人员可以导入部门数据。"))
    source = str(source or "").strip()
    if not source:
        raise ValidationError({"source": _("请写明数据来源（如：广州市统计局规模以上工业企业名录）。")})
    limit = FactImport._meta.get_field("source").max_length
    if len(source) > limit:
        raise ValidationError({"source": _("数据来源最多 %(n)d 个字符。") % {"n": limit}})
    errors: list[str] = []
    parsed: list[tuple[str, dict[str, Any]]] = []
    rows = list(rows)
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        code = normalize(row.get("credit_code"))
        values: dict[str, Any] = {}
        for fact, raw in {**(set_values or {}), **{k: v for k, v in row.items() if k != "credit_code"}}.items():
            if fact not in EligibilityFact.values:
                errors.append(_("第%(n)d行：未知的认定事实“%(f)s”。") % {"n": n, "f": fact})
                continue
            try:
                values[fact] = fact_value_parse(fact, raw)
            except ValidationError as error:
                errors.append(_("第%(n)d行：%(e)s") % {"n": n, "e": "；".join(error.messages)})
        if not code:
            errors.append(_("第%(n)d行：缺少统一社会信用代码。") % {"n": n})
        elif values:
            parsed.append((code, values))
    if not parsed and not errors:
        errors.append(_("文件中没有可导入的认定事实。"))
    if errors:
        shown = 50  # the first errors of a long file, and how many more there are
        more = [_("另有 %(n)d 处错误未列出。") % {"n": len(errors) - shown}] if len(errors) > shown else []
        raise ValidationError(errors[:shown] + more)
    with transaction.atomic():
        name_limit = FactImport._meta.get_field("file_name").max_length
        batch = FactImport.objects.create(
            source=source,
            source_date=source_date,
            sha256=sha256,
            rows=len(rows),
            file_name=file_name if len(file_name) <= name_limit else "…" + file_name[-(name_limit - 1) :],
        )  # the name's end says most
        found = {
            e.credit_code: e
            for e in Enterprise.objects.select_for_update().filter(credit_code__in=[code for code, _v in parsed])
        }
        for code, values in parsed:
            enterprise = found.get(code)
            if enterprise is None:
                batch.unknown += 1
                continue
            before = {k: getattr(enterprise, k) for k in values}
            for fact, value in values.items():
                setattr(enterprise, fact, value)
            enterprise.save()
            facts_record(enterprise=enterprise, facts=values, source=FactSource.IMPORT, actor=actor, fact_import=batch)
            audit_record(
                actor=actor,
                action="enterprise.facts_import",
                target=enterprise,
                before=before,
                after={"fact_import": batch.pk, **values},
                note=str(batch),
            )
            batch.applied += 1
        batch.save(update_fields=["unknown", "applied"])
    return batch
