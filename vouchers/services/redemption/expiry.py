"""到期: a voucher past its last valid day expires and its unredeemed balance goes back to the pool."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise
from portal.permissions import require_bureau_admin

from ...models import Voucher
from ..budget import award_release, fmt_yuan


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
