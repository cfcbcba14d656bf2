"""发放 a voucher on the final approval of a voucher programme: its code, face value and validity."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise

from ...models import Award, Voucher
from ...selectors import parameters_in_force
from ..budget import fmt_yuan
from .common import (
    CODE_ALPHABET,
    DEFAULT_VALIDITY_MONTHS,
    ISSUERS,
    _active,
    add_months,
)


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
