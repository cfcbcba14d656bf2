"""Writes on enterprises and applications. Each service owns its transaction, checks the actor,
writes the audit event in the same transaction and enqueues follow-up work on commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification, Role
from portal.notifications import notify_enterprise
from portal.permissions import in_district
from vouchers.calculator import InputError
from vouchers.lifecycle import accepts_new_applications, basis_date
from vouchers.models import Programme
from vouchers.selectors import estimate_as_json, estimate_for, programme_spec, window_open_for

from .drafts import DATE_FIELDS, LIST_FIELDS, TEXT_FIELDS, clean_draft, completeness_errors, raw_text
from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    ProjectClaim,
    ReferenceSequence,
    VerificationState,
    VerifiedVia,
)
from .selectors import allowed_materials, basis_of, current_attachments, enterprise_of, open_supplement
from .services_preapproval import preapproval_choose, preapproval_estimate, preapproval_lock, preapproval_problems
from .uploads import check_upload
from .uscc import normalize, uscc_error
from .verification import already_claimed_message, claim_record, documents_check, unverified_message
from .verification_documents import stored_files
from .workflow import ADMIN, APPLICANT, EDITABLE_BY_APPLICANT, REVIEWER, SYSTEM, TRANSITIONS, State


class TransitionRefused(ValidationError):
    """An impossible or forbidden change of state; nothing was changed."""


# ---------------------------------------------------------------- enterprises

ENTERPRISE_FIELDS = (
    "name", "registered_district", "tax_district", "stats_district", "industry", "is_above_scale",
    "is_startup", "has_independent_accounts", "legal_representative", "contact_name", "contact_phone",
    "contact_email", "address",
)


def enterprise_register(*, actor, credit_code: str, ip: str | None = None, override_reason: str = "",
                        business_licence: UploadedFile | None = None, authorization: UploadedFile | None = None,
                        claimant_is_legal_representative: bool = False, **fields) -> Enterprise:
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
        uploads = documents_check(business_licence=business_licence, authorization=authorization,
                                  claimant_is_legal_representative=claimant_is_legal_representative, errors=errors)
    if errors:
        raise ValidationError(errors)
    with stored_files() as stored, transaction.atomic():
        enterprise = Enterprise(credit_code=code, credit_code_override_reason=override_reason.strip() if problem
                                else "", **{k: v for k, v in fields.items() if k in ENTERPRISE_FIELDS})
        if is_admin:  # entered by the bureau from its own files
            enterprise.verification_state, enterprise.verified_via = VerificationState.VERIFIED, VerifiedVia.BUREAU
            enterprise.verified_at = timezone.now()
        enterprise.full_clean(exclude=["credit_code"])
        try:
            with transaction.atomic():
                enterprise.save()
        except IntegrityError:  # the same code registered a moment before (credit_code is unique)
            raise ValidationError({"credit_code": already_claimed_message()}) from None
        audit_record(actor=actor, action="enterprise.register", target=enterprise, ip=ip,
                     after={"credit_code": code, **{k: fields.get(k) for k in ENTERPRISE_FIELDS}},
                     note=override_reason if problem else "")
        if not is_admin:
            EnterpriseMember.objects.create(enterprise=enterprise, user=actor,
                                            member_role=EnterpriseMember.MemberRole.OWNER)
            claim_record(actor=actor, enterprise=enterprise, kind=EnterpriseClaim.Kind.REGISTRATION, uploads=uploads,
                         stored=stored, legal_representative=enterprise.legal_representative,
                         claimant_is_legal_representative=claimant_is_legal_representative, ip=ip)
    return enterprise


# ---------------------------------------------------------------- timeline and transitions

def timeline_add(*, application: Application, actor, action: str, message: str = "", from_state: str = "",
                 to_state: str = "", data: dict | None = None, visible_to_applicant: bool = True
                 ) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application, actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action, from_state=from_state, to_state=to_state, message=message, data=data or {},
        visible_to_applicant=visible_to_applicant,
    )


def actor_kinds(*, actor, application: Application) -> set[str]:
    """What the actor is in relation to this application, in the workflow table's terms."""
    if actor is None:
        return {SYSTEM}
    kinds: set[str] = set()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return kinds
    membership = getattr(actor, "membership", None)
    own = membership is not None and membership.enterprise_id == application.enterprise_id
    if actor.role == Role.ENTERPRISE and own:
        kinds.add(APPLICANT)
    if actor.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN) \
            and not in_district(actor, application.programme.policy.district):
        return kinds  # bureau staff act on their own district's applications only
    if actor.role == Role.REVIEWER:
        kinds.add(REVIEWER)
    if actor.role in (Role.BUREAU_ADMIN, Role.SYSADMIN):
        kinds.add(ADMIN)
    return kinds


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # application_transition(due_date=KEEP): the stage deadline stays as it is


