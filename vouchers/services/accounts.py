"""收款账户 the enterprise's receiving bank account: registered (or changed) by a member of the
enterprise, verified or refused by a bureau administrator, audited. The account verified last stays in
force until a change is verified; payments go to the verified account only (`account_payable`).

The account number rule (平台口径): digits only (spaces and hyphens typed between groups are dropped),
10 to 30 of them. Chinese corporate accounts (对公账户) have no common check digit — each bank numbers
its own — so none is checked there. A UnionPay card number (银联卡: 16–19 digits beginning 62, numbered
under ISO/IEC 7812) carries a Luhn check digit, and only such a number is checked with it."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise

from ..models import ReceivingAccount
from .payments_common import (
    enterprise_id_of,
    enterprise_link,
    enterprise_scope_q,
    portal_language,
    require_payment_admin,
)

Status = ReceivingAccount.Status
SEPARATORS = re.compile(r"[\s\-]+")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def uses_luhn(digits: str) -> bool:
    """A UnionPay card number (16–19 digits, BIN beginning 62) carries a Luhn check digit."""
    return 16 <= len(digits) <= 19 and digits.startswith("62")


def account_number_check(raw: str) -> str:
    """The account number as stored (digits only), or ValidationError saying what is wrong."""
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw or "")))
    if not text:
        raise ValidationError({"account_number": _("请填写银行账号。")})
    if not text.isdigit() or not text.isascii():
        raise ValidationError({"account_number": _("银行账号只能由数字组成。")})
    if not 10 <= len(text) <= 30:
        raise ValidationError({"account_number": _("银行账号应为10至30位数字，现为%(n)s位。") % {"n": len(text)}})
    if uses_luhn(text) and not luhn_valid(text):
        raise ValidationError(
            {"account_number": _("该账号是银联卡号（62开头，16至19位），其校验位（Luhn）不符，请核对后重新填写。")}
        )
    return text


def account_name_check(*, enterprise, account_name: str) -> str:
    """户名 must be the enterprise's name exactly (after trimming the spaces around it)."""
    name = unicodedata.normalize("NFC", str(account_name or "")).strip()
    if not name:
        raise ValidationError({"account_name": _("请填写账户名称。")})
    if name != enterprise.name:
        raise ValidationError(
            {
                "account_name": _(
                    "账户名称“%(name)s”与企业名称“%(enterprise)s”不一致；补贴资金只拨付至以本企业名称开立的账户。"
                )
                % {"name": name, "enterprise": enterprise.name}
            }
        )
    return name


