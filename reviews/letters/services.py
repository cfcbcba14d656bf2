"""Writes on letters: create (number + snapshot, in the decision's transaction), generate (render
once, store immutably with SHA-256), revoke, and the administrators' batch generation."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Application, PreApproval
from portal.audit import audit_record
from portal.limits import require_length
from portal.models import Notification, Role
from portal.notifications import notify_enterprise
from portal.outbox import outbox_enqueue
from portal.permissions import district_q, require_bureau_admin, require_district
from reviews.models import Letter, LetterIssuer
from vouchers.models import Award, Clawback

from . import content, snapshots
from .numbering import kind_prefix, number_format, number_take

# The template version each kind is issued with now; a letter keeps the version it was issued with.
TEMPLATES: dict[str, str] = {
    Letter.Kind.APPROVAL: "approval_v1",
    Letter.Kind.DECLINE: "decline_v1",
    Letter.Kind.SUPPLEMENT: "supplement_v1",
    Letter.Kind.PREAPPROVAL: "preapproval_v1",
    Letter.Kind.CLAWBACK: "clawback_v1",
}
APPLICATION_KINDS = (Letter.Kind.APPROVAL, Letter.Kind.DECLINE, Letter.Kind.SUPPLEMENT)
ISSUERS = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LENGTH = 10
# Named, not imported: reviews.letters.tasks imports this module (the task calls the service).
LETTER_GENERATE_TASK = "reviews.letters.tasks.letter_generate"
logger = logging.getLogger("reviews.letters")


def code_normalize(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: CODE_LENGTH * 2]


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Letter.objects.filter(code=code).exists():
            return code


def _check_issuer(actor) -> None:
    if actor is None:  # the system (periodic tasks: public notice finalised)
        return
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.role in ISSUERS):
        raise PermissionDenied(_("您无权出具正式文书。"))


def _district(letter: Letter) -> str:
    """A letter belongs to its programme's district (the policy's): its application's or pre-approval's."""
    return Letter.objects.filter(pk=letter.pk).values_list("programme__policy__district", flat=True).get()


def letter_issuer(programme) -> tuple[str, str]:
    """责任单位 who issues the programme's letters and the prefix of its own number series: the
    programme's responsible unit (hp2025 第五、六条 区政务和数据局, 第十条 区科技创新局), else the policy's
    issuing authority."""
    policy = programme.policy
    return (
        (programme.responsible_unit or policy.letter_authority or "").strip(),
        (programme.letter_prefix or policy.letter_prefix or "").strip(),
    )


def _letter_record(
    *,
    kind: str,
    actor,
    authority: str,
    prefix: str,
    body: dict[str, Any],
    addressee,
    amount,
    programme,
    application: Application | None = None,
    preapproval=None,
    clawback=None,
    line: str = "",
) -> Letter:
    """Take the number of `kind`'s series and record the letter with its snapshot, its audit row and
    its generation task (published at commit). Inside the caller's transaction."""
    issued_on = timezone.localdate()
    prefix = kind_prefix(prefix=prefix, kind=kind, authority=authority)  # each kind its own series
    serial = number_take(prefix=prefix, year=issued_on.year)
    number = number_format(prefix=prefix, year=issued_on.year, serial=serial)
    body.update({"number": number, "issued_on": issued_on.isoformat(), "issued_on_zh": content.date_zh(issued_on)})
    letter = Letter.objects.create(
        application=application,
        preapproval=preapproval,
        clawback=clawback,
        programme=programme,
        kind=kind,
        authority=authority,
        prefix=prefix,
        year=issued_on.year,
        serial=serial,
        number=number,
        code=_new_code(),
        template=TEMPLATES[kind],
        line=line,
        enterprise=addressee,
        addressee_name=addressee.name,
        addressee_credit_code=addressee.credit_code,
        amount=amount,
        issued_on=issued_on,
        context=body,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="letter.create",
        target=letter,
        after={
            "number": number,
            "kind": kind,
            "application": application.reference if application else "",
            "preapproval": preapproval.reference if preapproval else "",
            "line": line,
            "addressee": addressee.credit_code,
            "amount": str(amount) if amount is not None else None,
            "template": letter.template,
        },
    )
    outbox_enqueue(LETTER_GENERATE_TASK, letter_id=letter.pk)
    return letter


