"""Vouchers (算力券) and their redemption (核销) by compute service providers.

A voucher is issued on final approval of a voucher programme (face value = the award, bound to the
enterprise, valid for `voucher_validity_months`). A provider of the district's catalogue redeems part
of it against an invoice: the balance drops by a conditional UPDATE (balance >= amount), so two
redemptions at once can never take it below zero (the CheckConstraint is the backstop), and the
amount is paid out of the award in the budget ledger (`tranche_disburse`). The enterprise confirms or
disputes; a dispute gives the amount back (`award_clawback`). On expiry the unredeemed balance is
released to the pool (`award_release`). Lock order everywhere: voucher → award → pool."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
import secrets
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.limits import require_length
from portal.models import Notification, Role
from portal.notifications import notify_enterprise, notify_users
from portal.permissions import require_bureau_admin

from ..application_terms import application_terms
from ..models import Award, ComputeProvider, ProviderMember, ProviderRelation, Redemption, Voucher
from ..selectors import parameters_in_force
from .budget import award_clawback, award_release, fmt_yuan, money, tranche_disburse

DEFAULT_VALIDITY_MONTHS = 12
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_RE = re.compile(r"^SLQ(\d{4})([2-9A-HJ-NP-Z]{8})$")
INVOICE_RE = re.compile(r"^[0-9A-Z]{6,30}$")
# Invoice files: decided from the content (magic bytes), never from the name.
INVOICE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
ISSUERS = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


# ----------------------------------------------------------------- helpers


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def voucher_code_normalize(raw: str) -> str:
    """'slq-2026-7k3m-9qx2' → 'SLQ-2026-7K3M-9QX2' (the stored form); '' when it cannot be a code."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    m = CODE_RE.match(text)
    if not m:
        return ""
    year, body = m.groups()
    return f"SLQ-{year}-{body[:4]}-{body[4:]}"