def _text(value: str, field: str, label: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > limit:
        raise ValidationError({field: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": limit}})
    return text


def _json(a: ReceivingAccount) -> dict:
    return {
        "account_name": a.account_name,
        "bank_name": a.bank_name,
        "branch_name": a.branch_name,
        "account_number": a.masked_number,
        "status": a.status,
    }


def account_in_force(*, enterprise_id: int) -> ReceivingAccount | None:
    return ReceivingAccount.objects.filter(enterprise_id=enterprise_id, status=Status.VERIFIED).first()


def account_payable(account: ReceivingAccount | None, *, enterprise) -> str:
    """Why no payment may go to this account ("" when it may): it must be verified and in the
    enterprise's present name."""
    if account is None:
        return _("“%(e)s”尚无已核验的收款账户。") % {"e": enterprise.name}
    if account.status != Status.VERIFIED:
        return _("“%(e)s”的收款账户（%(n)s）不是已核验的现行账户。") % {
            "e": enterprise.name,
            "n": account.masked_number,
        }
    if account.account_name != enterprise.name:
        return _("“%(e)s”的收款账户户名“%(a)s”与企业现名称不一致（企业名称已变更），请企业重新登记收款账户。") % {
            "e": enterprise.name,
            "a": account.account_name,
        }
    return ""


def account_submit(
    *,
    actor,
    enterprise,
    account_name: str,
    bank_name: str,
    branch_name: str,
    account_number: str,
    ip: str | None = None,
) -> ReceivingAccount:
    """登记/变更收款账户 a member of the enterprise registers its account or a change of it; the bureau
    verifies it. A change still waiting replaces the one before (撤回)."""
    if enterprise_id_of(actor) != enterprise.pk:
        raise PermissionDenied(_("只有本企业的用户可以登记收款账户。"))
    name = account_name_check(enterprise=enterprise, account_name=account_name)
    bank = _text(bank_name, "bank_name", _("开户银行"), 100)
    branch = _text(branch_name, "branch_name", _("开户网点"), 100)
    number = account_number_check(account_number)
    with transaction.atomic():
        current = account_in_force(enterprise_id=enterprise.pk)
        if current is not None and (
            current.account_name,
            current.bank_name,
            current.branch_name,
            current.account_number,
        ) == (name, bank, branch, number):
            raise ValidationError(_("该账户即为现行已核验的收款账户，无需重新登记。"))
        for old in ReceivingAccount.objects.select_for_update().filter(enterprise=enterprise, status=Status.PENDING):
            old.status = Status.WITHDRAWN
            old.save(update_fields=["status"])
            with portal_language():
                note = _("被新登记的账户替换")
            audit_record(
                actor=actor, action="payments.account_withdraw", target=old, ip=ip, after=_json(old), note=note
            )
        try:
            with transaction.atomic():
                account = ReceivingAccount.objects.create(
                    enterprise=enterprise,
                    account_name=name,
                    bank_name=bank,
                    branch_name=branch,
                    account_number=number,
                    submitted_by=actor,
                )
        except IntegrityError:  # another member's change at the same moment
            raise ValidationError(_("另一项收款账户变更正在登记，请刷新后重试。")) from None
        audit_record(actor=actor, action="payments.account_submit", target=account, ip=ip, after=_json(account))
    return account


def _lock_pending(account: ReceivingAccount, *, actor) -> ReceivingAccount:
    locked = ReceivingAccount.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=account.pk)
    if not ReceivingAccount.objects.filter(enterprise_scope_q(actor), pk=locked.pk).exists():
        raise PermissionDenied(_("该企业不属于您所在区域，您无权核验其收款账户。"))
    if locked.status != Status.PENDING:
        raise ValidationError(_("该收款账户已处理（%(s)s），不能再次核验。") % {"s": locked.get_status_display()})
    return locked


def account_verify(*, actor, account: ReceivingAccount, ip: str | None = None) -> ReceivingAccount:
    """核验通过 the change comes into force; the account verified before is superseded."""
    require_payment_admin(actor)
    with transaction.atomic():
        account = _lock_pending(account, actor=actor)
        account_name_check(enterprise=account.enterprise, account_name=account.account_name)
        before = account_in_force(enterprise_id=account.enterprise_id)
        if before is not None:
            ReceivingAccount.objects.filter(pk=before.pk).update(status=Status.SUPERSEDED)
        account.status, account.decided_by, account.decided_at = Status.VERIFIED, actor, timezone.now()
        account.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="payments.account_verify",
            target=account,
            ip=ip,
            before=_json(before) if before else None,
            after=_json(account),
        )
        with portal_language():
            notify_enterprise(
                enterprise_id=account.enterprise_id,
                kind=Notification.Kind.ACCOUNT,
                subject=_("收款账户已核验"),
                body=_("贵单位登记的收款账户（%(bank)s，账号 %(n)s）已通过主管部门核验，此后补贴资金拨付至该账户。")
                % {"bank": account.bank_name, "n": account.masked_number},
                link=enterprise_link(),
                dedupe_key=f"account-verified:{account.pk}",
            )
    return account


def account_refuse(*, actor, account: ReceivingAccount, reason: str, ip: str | None = None) -> ReceivingAccount:
    """核验不通过, with the reason; the account in force (if any) stays in force."""
    require_payment_admin(actor)
    reason = _text(reason, "reason", _("不通过的原因"), 500)
    with transaction.atomic():
        account = _lock_pending(account, actor=actor)
        account.status, account.decided_by, account.decided_at = Status.REFUSED, actor, timezone.now()
        account.refusal_reason = reason
        account.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        audit_record(
            actor=actor, action="payments.account_refuse", target=account, ip=ip, after=_json(account), note=reason
        )
        with portal_language():
            notify_enterprise(
                enterprise_id=account.enterprise_id,
                kind=Notification.Kind.ACCOUNT,
                subject=_("收款账户未通过核验"),
                body=_(
                    "贵单位登记的收款账户（%(bank)s，账号 %(n)s）未通过核验：%(r)s。原已核验的账户（如有）继续有效。"
                )
                % {"bank": account.bank_name, "n": account.masked_number, "r": reason},
                link=enterprise_link(),
                dedupe_key=f"account-refused:{account.pk}",
            )
    return account