def _issuer_or_refuse(programme) -> tuple[str, str]:
    authority, prefix = letter_issuer(programme)
    if not prefix or not authority:
        raise ValidationError(
            _("政策“%(p)s”未设置发文机关或批复文号前缀，请管理员先在政策设置中填写。") % {"p": programme.policy.title}
        )
    return authority, prefix


def letter_create_for_preapproval(*, preapproval, actor) -> Letter:
    """事前同意函 the letter of a pre-approval the bureau has just approved, issued by the programme's
    responsible unit with the number of its 事前同意 series. Call it inside the approving transaction
    (reviews.services.preapproval_letters); a second call returns the standing letter. It grants no
    money: its `amount` stays empty (the event's budget is in its text), so the verification page shows
    no amount for it."""
    _check_issuer(actor)
    with transaction.atomic():
        p = PreApproval.objects.select_related("enterprise", "programme__policy").get(pk=preapproval.pk)
        require_district(actor, p.programme.policy.district)
        if p.state != PreApproval.State.APPROVED:
            raise ValidationError(_("只有已同意的事前申请可以出具事前同意函。"))
        standing = Letter.objects.filter(preapproval=p, revoked_at__isnull=True).first()
        if standing is not None:
            return standing
        authority, prefix = _issuer_or_refuse(p.programme)
        with translation.override("zh-hans"):
            body = content.preapproval(p, authority=authority)
        return _letter_record(
            kind=Letter.Kind.PREAPPROVAL,
            actor=actor,
            authority=authority,
            prefix=prefix,
            body=body,
            addressee=p.enterprise,
            amount=None,
            programme=p.programme,
            preapproval=p,
        )


def letter_create_for_clawback(*, clawback: Clawback, actor) -> Letter:
    """追回决定书 the letter of a claw-back just decided, to the award's enterprise, naming the amount
    owed, the repayment account (LetterIssuer) and the remedies. Call it inside the deciding
    transaction (reviews.services.clawback_letters); a second call returns the standing letter."""
    _check_issuer(actor)
    with transaction.atomic():
        c = Clawback.objects.select_related("award__application__programme__policy", "award__enterprise").get(
            pk=clawback.pk
        )
        app = c.award.application
        require_district(actor, app.programme.policy.district)
        standing = Letter.objects.filter(clawback=c, revoked_at__isnull=True).first()
        if standing is not None:
            return standing
        authority, prefix = _issuer_or_refuse(app.programme)
        approval = (
            Letter.objects.filter(
                application=app, kind=Letter.Kind.APPROVAL, line=c.award.line, revoked_at__isnull=True
            )
            .values_list("number", flat=True)
            .first()
        )
        issuer = LetterIssuer.objects.filter(authority=authority).first()
        account = (
            {
                "name": issuer.repayment_account_name,
                "bank": issuer.repayment_bank,
                "number": issuer.repayment_account_number,
            }
            if issuer
            else {}
        )
        with translation.override("zh-hans"):
            body = content.clawback(
                app, clawback=c, enterprise=c.award.enterprise, approval_number=approval or "", account=account
            )
        return _letter_record(
            kind=Letter.Kind.CLAWBACK,
            actor=actor,
            authority=authority,
            prefix=prefix,
            body=body,
            addressee=c.award.enterprise,
            amount=c.amount,
            programme=app.programme,
            application=app,
            clawback=c,
            line=c.award.line,
        )