def applications_lock(ids: Iterable[int]) -> dict[int, Application]:
    """Lock these applications' rows for the caller's transaction, in id order (two callers locking
    overlapping sets never deadlock), with their programmes; by id."""
    return {app.pk: app for app in Application.objects.select_for_update().select_related("programme")
            .filter(pk__in=sorted({int(i) for i in ids})).order_by("pk")}


def application_lock(application: Application | int) -> Application:
    """Lock one application's row for the caller's transaction (with its programme, policy and
    enterprise): the first step of a service that reads, checks and then moves it."""
    return _lock(application)


def transition_check(*, actor, application: Application, transition: str) -> None:
    """Refuse (TransitionRefused / PermissionDenied, nothing changed) unless `transition` may fire
    now from the application's state on its programme's review path, by this actor. A service calls
    it before its own writes; application_transition calls it again under the row lock."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("未知的办理操作：%(t)s") % {"t": transition})
    if application.state not in spec.sources or application.programme.review_path not in spec.paths:
        raise TransitionRefused(
            _("申报 %(ref)s 当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"ref": application.reference, "state": application.get_state_display(), "action": spec.label})
    if not (actor_kinds(actor=actor, application=application) & set(spec.actors)):
        raise PermissionDenied(_("您无权对该申报执行“%(action)s”。") % {"action": spec.label})


def application_transition(*, actor, application: Application | int, transition: str, message: str = "",
                           data: dict | None = None, ip: str | None = None,
                           guard: Callable[[Application], None] | None = None,
                           apply: Callable[[Application], None] | None = None,
                           on_commit: Callable[[Application], None] | None = None,
                           visible_to_applicant: bool = True,
                           due_date: dt.date | None | _Keep = KEEP) -> Application:
    """The one way an application changes state.

    Locks the application row, checks the transition exists from the current state on the
    programme's review path and that the actor may fire it (transition_check), sets the stage
    deadline `due_date` when given (None clears it), records the audit event and the timeline entry.
    Refusals raise TransitionRefused/PermissionDenied and change nothing. `actor=None` means the
    system (periodic tasks).

    A service that reads top to bottom locks (application_lock), checks and writes itself, then
    calls this once with plain arguments. `guard` (raise to refuse), `apply` (further writes) and
    `on_commit` (after the commit) remain for the callers not yet written that way."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("未知的办理操作：%(t)s") % {"t": transition})
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = (Application.objects.select_for_update().select_related("programme").get(pk=pk))
        transition_check(actor=actor, application=app, transition=transition)
        if guard is not None:
            guard(app)
        before = app.state
        app.state = spec.target
        now = timezone.now()
        if transition == "submit" and app.submitted_at is None:
            app.submitted_at = now
        if spec.target in ("approved_pending_notice", "declined"):
            app.decided_at = now
        if due_date is not KEEP:
            app.due_date = due_date
        if apply is not None:
            apply(app)
        app.save()
        audit_record(actor=actor, action=f"application.{transition}", target=app, ip=ip,
                     before={"state": before}, after={"state": app.state, **(data or {})}, note=message)
        timeline_add(application=app, actor=actor, action=transition, from_state=before, to_state=app.state,
                     message=message, data=data, visible_to_applicant=visible_to_applicant)
        if on_commit is not None:
            transaction.on_commit(lambda: _in_portal_language(on_commit, app))
    return app


