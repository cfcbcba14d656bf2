"""免申即享 the listed enterprise's answer: it confirms in one step (its verified 收款账户 and a declaration,
no uploads) within the batch's working days, or declines. A confirmed award continues as every other
(notice → final → letter → payment schedule); a declined one, or one left unconfirmed (reminded once,
a few working days before the deadline), lapses: its reservation is released, its notice line
withdrawn, an audit row written and the enterprise told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import (
    TransitionRefused,
    application_auto_confirm,
    application_lock,
    application_transition,
    transition_check,
)
from applications.workflow import EventAction, State
from portal.audit import audit_record
from portal.notifications import notify_enterprise
from portal.workdays import workdays_between
from reviews.services.decisions import release_awards
from reviews.services.notices import notice_entries_withdraw, notice_finalize
from vouchers.models import ReceivingAccount

from .models import AutoAwardCandidate

REMIND_WORKDAYS_BEFORE = 3  # the one reminder goes out when this many working days are left, or fewer
LISTED = (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE)


def verified_accounts(enterprise_id: int):
    """The enterprise's verified 收款账户, those it may choose."""
    return ReceivingAccount.objects.filter(enterprise_id=enterprise_id, status=ReceivingAccount.Status.VERIFIED)


def _locked(candidate: AutoAwardCandidate | int) -> tuple[AutoAwardCandidate, Application]:
    """Lock the application first (the order of every decision), then the candidate."""
    pk = candidate.pk if isinstance(candidate, AutoAwardCandidate) else int(candidate)
    found = AutoAwardCandidate.objects.filter(pk=pk).values_list("application_id", flat=True).first()
    if found is None:
        raise ValidationError(_("该免申即享奖励尚未公示，不能确认。"))
    app = application_lock(found)
    return AutoAwardCandidate.objects.select_for_update().get(pk=pk), app


def _open(candidate: AutoAwardCandidate, app: Application, *, today: dt.date) -> None:
    if candidate.response != AutoAwardCandidate.Response.PENDING:
        raise ValidationError(_("该免申即享奖励已%(r)s，不能再办理。") % {"r": candidate.get_response_display()})
    if candidate.confirm_by is None:
        raise ValidationError(_("该免申即享奖励尚未公示，不能确认。"))
    if today > candidate.confirm_by:
        raise ValidationError(_("确认期限已于 %(d)s 届满。") % {"d": candidate.confirm_by.isoformat()})


def auto_award_confirm(
    *, actor, candidate: AutoAwardCandidate | int, account: int | str | None, declaration: bool, ip: str | None = None
) -> AutoAwardCandidate:
    """确认领取 by a member of the listed enterprise: one of its verified accounts and the declaration.
    When the notice period is already over (and nothing else holds it), the award becomes final now."""
    with transaction.atomic():
        c, app = _locked(candidate)
        transition_check(actor=actor, application=app, transition=EventAction.AUTO_DECLINE)  # a member, still listed
        _open(c, app, today=timezone.localdate())
        chosen = (
            verified_accounts(c.enterprise_id).filter(pk=int(account)).first() if str(account or "").isdigit() else None
        )
        if chosen is None:
            raise ValidationError({"account": _("请选择已核验的收款账户（尚无的，请先登记收款账户并待核验）。")})
        label = f"{chosen.bank_name} {chosen.account_number[-4:].rjust(len(chosen.account_number), '*')}"
        application_auto_confirm(actor=actor, application=app, declaration=declaration, account_label=label, ip=ip)
        c.response, c.account, c.responded_by, c.responded_at = (
            AutoAwardCandidate.Response.CONFIRMED,
            chosen,
            actor,
            timezone.now(),
        )
        c.save(update_fields=["response", "account", "responded_by", "responded_at"])
        audit_record(
            actor=actor,
            action="proactive.auto_award_confirm",
            target=c,
            ip=ip,
            after={"application": app.pk, "account": chosen.pk},
        )
        if app.state == State.IN_PUBLIC_NOTICE:
            try:  # the period may be over already: final now rather than at the next scheduled run
                with transaction.atomic():
                    notice_finalize(application=app.pk, actor=None, ip=ip)
            except (TransitionRefused, ValidationError):
                pass
    return c