def invoice_number_normalize(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _active(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def _provider_of(actor) -> ComputeProvider:
    membership = getattr(actor, "provider_membership", None) if _active(actor) else None
    if membership is None or actor.role != Role.PROVIDER:
        raise PermissionDenied(_("只有已登记的算力服务商用户可以核销算力券。"))
    return membership.provider


def _enterprise_member(actor, enterprise_id: int) -> bool:
    membership = getattr(actor, "membership", None) if _active(actor) else None
    return actor.role == Role.ENTERPRISE and membership is not None and membership.enterprise_id == enterprise_id


def _check_invoice_file(upload) -> dict[str, Any]:
    if upload is None:
        raise ValidationError({"invoice_file": _("请上传发票文件（PDF、JPG 或 PNG）。")})
    limit = settings.PORTAL_UPLOAD_MAX_FILE_BYTES
    if not upload.size:
        raise ValidationError({"invoice_file": _("文件为空，请重新选择。")})
    if upload.size > limit:
        raise ValidationError(
            {
                "invoice_file": _("文件大小 %(size)s 超过上限 %(limit)s。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    extension = {"apng": "png"}.get(kind.extension, kind.extension) if kind else ""
    if extension not in INVOICE_TYPES:
        raise ValidationError(
            {"invoice_file": _("发票文件内容不是 PDF、JPG 或 PNG 格式（按文件内容识别，与文件名无关）。")}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stem = re.sub(r"[^\w.-]+", "_", (upload.name or "invoice").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:60] or "invoice"
    return {
        "extension": extension,
        "content_type": INVOICE_TYPES[extension],
        "size": upload.size,
        "sha256": digest.hexdigest(),
        "name": f"{stem}.{extension}",
    }


# ----------------------------------------------------------------- issue


def _new_code(year: int) -> str:
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"SLQ-{year}-{body[:4]}-{body[4:]}"
        if not Voucher.objects.filter(code=code).exists():
            return code


def voucher_issue(*, award: Award, actor=None) -> Voucher:
    """发放算力券 on final approval of a voucher programme (call it in the finalize transaction, after
    the award is committed). Face value = the award; valid `voucher_validity_months` (default 12)
    from today through the day before the same date; bound to the award's enterprise. Idempotent:
    an award that has its voucher returns it."""
    if actor is not None and not (_active(actor) and actor.role in ISSUERS):
        raise PermissionDenied(_("无权发放算力券。"))

    with transaction.atomic():
        award = Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)
        existing = Voucher.objects.filter(award=award).first()
        if existing is not None:
            return existing
        if not award.programme.is_voucher:
            raise ValidationError(_("“%(p)s”不以算力券形式发放。") % {"p": award.programme.name_zh})
        if award.status != Award.Status.COMMITTED:
            raise ValidationError(_("奖励尚未核定生效（公示期满），不能发放算力券。"))
        if award.amount <= 0:
            raise ValidationError(_("核定金额为零，不发放算力券。"))
        today = timezone.localdate()
        params = parameters_in_force(programme=award.programme, on=today)
        months = int(params.get("voucher_validity_months", DEFAULT_VALIDITY_MONTHS))
        face = award.amount - award.disbursed
        voucher = Voucher.objects.create(
            code=_new_code(today.year),
            award=award,
            enterprise_id=award.enterprise_id,
            programme=award.programme,
            face_value=face,
            balance=face,
            issued_on=today,
            expires_on=add_months(today, months) - dt.timedelta(days=1),
        )
        audit_record(
            actor=actor,
            action="voucher.issue",
            target=voucher,
            after={
                "code": voucher.code,
                "award": award.pk,
                "face_value": str(face),
                "expires_on": voucher.expires_on.isoformat(),
                "validity_months": months,
            },
        )
        notify_enterprise(
            enterprise_id=award.enterprise_id,
            kind=Notification.Kind.VOUCHER,
            subject=_("算力券已发放：%(code)s") % {"code": voucher.code},
            body=_(
                "贵单位获发算力券 %(code)s，券面金额 %(amount)s，有效期至 %(date)s。"
                "请在区内入库算力服务商处使用，算力券不可转让。"
            )
            % {"code": voucher.code, "amount": fmt_yuan(face), "date": voucher.expires_on},
            link=reverse("vouchers:voucher_detail", args=[voucher.pk]),
            dedupe_key=f"voucher-issued:{voucher.pk}",
        )
    return voucher


# ----------------------------------------------------------------- providers (administrators)

PROVIDER_FIELDS = (
    "name",
    "credit_code",
    "services",
    "district",
    "contact_name",
    "contact_phone",
    "valid_from",
    "valid_to",
)


def provider_save(
    *, actor, provider: ComputeProvider | None = None, ip: str | None = None, **fields
) -> ComputeProvider:
    """Add a provider to the catalogue or change one (credit code, services, valid from/to)."""
    require_bureau_admin(actor)
    data = {k: v for k, v in fields.items() if k in PROVIDER_FIELDS}
    if "credit_code" in data:
        data["credit_code"] = "".join(str(data["credit_code"]).split()).upper()
    with transaction.atomic():
        obj = ComputeProvider.objects.select_for_update().get(pk=provider.pk) if provider else ComputeProvider()
        before = {k: str(getattr(obj, k)) for k in PROVIDER_FIELDS} if provider else None
        for k, v in data.items():
            setattr(obj, k, v)
        obj.full_clean()
        obj.save()
        audit_record(
            actor=actor,
            action="provider.update" if provider else "provider.create",
            target=obj,
            ip=ip,
            before=before,
            after={k: str(getattr(obj, k)) for k in PROVIDER_FIELDS},
        )
    return obj


def provider_member_link(*, actor, provider: ComputeProvider, user, ip: str | None = None) -> ProviderMember:
    """Link a provider user (Role.PROVIDER) to a provider of the catalogue."""
    require_bureau_admin(actor)
    if user.role != Role.PROVIDER:
        raise ValidationError({"email": _("该用户不是算力服务商角色，请先由管理员创建服务商账户。")})
    with transaction.atomic():
        if ProviderMember.objects.filter(user=user).exists():
            raise ValidationError({"email": _("该用户已关联到一家服务商。")})
        member = ProviderMember.objects.create(provider=provider, user=user)
        audit_record(
            actor=actor,
            action="provider.member_link",
            target=provider,
            ip=ip,
            after={"user": user.pk, "email": user.email},
        )
    return member


def provider_member_unlink(*, actor, member: ProviderMember, ip: str | None = None) -> None:
    require_bureau_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor, action="provider.member_unlink", target=member.provider, ip=ip, before={"user": member.user_id}
        )
        member.delete()


def provider_relation_declare(
    *, actor, provider: ComputeProvider, enterprise_credit_code: str, kind: str, note: str = "", ip: str | None = None
) -> ProviderRelation:
    """登记关联关系 between a provider and an enterprise (found by credit code)."""
    require_bureau_admin(actor)
    code = "".join((enterprise_credit_code or "").split()).upper()
    # the enterprise through the model ProviderRelation's foreign key names: its one declared reference
    enterprises = ProviderRelation._meta.get_field("enterprise").related_model._default_manager
    enterprise = enterprises.filter(credit_code=code).first()
    if enterprise is None:
        raise ValidationError({"enterprise_credit_code": _("平台中没有该统一社会信用代码的企业。")})
    if kind not in ProviderRelation.Kind.values:
        raise ValidationError({"kind": _("请选择关联类型。")})
    require_length(note, model=ProviderRelation, field="note")
    with transaction.atomic():
        relation, made = ProviderRelation.objects.get_or_create(
            provider=provider,
            enterprise_id=enterprise.pk,
            defaults={"kind": kind, "note": note, "declared_by": _user(actor)},
        )
        if not made:
            raise ValidationError({"enterprise_credit_code": _("已登记过该企业的关联关系。")})
        audit_record(
            actor=actor,
            action="provider.relation_declare",
            target=provider,
            ip=ip,
            after={"enterprise": enterprise.pk, "kind": kind, "note": note},
        )
    return relation


def provider_relation_remove(*, actor, relation: ProviderRelation, ip: str | None = None) -> None:
    require_bureau_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="provider.relation_remove",
            target=relation.provider,
            ip=ip,
            before={"enterprise": relation.enterprise_id, "kind": relation.kind},
        )
        relation.delete()


# ----------------------------------------------------------------- redemption


def _related(provider: ComputeProvider, enterprise) -> str:
    """Why the provider may not redeem this enterprise's voucher ('' when it may)."""
    if provider.credit_code == enterprise.credit_code:
        return _("服务商与持券企业为同一主体（统一社会信用代码相同）")
    relation = ProviderRelation.objects.filter(provider=provider, enterprise=enterprise).first()
    if relation is not None:
        return _("已登记关联关系：%(kind)s") % {"kind": relation.get_kind_display()}
    return ""


def _claimed_in_an_application(voucher: Voucher, invoice_number: str) -> bool:
    """Whether the holder claimed this invoice in an application (through the relations applications
    declares: an enterprise's applications and their claims)."""
    kind = application_terms().invoice_claim
    return Voucher.objects.filter(
        pk=voucher.pk,
        enterprise__applications__claims__kind=kind,  # one claim row
        enterprise__applications__claims__value=invoice_number,
    ).exists()


def redemption_create(
    *,
    actor,
    voucher_code: str,
    holder_credit_code: str,
    invoice_number: str,
    invoice_date: dt.date | None,
    amount,
    invoice_file,
    ip: str | None = None,
) -> Redemption:
    """核销 a provider's user redeems part of a voucher against an invoice for the enterprise that
    holds it. Refused with a field message, writing nothing: a provider outside the catalogue or its
    dates, an unknown or expired voucher, a holder that does not match (vouchers are not
    transferable), a related provider, an invoice number used before, an amount above the balance."""
    provider = _provider_of(actor)
    today = timezone.localdate()
    if not provider.in_catalogue_on(today):
        raise ValidationError(_("贵单位不在区算力服务商目录内或已超出入库有效期，不能核销算力券。"))
    errors: dict[str, str] = {}
    try:
        amount = money(amount)
    except ValidationError as exc:
        errors["amount"] = exc.message_dict["amount"][0]
    number = invoice_number_normalize(invoice_number)
    if not INVOICE_RE.match(number):
        errors["invoice_number"] = _("请填写发票号码（6–30位数字或字母）。")
    if invoice_date is None:
        errors["invoice_date"] = _("请填写开票日期。")
    elif invoice_date > today:
        errors["invoice_date"] = _("开票日期不能晚于今天。")
    code = voucher_code_normalize(voucher_code)
    holder = "".join((holder_credit_code or "").split()).upper()
    # Looked up by the code and its holder together, and one answer for an unknown code and for a
    # holder that does not match (vouchers are not transferable): the desk never tells which codes exist.
    voucher = (
        Voucher.objects.select_related("enterprise").filter(code=code, enterprise__credit_code=holder).first()
        if code and holder
        else None
    )
    if voucher is None:
        errors["voucher_code"] = _(
            "券码与持券企业统一社会信用代码不匹配，请核对（算力券不可转让，只能用于持券企业本身）。"
        )
    elif voucher.status != Voucher.Status.ACTIVE or voucher.expires_on < today:
        errors["voucher_code"] = _("该算力券已于 %(date)s 过期，不能核销。") % {"date": voucher.expires_on}
    else:
        why = _related(provider, voucher.enterprise)
        if why:
            errors["__all__"] = _("贵单位与持券企业存在关联关系（%(why)s），不能核销该企业的算力券。") % {"why": why}
        if invoice_date is not None and invoice_date < voucher.issued_on and "invoice_date" not in errors:
            errors["invoice_date"] = _("开票日期早于算力券发放日期（%(date)s），不能用于核销。") % {
                "date": voucher.issued_on
            }
        if "amount" not in errors and amount > voucher.balance:
            errors["amount"] = _("核销金额超过算力券余额（余额 %(b)s）。") % {"b": fmt_yuan(voucher.balance)}
    if (
        "invoice_number" not in errors
        and Redemption.objects.filter(provider=provider, invoice_number=number)
        .exclude(status=Redemption.Status.DISPUTED)
        .exists()
    ):
        errors["invoice_number"] = _("该发票号码已用于核销，不能重复使用。")
    if "invoice_number" not in errors and voucher is not None and _claimed_in_an_application(voucher, number):
        errors["invoice_number"] = _("该发票已作为申报材料使用，不能再用于核销。")
    try:
        checked = _check_invoice_file(invoice_file)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert voucher is not None and invoice_date is not None  # each refused above when missing

    stored_name = None
    try:
        with transaction.atomic():
            # The conditional update is the guard: it succeeds only while the balance covers the amount
            # and the voucher is active, whatever ran concurrently.
            moved = Voucher.objects.filter(
                pk=voucher.pk, status=Voucher.Status.ACTIVE, expires_on__gte=today, balance__gte=amount
            ).update(balance=F("balance") - amount)
            if not moved:
                current = Voucher.objects.get(pk=voucher.pk)
                raise ValidationError(
                    {"amount": _("核销金额超过算力券余额（余额 %(b)s）。") % {"b": fmt_yuan(current.balance)}}
                )
            redemption = Redemption(
                voucher=voucher,
                provider=provider,
                invoice_number=number,
                invoice_date=invoice_date,
                amount=amount,
                original_name=checked["name"],
                content_type=checked["content_type"],
                size=checked["size"],
                sha256=checked["sha256"],
                created_by=actor,
            )
            redemption.invoice_file.save(f"{secrets.token_hex(12)}.{checked['extension']}", invoice_file, save=False)
            stored_name = redemption.invoice_file.name
            try:
                with transaction.atomic():
                    redemption.save()
            except IntegrityError:
                raise ValidationError({"invoice_number": _("该发票号码已用于核销，不能重复使用。")}) from None
            tranche_disburse(
                actor=actor,
                award=voucher.award,
                amount=amount,
                paid_on=today,
                reference=f"算力券核销#{redemption.pk} 发票{number}",
            )
            voucher.refresh_from_db(fields=["balance"])
            audit_record(
                actor=actor,
                action="voucher.redeem",
                target=redemption,
                ip=ip,
                after={
                    "voucher": voucher.code,
                    "provider": provider.credit_code,
                    "invoice": number,
                    "amount": str(amount),
                    "balance": str(voucher.balance),
                },
            )
            notify_enterprise(
                enterprise_id=voucher.enterprise_id,
                kind=Notification.Kind.VOUCHER,
                subject=_("算力券核销待确认：%(amount)s") % {"amount": fmt_yuan(amount)},
                body=_(
                    "%(provider)s 以发票 %(invoice)s 核销贵单位算力券 %(code)s 共 %(amount)s，"
                    "余额 %(balance)s。请登录平台确认，如有异议请提出。"
                )
                % {
                    "provider": provider.name,
                    "invoice": number,
                    "code": voucher.code,
                    "amount": fmt_yuan(amount),
                    "balance": fmt_yuan(voucher.balance),
                },
                link=reverse("vouchers:voucher_detail", args=[voucher.pk]),
                dedupe_key=f"redemption:{redemption.pk}",
            )
    except BaseException:
        if stored_name:
            Redemption._meta.get_field("invoice_file").storage.delete(stored_name)
        raise
    return redemption


def _lock_for_response(actor, redemption: Redemption) -> tuple[Voucher, Redemption]:
    voucher = Voucher.objects.select_for_update().get(pk=redemption.voucher_id)
    locked = Redemption.objects.select_for_update().select_related("provider").get(pk=redemption.pk)
    if not _enterprise_member(actor, voucher.enterprise_id):
        raise PermissionDenied(_("只有持券企业的成员可以确认或提出异议。"))
    if locked.status != Redemption.Status.PENDING:
        raise ValidationError(_("该核销记录已处理（%(s)s），不能重复操作。") % {"s": locked.get_status_display()})
    return voucher, locked


def _notify_provider(redemption: Redemption, subject: str, body: str) -> None:
    ids = list(ProviderMember.objects.filter(provider_id=redemption.provider_id).values_list("user_id", flat=True))
    notify_users(
        user_ids=ids,
        kind=Notification.Kind.VOUCHER,
        subject=subject,
        body=body,
        link=reverse("vouchers:provider_home"),
        dedupe_key=f"redemption-{redemption.status}:{redemption.pk}",
    )


def redemption_confirm(*, actor, redemption: Redemption, ip: str | None = None) -> Redemption:
    """The enterprise confirms the redemption; it is then settled with the provider."""
    with transaction.atomic():
        voucher, locked = _lock_for_response(actor, redemption)
        locked.status, locked.responded_by, locked.responded_at = Redemption.Status.CONFIRMED, actor, timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
        audit_record(
            actor=actor,
            action="voucher.redemption_confirm",
            target=locked,
            ip=ip,
            before={"status": Redemption.Status.PENDING},
            after={"status": locked.status},
        )
        _notify_provider(
            locked,
            _("核销已确认：发票 %(n)s") % {"n": locked.invoice_number},
            _("%(code)s 的核销（发票 %(n)s，%(a)s）已由持券企业确认，将纳入季度结算。")
            % {"code": voucher.code, "n": locked.invoice_number, "a": fmt_yuan(locked.amount)},
        )
    return locked


def redemption_dispute(*, actor, redemption: Redemption, reason: str, ip: str | None = None) -> Redemption:
    """The enterprise disputes the redemption: it is voided and its amount goes back to the voucher
    (or, if the voucher has expired meanwhile, back to the pool)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明异议理由。")})
    require_length(reason, model=Redemption, field="dispute_reason", key="reason")
    with transaction.atomic():
        voucher, locked = _lock_for_response(actor, redemption)
        locked.status, locked.responded_by, locked.responded_at = Redemption.Status.DISPUTED, actor, timezone.now()
        locked.dispute_reason = reason
        locked.save(update_fields=["status", "responded_by", "responded_at", "dispute_reason"])
        if voucher.status == Voucher.Status.ACTIVE:
            Voucher.objects.filter(pk=voucher.pk).update(balance=F("balance") + locked.amount)
        else:  # expired: the clawback on the released award returns it to the pool
            Voucher.objects.filter(pk=voucher.pk).update(released_amount=F("released_amount") + locked.amount)
        award_clawback(
            actor=None, award=voucher.award, amount=locked.amount, reference=f"算力券核销#{locked.pk} 企业异议"
        )
        award = Award.objects.get(pk=voucher.award_id)
        if voucher.status != Voucher.Status.ACTIVE and award.status != Award.Status.RELEASED:
            # expired fully redeemed (nothing was released then): release what the dispute gave back
            award_release(actor=None, award=award, reason=f"算力券{voucher.code}已到期，异议作废的核销金额释放回资金池")
        audit_record(
            actor=actor,
            action="voucher.redemption_dispute",
            target=locked,
            ip=ip,
            note=reason,
            before={"status": Redemption.Status.PENDING},
            after={"status": locked.status},
        )
        _notify_provider(
            locked,
            _("核销被提出异议：发票 %(n)s") % {"n": locked.invoice_number},
            _("持券企业对 %(code)s 的核销（发票 %(n)s，%(a)s）提出异议：%(r)s。该笔核销已作废，金额退回算力券。")
            % {"code": voucher.code, "n": locked.invoice_number, "a": fmt_yuan(locked.amount), "r": reason},
        )
    return locked


# ----------------------------------------------------------------- expiry


def voucher_expire(*, voucher: Voucher, actor=None, today: dt.date | None = None) -> Voucher:
    """到期 a voucher past its last valid day expires: the unredeemed balance is released to the pool
    and recorded in the ledger. Idempotent: an expired voucher is returned unchanged."""
    if actor is not None:
        require_bureau_admin(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if locked.status != Voucher.Status.ACTIVE:
            return locked
        if locked.expires_on >= today:
            raise ValidationError(
                _("算力券 %(code)s 有效期至 %(date)s，尚未到期。") % {"code": locked.code, "date": locked.expires_on}
            )
        left = locked.balance
        locked.status, locked.expired_at = Voucher.Status.EXPIRED, timezone.now()
        locked.released_amount, locked.balance = left, 0
        locked.save(update_fields=["status", "expired_at", "released_amount", "balance"])
        if left > 0:
            award_release(
                actor=None, award=locked.award, reason=f"算力券{locked.code}到期，未核销余额{left}元释放回资金池"
            )
        audit_record(
            actor=actor, action="voucher.expire", target=locked, after={"code": locked.code, "released": str(left)}
        )
        if left > 0:
            notify_enterprise(
                enterprise_id=locked.enterprise_id,
                kind=Notification.Kind.VOUCHER,
                subject=_("算力券已到期：%(code)s") % {"code": locked.code},
                body=_("算力券 %(code)s 已于 %(date)s 到期，未核销余额 %(left)s 已失效。")
                % {"code": locked.code, "date": locked.expires_on, "left": fmt_yuan(left)},
                link=reverse("vouchers:voucher_detail", args=[locked.pk]),
                dedupe_key=f"voucher-expired:{locked.pk}",
            )
    return locked


def vouchers_expire_due(*, today: dt.date | None = None) -> int:
    """Expire every active voucher whose last valid day has passed; returns how many expired."""
    today = today or timezone.localdate()
    count = 0
    for pk in Voucher.objects.filter(status=Voucher.Status.ACTIVE, expires_on__lt=today).values_list("pk", flat=True):
        voucher = voucher_expire(voucher=Voucher(pk=pk), today=today)
        count += int(voucher.expired_at is not None and voucher.status == Voucher.Status.EXPIRED)
    return count