def _in_portal_language(callback: Callable[[Application], None], app: Application) -> None:
    """Follow-up work (notifications and their e-mails, letters) writes records that other people read
    later: in the portal's language (Chinese), whichever language the acting user reads the pages in."""
    with translation.override(settings.LANGUAGE_CODE):
        callback(app)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)



# ---------------------------------------------------------------- the applicant's journey

def _require_applicant(actor, app: Application) -> None:
    if APPLICANT not in actor_kinds(actor=actor, application=app):
        raise PermissionDenied(_("只有本企业的成员可以办理该申报。"))


def _require_editable(app: Application) -> None:
    if app.state not in EDITABLE_BY_APPLICANT:
        raise TransitionRefused(_("申报 %(ref)s 当前状态为“%(state)s”，不能修改。")
                                % {"ref": app.reference, "state": app.get_state_display()})


def _require_applicant_of(actor, application: Application | int) -> None:
    """Refuse a non-member before anything else (the transition checks again under the row lock)."""
    app = application if isinstance(application, Application) else Application.objects.filter(pk=application).first()
    if app is None:
        raise PermissionDenied(_("只有本企业的成员可以办理该申报。"))
    _require_applicant(actor, app)


def _lock(application: Application | int) -> Application:
    pk = application.pk if isinstance(application, Application) else application
    return Application.objects.select_for_update().select_related("programme__policy", "enterprise").get(pk=pk)