def letter_create(*, application: Application, kind: str, actor, context: dict | None = None, line: str = "") -> Letter:
    """Record an official letter about `application` and take its document number. Call it inside
    the decision's transaction: the number is taken there (rolled back with it), and the PDF is
    generated by a Celery task after commit. An approval or decline letter is made once per
    application: a second call returns the standing one. `line` (approvals of two-party awards):
    the letter of that award line only, addressed to the line's enterprise — one per line.

    context (all optional): approval — amount, tranches [{label, amount, condition}], decision_text,
    notice_starts_on/notice_ends_on, copy_to [unit] (抄送); decline — reason (default: the current
    decision's reason), remedy, copy_to; supplement — supplement_request (instance or id; default the latest), or items
    [{label, note}], due_on, note."""
    if kind not in APPLICATION_KINDS:  # 事前同意函 and 追回决定书 have their own functions
        raise ValidationError({"kind": _("未知的文书类别。")})
    if line and kind != Letter.Kind.APPROVAL:
        raise ValidationError({"line": _("只有核定通知按奖励对象分别出具。")})
    _check_issuer(actor)
    extra = dict(context or {})
    with transaction.atomic():
        app = Application.objects.select_related("enterprise", "programme__policy").get(pk=application.pk)
        require_district(actor, app.programme.policy.district)
        if kind in (Letter.Kind.APPROVAL, Letter.Kind.DECLINE):
            standing = Letter.objects.filter(application=app, kind=kind, line=line, revoked_at__isnull=True).first()
            if standing is not None:
                return standing
        addressee = app.enterprise
        if line:
            award = (
                Award.objects.filter(application=app, line=line)
                .exclude(status=Award.Status.RELEASED)
                .select_related("enterprise")
                .first()
            )
            if award is None:
                raise ValidationError(_("该申报没有“%(line)s”的核定奖励，不能出具其核定通知。") % {"line": line})
            addressee = award.enterprise
        authority, prefix = _issuer_or_refuse(app.programme)
        amount = None
        with translation.override("zh-hans"):  # the letter is the Chinese document, whatever the UI language
            if kind == Letter.Kind.APPROVAL:
                body, amount = snapshots.approval(app, extra, line, addressee)
            elif kind == Letter.Kind.DECLINE:
                body = snapshots.decline(app, extra)
            else:
                body = snapshots.supplement(app, extra)
        letter = _letter_record(
            kind=kind,
            actor=actor,
            authority=authority,
            prefix=prefix,
            body=body,
            addressee=addressee,
            amount=amount,
            programme=app.programme,
            application=app,
            line=line,
        )
    return letter


def letter_generate_now(*, letter_id: int) -> Letter:
    """Render and store the letter's PDF once. Idempotent: a letter that has its PDF is returned
    unchanged (a redelivered or repeated task renders nothing new); the row lock decides between
    two runs at once, and the loser's rendering is thrown away."""
    from . import render

    letter = Letter.objects.select_related("application", "preapproval").get(pk=letter_id)
    if letter.sha256 or letter.status == Letter.Status.REVOKED:
        return letter
    pdf = render.letter_pdf(letter)
    signed = False
    if render.signing_configured():
        pdf = render.pdf_sign(pdf, reason=f"{letter.authority} {letter.number}", location=letter.authority)
        signed = True
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter_id)
        if locked.sha256 or locked.status == Letter.Status.REVOKED:
            return locked
        field = Letter._meta.get_field("pdf")
        name = field.generate_filename(locked, f"{locked.year}/{locked.pk:08d}-{locked.code}.pdf")
        if field.storage.exists(name):  # left by a run killed before its commit
            field.storage.delete(name)
        locked.pdf.save(name.removeprefix("letters/"), ContentFile(pdf), save=False)
        locked.sha256, locked.size, locked.signed = digest, len(pdf), signed
        locked.status, locked.generated_at, locked.last_error = Letter.Status.READY, timezone.now(), ""
        locked.attempts += 1
        locked.save(
            update_fields=["pdf", "sha256", "size", "signed", "status", "generated_at", "last_error", "attempts"]
        )
        audit_record(
            actor=None,
            action="letter.generate",
            target=locked,
            after={"number": locked.number, "sha256": digest, "size": len(pdf), "signed": signed},
        )
        # to the enterprise it is addressed to (a two-party award's buyer gets its own letter)
        addressee = locked.enterprise_id or (letter.application.enterprise_id if letter.application else None)
        assert addressee is not None  # every letter names its enterprise or its application's
        notify_enterprise(
            enterprise_id=addressee,
            kind=Notification.Kind.LETTER,
            subject=_("正式文书已出具：%(number)s") % {"number": locked.number},
            body=(
                _("关于事前申请 %(ref)s 的%(kind)s（%(number)s）已出具，请登录平台查看和下载。")
                if letter.preapproval_id
                else _("关于申报 %(ref)s 的%(kind)s（%(number)s）已出具，请登录平台查看和下载。")
            )
            % {"ref": letter.subject_reference, "kind": locked.get_kind_display(), "number": locked.number},
            link=reverse("reviews:letter_list"),
            dedupe_key=f"letter:{locked.pk}",
        )
    return locked


