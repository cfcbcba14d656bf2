"""核销: a provider redeems part of a voucher against an invoice; the enterprise confirms or disputes
(a dispute gives the amount back to the award)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.limits import require_length
from portal.models import Notification
from portal.notifications import notify_enterprise, notify_users

from ...application_terms import application_terms
from ...models import Award, ComputeProvider, ProviderMember, ProviderRelation, Redemption, Voucher
from ..budget import award_clawback, award_release, fmt_yuan, money, tranche_disburse
from .common import (
    INVOICE_RE,
    _check_invoice_file,
    _enterprise_member,
    _provider_of,
    invoice_number_normalize,
    voucher_code_normalize,
)


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