def reference_next(*, on: dt.date | None = None) -> str:
    """The next application reference of the year, GZAI-2026-000123. Call inside a transaction:
    the year's counter row stays locked until it commits, so two callers never get the same number."""
    year = (on or timezone.localdate()).year
    seq, _created = ReferenceSequence.objects.select_for_update().get_or_create(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"GZAI-{year}-{seq.last:06d}"


@dataclass
class DraftSaved:
    application: Application
    errors: dict[str, str] = field(default_factory=dict)  # fields kept as typed but not (yet) valid
    estimate_error: str = ""  # why no estimate could be computed (inputs complete but refused)


def _sync_claims(app: Application, kind: str, values: list[str]) -> None:
    current = set(app.claims.filter(kind=kind).values_list("value", flat=True))
    wanted = set(values)
    if current == wanted:
        return
    app.claims.filter(kind=kind).exclude(value__in=wanted).delete()
    ProjectClaim.objects.bulk_create([ProjectClaim(application=app, kind=kind, value=v) for v in values
                                      if v not in current])


def _refresh_estimate(app: Application) -> str:
    """Recompute the stored estimate from the application's inputs; the reason when it cannot be."""
    spec = programme_spec(app.programme)
    if completeness_errors(spec, app.inputs):
        app.estimate_amount, app.estimate = None, None
        return ""
    try:
        est = estimate_for(programme=app.programme, inputs=app.inputs, enterprise=app.enterprise, on=basis_of(app),
                           exclude_application_id=app.pk, project_key=app.project_key)
    except InputError as exc:
        app.estimate_amount, app.estimate = None, None
        if "date" in exc.errors and app.basis_date is None:  # judged today, outside the validity
            try:
                basis_date(programme=app.programme, submitted_on=timezone.localdate(), period_end=app.period_end)
            except ValidationError as why:
                exc.errors["date"] = "；".join(why.messages)
        return "；".join(exc.errors.values())
    est = preapproval_estimate(app, est)  # th-events: satisfied only by a named 事前同意
    app.estimate_amount, app.estimate = est.amount, estimate_as_json(est)
    return ""


def application_save_draft(*, actor, application: Application | int, data: Mapping[str, Any],
                           strict: bool = False, autosave: bool = False, ip: str | None = None) -> DraftSaved:
    """Save what the applicant typed (a partial update: only the keys in `data`).

    Lenient (the browser, `strict=False`): everything is kept as typed in `draft_data` so nothing
    is lost, what validates goes into the columns, claims and inputs, and the rest comes back as
    field errors. Strict (the API): any invalid field refuses the whole save (ValidationError).
    Missing values are not errors here; submission checks completeness. Only members of the
    application's enterprise, and only while it is a draft or awaits a supplement."""
    with transaction.atomic():
        app = _lock(application)
        _require_applicant(actor, app)
        _require_editable(app)
        spec = programme_spec(app.programme)
        cleaned = clean_draft(spec, data)
        if strict and cleaned.errors:
            raise ValidationError(cleaned.errors)
        before = {"inputs": dict(app.inputs), "title": app.title, "project_key": app.project_key,
                  "claims": sorted(f"{c.kind}:{c.value}" for c in app.claims.all()), "preapproval": app.preapproval_id}
        if "preapproval" in data:  # the 事前同意 the claim rests on (th-events)
            problem = preapproval_choose(actor=actor, application=app, value=data["preapproval"])
            if problem and strict:
                raise ValidationError({"preapproval": problem})
            if problem:
                cleaned.errors["preapproval"] = problem
        draft = dict(app.draft_data or {})
        for key in (*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS):
            if key in data:
                draft[key] = raw_text(data[key])
        if isinstance(data.get("inputs"), Mapping):
            draft_inputs = dict(draft.get("inputs") or {})
            for name, value in data["inputs"].items():
                if f"inputs.{name}" in cleaned.errors and name not in {m["name"] for m in spec.inputs}:
                    continue  # unknown names are reported, not kept
                draft_inputs[str(name)] = raw_text(value)
            draft["inputs"] = draft_inputs
        for key, value in cleaned.values.items():
            setattr(app, key, value)
        inputs = {k: v for k, v in app.inputs.items() if k not in cleaned.dropped_inputs}
        inputs.update(cleaned.inputs)
        app.inputs = inputs
        app.draft_data = draft
        app.draft_saved_at = timezone.now()
        if "project_key" in cleaned.values:
            _sync_claims(app, ProjectClaim.Kind.PROJECT, [app.project_key] if app.project_key else [])
        if "contract_numbers" in cleaned.numbers:
            _sync_claims(app, ProjectClaim.Kind.CONTRACT, cleaned.numbers["contract_numbers"])
        if "invoice_numbers" in cleaned.numbers:
            _sync_claims(app, ProjectClaim.Kind.INVOICE, cleaned.numbers["invoice_numbers"])
        estimate_error = _refresh_estimate(app)
        app.save()
        after = {"inputs": dict(app.inputs), "title": app.title, "project_key": app.project_key,
                 "claims": sorted(f"{c.kind}:{c.value}" for c in app.claims.all()), "preapproval": app.preapproval_id}
        # Keystroke autosaves of a draft are not audited; every other change is.
        if after != before and (not autosave or app.state != State.DRAFT):
            audit_record(actor=actor, action="application.save_draft", target=app, ip=ip, before=before,
                         after=after)
    return DraftSaved(application=app, errors=cleaned.errors, estimate_error=estimate_error)


def application_create(*, actor, programme: Programme, data: Mapping[str, Any] | None = None,
                       strict: bool = False, ip: str | None = None) -> DraftSaved:
    """Open a draft application of the actor's enterprise under the programme, with a reference
    number; `data` (optional) is saved into it as by application_save_draft."""
    enterprise = enterprise_of(actor)
    if enterprise is None or actor.role != Role.ENTERPRISE or not actor.is_active:
        raise PermissionDenied(_("请先登记您的企业，或接受企业负责人的邀请后再申报。"))
    if not accepts_new_applications(programme.policy):
        raise ValidationError({"programme": _("“%(p)s”所依据的政策已于 %(d)s 到期，且未开放清算批次，不能再申报。")
                               % {"p": programme.name_zh, "d": programme.policy.valid_to.isoformat()}})
    if strict and data:
        cleaned = clean_draft(programme_spec(programme), data)
        if cleaned.errors:
            raise ValidationError(cleaned.errors)
    with transaction.atomic():
        app = Application.objects.create(reference=reference_next(), enterprise=enterprise, programme=programme,
                                         created_by=actor, state=State.DRAFT)
        audit_record(actor=actor, action="application.create", target=app, ip=ip,
                     after={"reference": app.reference, "programme": programme.code})
        timeline_add(application=app, actor=actor, action="create", to_state=State.DRAFT,
                     message=_("创建申报草稿"))
        saved = application_save_draft(actor=actor, application=app, data=data or {}, strict=strict, ip=ip)
    return saved


def attachment_add(*, actor, application: Application | int, material: str, upload: UploadedFile,
                   replaces: int | None = None, ip: str | None = None) -> Attachment:
    """Store one piece of evidence privately. The type is decided by content (PDF, JPEG, PNG, OFD),
    the size is bounded per file and per application, the name is sanitised and the SHA-256 kept.
    `replaces` marks an earlier current file of the application superseded. Any refusal or failure
    leaves the application and the disk as they were."""
    try:  # before any lock: reading the file may take a while
        checked = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    stored_name = ""
    try:
        with transaction.atomic():
            app = _lock(application)
            _require_applicant(actor, app)
            _require_editable(app)
            materials = allowed_materials(app)
            if material not in materials:
                raise ValidationError({"material": _("请选择材料类别。")})
            old = None
            if replaces is not None:
                old = current_attachments(app).filter(pk=replaces).first()
                if old is None:
                    raise ValidationError({"replaces": _("要替换的文件不存在或已被替换。")})
                if old.material != material:  # a file replaces only a file of its own material
                    raise ValidationError({"replaces": _(
                        "只能替换同一材料类别的文件：“%(old)s”属于“%(was)s”，而本次上传的是“%(now)s”。") % {
                        "old": old.original_name, "was": materials.get(old.material, old.material),
                        "now": materials[material]}})
            limit = settings.PORTAL_UPLOAD_MAX_APPLICATION_BYTES
            counted = current_attachments(app)
            if old is not None:
                counted = counted.exclude(pk=old.pk)
            used = counted.aggregate(total=Sum("size"))["total"] or 0
            if used + checked.size > limit:
                raise ValidationError({"file": _("本申报的附件合计不能超过 %(limit)s（已上传 %(used)s）。")
                                       % {"limit": filesizeformat(limit), "used": filesizeformat(used)}})
            attachment = Attachment(application=app, material=material, original_name=checked.safe_name,
                                    content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                    uploaded_by=actor)
            # The stored name is ours (random), never the user's.
            attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
            stored_name = attachment.file.name or ""
            attachment.save()
            if old is not None:
                old.superseded_at = timezone.now()
                old.save(update_fields=["superseded_at"])
            audit_record(actor=actor, action="application.attachment_add", target=app, ip=ip,
                         after={"attachment": attachment.pk, "material": material, "name": checked.safe_name,
                                "sha256": checked.sha256, "size": checked.size,
                                "replaces": old.pk if old else None})
            timeline_add(application=app, actor=actor, action="attachment_add",
                         message=_("上传材料“%(m)s”：%(n)s") % {"m": materials[material], "n": checked.safe_name}
                         + (_("（替换 %(o)s）") % {"o": old.original_name} if old else ""),
                         data={"attachment": attachment.pk, "material": material,
                               "replaces": old.pk if old else None})
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return attachment


def attachment_remove(*, actor, application: Application | int, attachment_id: int,
                      ip: str | None = None) -> None:
    """Take a file out of the application while it is editable (kept on record as superseded)."""
    with transaction.atomic():
        app = _lock(application)
        _require_applicant(actor, app)
        _require_editable(app)
        attachment = current_attachments(app).filter(pk=attachment_id).first()
        if attachment is None:
            raise ValidationError({"attachment": _("文件不存在或已被替换。")})
        attachment.superseded_at = timezone.now()
        attachment.save(update_fields=["superseded_at"])
        audit_record(actor=actor, action="application.attachment_remove", target=app, ip=ip,
                     before={"attachment": attachment.pk, "name": attachment.original_name})
        timeline_add(application=app, actor=actor, action="attachment_remove",
                     message=_("删除材料：%(n)s") % {"n": attachment.original_name},
                     data={"attachment": attachment.pk})


def submission_problems(app: Application) -> dict[str, str]:
    """What keeps the application from being submitted (or resubmitted), field by field."""
    errors: dict[str, str] = {}
    if not app.enterprise.is_verified:  # 实名核验: an unverified enterprise drafts and estimates only
        errors["enterprise"] = unverified_message(app.enterprise)
    if not app.title.strip():
        errors["title"] = _("请填写项目名称。")
    spec = programme_spec(app.programme)
    raw = dict(app.inputs)
    raw.update({k: v for k, v in ((app.draft_data or {}).get("inputs") or {}).items()})
    errors.update(completeness_errors(spec, raw))
    errors.update(preapproval_problems(app))
    if not app.claims.exists():
        errors["contract_numbers"] = _("请至少填写合同编号、发票号码或项目标识之一（用于“从高不重复”核查）。")
    have = set(current_attachments(app).values_list("material", flat=True))
    missing = [m.get("label_zh") or m["code"] for m in app.programme.materials or [] if m["code"] not in have]
    if missing:
        errors["materials"] = _("尚未上传以下材料：%(m)s。") % {"m": "、".join(missing)}
    return errors


def _window_closed_message(programme: Programme) -> str:
    upcoming = programme.windows.filter(opens_at__gt=timezone.now()).order_by("opens_at").first()
    if upcoming is not None:
        return _("“%(p)s”当前不在申报期内。下一批次“%(w)s”将于 %(t)s 开始受理，草稿已保存，届时再提交。") % {
            "p": programme.name_zh, "w": upcoming.name,
            "t": timezone.localtime(upcoming.opens_at).strftime("%Y-%m-%d %H:%M")}
    return _("“%(p)s”当前不在申报期内（申报批次由主管部门公布），草稿已保存，可在开放申报后提交。") % {
        "p": programme.name_zh}


def application_submit(*, actor, application: Application | int, declaration: bool,
                       ip: str | None = None) -> Application:
    """提交 submit a draft within an open window of its programme, with the declaration (承诺) that
    the information is true. Idempotent: a second click, or a retry after the first answer was
    lost, finds the application submitted and returns it as it stands (已提交), changing nothing."""
    _require_applicant_of(actor, application)
    if not declaration:
        raise ValidationError({"declaration": _("请阅读并勾选承诺：所填信息及上传材料真实、准确、完整。")})
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=pk)
        if current.state != State.DRAFT and current.submitted_at is not None:
            return current
        return _submit(actor=actor, application=pk, ip=ip)