def letter_note_failure(*, letter_id: int, error: str, final: bool = False) -> None:
    """Record a failed generation attempt (the task retries with backoff). The last attempt
    (`final`: its retries used up) marks the letter failed (生成失败): it then waits for an
    administrator (letter_retry) and shows as failed on the letters page, in the admin and the API."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id, sha256="").first()
        if letter is None or letter.status == Letter.Status.REVOKED:
            return
        # a log of the failure, not user input: its head is enough
        letter.last_error, letter.attempts = error[:2000], letter.attempts + 1
        fields = ["last_error", "attempts"]
        if final and letter.status != Letter.Status.FAILED:
            letter.status = Letter.Status.FAILED
            fields.append("status")
            audit_record(
                actor=None,
                action="letter.generate_failed",
                target=letter,
                before={"status": Letter.Status.PENDING},
                after={"status": Letter.Status.FAILED, "number": letter.number, "attempts": letter.attempts},
                note=error[:500],
            )
        letter.save(update_fields=fields)
    if final:
        logger.error(
            "letter %s (%s): generation failed after %s attempts, waiting for an administrator: %s",
            letter.pk,
            letter.number,
            letter.attempts,
            error[:500],
        )


def letter_retry(*, actor, letter: Letter, ip: str | None = None) -> Letter:
    """重新生成 an administrator sends a failed letter back to generation (after fixing its cause: a
    font, the signing certificate, the storage). Its number and content stay; only the PDF is made."""
    require_bureau_admin(actor)
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        require_district(actor, _district(locked))
        if locked.status != Letter.Status.FAILED:
            raise ValidationError(_("只有生成失败的文书可以重新生成。"))
        locked.status = Letter.Status.PENDING
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="letter.retry",
            target=locked,
            ip=ip,
            before={"status": Letter.Status.FAILED, "last_error": locked.last_error[:500]},
            after={"status": Letter.Status.PENDING, "number": locked.number},
        )
        outbox_enqueue(LETTER_GENERATE_TASK, letter_id=locked.pk)
    return locked


def letter_revoke(*, actor, letter: Letter, reason: str, ip: str | None = None) -> Letter:
    """撤销 an administrator revokes a letter; its PDF stays stored unchanged and the public
    verification page says it was revoked."""
    require_bureau_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销原因。")})
    require_length(reason, model=Letter, field="revoked_reason", key="reason")
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        require_district(actor, _district(locked))
        if locked.revoked_at is not None:
            raise ValidationError(_("该文书已撤销。"))
        locked.revoked_at, locked.revoked_by, locked.revoked_reason = timezone.now(), actor, reason
        locked.status = Letter.Status.REVOKED
        locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason", "status"])
        audit_record(
            actor=actor,
            action="letter.revoke",
            target=locked,
            ip=ip,
            note=reason,
            before={"status": letter.status},
            after={"status": locked.status, "number": locked.number},
        )
    return locked


def letters_generate_batch(*, actor, letter_ids: Iterable[int] | None = None, ip: str | None = None) -> int:
    """批量生成 an administrator (re)queues generation of letters still without a PDF (all of them,
    or those selected). Letters that have their PDF are left alone. Returns how many were queued."""
    require_bureau_admin(actor)
    qs: QuerySet[Letter] = Letter.objects.filter(
        district_q(actor, "programme__policy__district"), status=Letter.Status.PENDING, sha256=""
    )
    if letter_ids is not None:
        qs = qs.filter(pk__in=list(letter_ids))
    ids = list(qs.values_list("pk", flat=True))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="letter.generate_batch",
            target_type="reviews.letter",
            target_id="batch",
            ip=ip,
            after={"letters": ids},
        )
        for pk in ids:
            outbox_enqueue(LETTER_GENERATE_TASK, letter_id=pk)
    return len(ids)