def _lapse(
    *, actor, c: AutoAwardCandidate, app: Application, transition: str, response: str, reason: str, ip: str | None
) -> None:
    """Release the reservation, withdraw the notice line, move the application (withdrawn), record it."""
    release_awards(actor=None, app=app, reason=reason)  # as a withdrawal does: the system frees what it held
    notice_entries_withdraw(application=app)
    c.response, c.responded_by, c.responded_at = response, actor, timezone.now()
    c.save(update_fields=["response", "responded_by", "responded_at"])
    audit_record(
        actor=actor,
        action=f"proactive.{transition}",
        target=c,
        ip=ip,
        note=reason,
        after={"application": app.pk, "response": response},
    )
    application_transition(actor=actor, application=app, transition=transition, message=reason, ip=ip, due_date=None)


def auto_award_decline(
    *, actor, candidate: AutoAwardCandidate | int, reason: str = "", ip: str | None = None
) -> AutoAwardCandidate:
    """放弃 by a member of the listed enterprise: the award lapses and its reservation is released."""
    with transaction.atomic():
        c, app = _locked(candidate)
        transition_check(actor=actor, application=app, transition=EventAction.AUTO_DECLINE)
        _open(c, app, today=timezone.localdate())
        because = _("企业放弃免申即享奖励。%(r)s") % {"r": (reason or "").strip()}
        _lapse(
            actor=actor,
            c=c,
            app=app,
            transition=EventAction.AUTO_DECLINE,
            response=AutoAwardCandidate.Response.DECLINED,
            reason=because.strip(),
            ip=ip,
        )
    return c


def auto_awards_due(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The periodic work (actor: the system): remind once those whose deadline is near, and lapse those
    past it. Idempotent."""
    today = timezone.localdate(now or timezone.now())
    reminded, lapsed = [], []
    pending = AutoAwardCandidate.objects.filter(
        response=AutoAwardCandidate.Response.PENDING, confirm_by__isnull=False, application__state__in=LISTED
    )
    for c in pending.filter(confirm_by__lt=today).select_related("batch__programme").order_by("pk"):
        with transaction.atomic():
            c, app = _locked(c)
            if c.response != AutoAwardCandidate.Response.PENDING or app.state not in LISTED:
                continue
            reason = _("逾期未确认（确认期限 %(d)s），免申即享奖励失效。") % {"d": c.confirm_by.isoformat()}
            _lapse(
                actor=None,
                c=c,
                app=app,
                transition=EventAction.AUTO_LAPSE,
                response=AutoAwardCandidate.Response.LAPSED,
                reason=reason,
                ip=None,
            )
            notify_enterprise(
                enterprise_id=c.enterprise_id,
                kind="decision",
                subject=_("免申即享奖励已失效：%(p)s") % {"p": app.programme.name_zh},
                body=_(
                    "贵单位未在 %(d)s 前确认领取“%(p)s”的免申即享奖励，该奖励已失效，预留资金已释放。"
                    "如有疑问请联系主管部门。"
                )
                % {"d": c.confirm_by.isoformat(), "p": app.programme.name_zh},
                link=reverse("proactive:auto_awards"),
                dedupe_key=f"auto-lapsed:{c.pk}",
            )
            lapsed.append(c.pk)
    for c in pending.filter(confirm_by__gte=today, reminded_at=None).select_related("batch__programme"):
        if workdays_between(today, c.confirm_by) > REMIND_WORKDAYS_BEFORE:
            continue
        if not AutoAwardCandidate.objects.filter(pk=c.pk, reminded_at=None).update(reminded_at=timezone.now()):
            continue
        notify_enterprise(
            enterprise_id=c.enterprise_id,
            kind="reminder",
            subject=_("提醒：请确认领取免申即享奖励（%(p)s）") % {"p": c.batch.programme.name_zh},
            body=_("贵单位的“%(p)s”免申即享奖励尚未确认，确认期限为 %(d)s，逾期视为放弃。")
            % {"p": c.batch.programme.name_zh, "d": c.confirm_by.isoformat()},
            link=reverse("proactive:auto_awards"),
            dedupe_key=f"auto-remind:{c.pk}",
        )
        reminded.append(c.pk)
    return {"reminded": reminded, "lapsed": lapsed}