def _submit(*, actor, application: int, ip: str | None) -> Application:
    state: dict[str, Any] = {}

    def guard(app: Application) -> None:
        window = window_open_for(programme=app.programme, at=timezone.now())
        if window is None:
            raise TransitionRefused({"__all__": _window_closed_message(app.programme)})
        preapproval_lock(app)
        problems = submission_problems(app)
        if problems:
            raise ValidationError(problems)
        state["window"] = window
        # 测算基准日: fixed now, judged on it from here to the last payment (vouchers.lifecycle)
        # a th-events claim's facts are the event's: its date is the period's end unless one is named
        period = app.period_end or (app.preapproval.event_date if app.preapproval_id else None)
        state["basis"] = basis_date(programme=app.programme, submitted_on=timezone.localdate(),
                                    period_end=period, window=window)

    def apply(app: Application) -> None:
        app.window = state["window"]
        app.basis_date = state["basis"]
        app.declared_at = timezone.now()
        app.declared_by = actor
        _refresh_estimate(app)
        notify_enterprise(
            enterprise_id=app.enterprise_id, kind=Notification.Kind.SUBMITTED,
            subject=_("申报已提交：%(ref)s") % {"ref": app.reference},
            body=_("贵单位的申报“%(title)s”（%(p)s，编号 %(ref)s）已于 %(t)s 提交，进入形式审查。"
                   "请留意站内信，如需补正将另行通知。") % {
                "title": app.title, "p": app.programme.name_zh, "ref": app.reference,
                "t": timezone.localtime(app.declared_at).strftime("%Y-%m-%d %H:%M")},
            link=reverse("applications:detail", args=[app.pk]), dedupe_key=f"submitted:{app.pk}")

    return application_transition(actor=actor, application=application, transition="submit", ip=ip,
                                  message=_("提交申报并承诺所填信息真实、准确、完整"), guard=guard, apply=apply)


def application_resubmit(*, actor, application: Application | int, answers: Mapping[str, Any],
                         ip: str | None = None) -> Application:
    """补正后重新提交: every item of the open request is answered in words or by a file uploaded under
    its code since the request; the answers go into the timeline event (data["answers"])."""
    _require_applicant_of(actor, application)
    clean_answers = {str(k): raw_text(v).strip()[:2000] for k, v in (answers or {}).items()}
    recorded: dict[str, Any] = {}
    review_due: dict[str, dt.date | None] = {"date": None}

    def guard(app: Application) -> None:
        request = open_supplement(app)
        try:  # the reviewer's own deadline, which the reviewer side stored with the request
            review_due["date"] = dt.date.fromisoformat(str(request.data.get("review_due_date"))) if request else None
        except ValueError:
            review_due["date"] = None
        items = (request.data.get("items") or []) if request else []
        codes = [str(i.get("code") or "") for i in items]
        errors: dict[str, str] = {}
        unknown = [c for c in clean_answers if c not in codes]
        if unknown:
            errors["answers"] = _("补正事项不存在：%(c)s") % {"c": "、".join(unknown)}
        since = request.created_at if request else None
        uploaded = set(current_attachments(app).filter(uploaded_at__gte=since).values_list("material", flat=True)) \
            if since else set()
        for item, code in zip(items, codes, strict=True):
            if not clean_answers.get(code) and code not in uploaded:
                errors[f"answers.{code}"] = _("请就“%(l)s”作出说明或上传材料。") % {"l": item.get("label") or code}
        preapproval_lock(app)
        errors.update(submission_problems(app))
        if errors:
            raise ValidationError(errors)
        recorded["answers"] = {c: clean_answers.get(c, "") for c in codes}
        recorded["files"] = {c: list(current_attachments(app).filter(uploaded_at__gte=since, material=c)
                                     .values_list("pk", flat=True)) for c in codes}

    def apply(app: Application) -> None:
        app.due_date = review_due["date"]
        _refresh_estimate(app)

    # The event's data is written by the transition from `recorded`, filled in by the guard.
    return application_transition(actor=actor, application=application, transition="resubmit", ip=ip,
                                  message=_("补正后重新提交"), data=recorded, guard=guard, apply=apply)


def application_withdraw(*, actor, application: Application | int, reason: str = "",
                         ip: str | None = None) -> Application:
    """撤回 before a decision. Whatever the application held is freed: nothing is reserved before a
    decision in this workflow, but any reserved award is released through the budget service."""
    _require_applicant_of(actor, application)
    reason = (reason or "").strip()[:500]

    def apply(app: Application) -> None:
        from vouchers.models import Award  # budget models; vouchers never imports applications

        held = list(Award.objects.filter(application=app, status=Award.Status.RESERVED))
        if held:
            from vouchers.services.budget import award_release

            for award in held:
                award_release(actor=None, award=award, reason=_("申报已撤回"))
        app.due_date = None

    return application_transition(actor=actor, application=application, transition="withdraw", ip=ip,
                                  message=reason or _("申报单位撤回申报"), data={"reason": reason}, apply=apply)
