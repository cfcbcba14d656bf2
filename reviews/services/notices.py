"""公示 public notice: an administrator publishes the approved amounts of a batch for 7 working days
(settings.REVIEWS_WORKDAYS["notice"]); anyone may lodge a named objection (异议) during the period;
each objection is investigated and upheld or dismissed with a reason within 5 working days; an upheld
objection declines that award. When the period is over and an application has no open objection,
its awards become final (transition finalize, by the periodic task, actor None = the system).

The period: published on day P, it runs to the end of the 7th working day after P (`ends_on`),
Asia/Shanghai time; objections are accepted until then, and the awards become final from the next
day on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import (
    TransitionRefused,
    application_lock,
    application_transition,
    applications_lock,
    transition_check,
)
from applications.workflow import EventAction, Route, State
from portal.audit import audit_record
from portal.limits import max_length, require_length
from portal.notifications import notify_enterprise
from portal.permissions import district_q, require_district
from portal.workdays import add_workdays
from vouchers.models import ApplicationWindow, Award
from vouchers.services.budget import award_commit
from vouchers.services.payments import award_schedules_create
from vouchers.services.redemption import voucher_issue

from ..letters.services import letter_create
from ..models import Decision, Objection, PublicNotice, PublicNoticeEntry
from ..selectors import line_label
from .collective import require_collective_decision
from .common import (
    applicant_link,
    due_after,
    link,
    portal_language,
    require_admin,
    require_in_district,
    today,
    workdays_for,
)


def notice_period_over(notice: PublicNotice, now: dt.datetime | None = None) -> bool:
    return timezone.localdate(now or timezone.now()) > notice.ends_on


# ---------------------------------------------------------------- publish


def notice_publish(
    *,
    actor,
    application_ids: Iterable[int] | None = None,
    window: ApplicationWindow | None = None,
    title: str = "",
    workdays: int | None = None,
    on: dt.date | None = None,
    ip: str | None = None,
) -> PublicNotice:
    """发布公示: the approved-pending-notice applications of a batch (`window`, all of them, or the
    chosen `application_ids`), of one programme, as one notice."""
    require_admin(actor)
    on = on or today()
    n = workdays if workdays is not None else workdays_for("notice")
    if n < 1 or n > 60:
        raise ValidationError({"workdays": _("公示期须为 1 至 60 个工作日。")})
    title = require_length((title or "").strip(), model=PublicNotice, field="title")
    qs = Application.objects.filter(state=State.APPROVED_PENDING_NOTICE)
    if window is not None:
        require_district(actor, window.programme.policy.district)
        qs = qs.filter(window=window)
    if application_ids is not None:
        qs = qs.filter(pk__in=list(application_ids))
    elif window is None:
        raise ValidationError(_("请选择申报批次或拟公示的申报。"))
    with transaction.atomic():
        locked = applications_lock(qs.values_list("pk", flat=True))  # then read again under the lock
        apps = list(
            Application.objects.filter(pk__in=locked, state=State.APPROVED_PENDING_NOTICE)
            .select_related("programme", "enterprise")
            .order_by("pk")
        )
        if not apps:
            raise ValidationError(_("没有待公示的申报（须为“拟支持，待公示”状态）。"))
        for app in apps:
            require_in_district(actor, app)
        programmes = {a.programme_id for a in apps}
        if len(programmes) > 1:
            raise ValidationError(_("一次公示只能包含同一申报项目的申报，请按项目分别发布。"))
        programme = apps[0].programme
        require_collective_decision(apps)  # 集体决策 of a competitive programme, recorded first
        window_ids = {a.window_id for a in apps if a.window_id is not None}
        batch = window or (
            ApplicationWindow.objects.filter(pk=next(iter(window_ids))).first()
            if len(window_ids) == 1 and all(a.window_id for a in apps)
            else None
        )
        decisions = {d.application_id: d for d in Decision.objects.filter(application__in=apps, current=True)}
        notice = PublicNotice.objects.create(
            # the default title is composed from the programme's and the batch's names: cut to the column
            title=title
            or (
                _("%(programme)s%(batch)s拟支持名单公示")
                % {"programme": programme.name_zh, "batch": batch.name if batch else ""}
            )[: max_length(PublicNotice, "title")],
            window=batch,
            programme=programme,
            published_by=actor,
            starts_on=on,
            ends_on=due_after("notice", on) if workdays is None else _add(on, n),
            workdays=n,
        )
        entries = []
        for app in apps:
            decision = decisions.get(app.pk)
            lines = (decision.lines if decision else []) or [
                {"line": "", "amount": str(app.estimate_amount or 0), "enterprise_name": app.enterprise.name}
            ]
            for ln in lines:
                entries.append(
                    PublicNoticeEntry(
                        notice=notice,
                        application=app,
                        line=ln.get("line", ""),
                        enterprise_name=ln.get("enterprise_name") or app.enterprise.name,
                        programme_name=programme.name_zh,
                        project_title=app.title,
                        amount=ln["amount"],
                    )
                )
        PublicNoticeEntry.objects.bulk_create(entries)
        audit_record(
            actor=actor,
            action="review.notice_publish",
            target=notice,
            ip=ip,
            after={
                "applications": [a.pk for a in apps],
                "starts_on": notice.starts_on,
                "ends_on": notice.ends_on,
                "workdays": n,
            },
        )
        for app in apps:
            with portal_language():
                notify_enterprise(
                    enterprise_id=app.enterprise_id,
                    kind="public_notice",
                    subject=_("公示通知：申报 %(ref)s 拟支持名单已公示") % {"ref": app.reference},
                    body=_("您的申报 %(ref)s 已列入“%(title)s”，公示期至 %(end)s。公示期满无异议的，核定生效。")
                    % {"ref": app.reference, "title": notice.title, "end": notice.ends_on.isoformat()},
                    link=link("reviews:public_notice", notice.pk),
                    dedupe_key=f"notice:{notice.pk}:{app.pk}",
                )
            application_transition(
                actor=actor,
                application=app,
                transition="publish_notice",
                ip=ip,
                due_date=notice.ends_on,
                data={"notice": notice.pk, "ends_on": notice.ends_on.isoformat()},
                message=_("公示期 %(start)s 至 %(end)s") % {"start": on.isoformat(), "end": notice.ends_on.isoformat()},
            )
    return notice


def _add(start: dt.date, n: int) -> dt.date:
    return add_workdays(start, n)


def notice_entries_withdraw(*, application: Application) -> int:
    """Withdraw an application's lines from its notice: its award is no more (an objection upheld, a
    免申即享 award declined or lapsed). The caller holds the application's lock."""
    return PublicNoticeEntry.objects.filter(application=application).update(status=PublicNoticeEntry.Status.WITHDRAWN)


# ---------------------------------------------------------------- finalize


def notice_finalize(
    *, application: Application | int, actor=None, ip: str | None = None, now: dt.datetime | None = None
) -> Application:
    """公示期满，核定生效: the awards are committed on the pool, vouchers issued where the programme pays
    in vouchers, the 核定通知 made (dated the day the award becomes final) with each award's payment
    schedule; then the enterprises are told. Lock, check, write, one transition."""
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition=EventAction.FINALIZE)
        entry = PublicNoticeEntry.objects.filter(application=app).select_related("notice").first()
        if entry is None or not notice_period_over(entry.notice, now):
            raise ValidationError(_("申报 %(ref)s 的公示期尚未结束。") % {"ref": app.reference})
        if Objection.objects.filter(application=app, status=Objection.Status.OPEN).exists():
            raise ValidationError(_("申报 %(ref)s 尚有未处理的异议。") % {"ref": app.reference})
        if app.route == Route.AUTO and app.confirmed_at is None:  # 免申即享: final only once the enterprise confirms
            raise ValidationError(_("申报 %(ref)s 尚待企业确认。") % {"ref": app.reference})

        for award in Award.objects.filter(application=app, status=Award.Status.RESERVED).order_by("pk"):
            award_commit(actor=actor, award=award)
        PublicNoticeEntry.objects.filter(application=app, status=PublicNoticeEntry.Status.LISTED).update(
            status=PublicNoticeEntry.Status.FINAL
        )
        committed = list(
            Award.objects.filter(application=app, status=Award.Status.COMMITTED)
            .select_related("enterprise")
            .order_by("pk")
        )
        if app.programme.is_voucher:  # 算力券 issued on final approval
            for award in committed:
                voucher_issue(award=award, actor=actor)
        period = {"notice_starts_on": entry.notice.starts_on, "notice_ends_on": entry.notice.ends_on}
        # a two-party award gets one letter per line, each addressed to that line's enterprise
        for line in sorted({a.line for a in committed} - {""}) or [""]:
            letter = letter_create(application=app, kind="approval", actor=actor, context=period, line=line)
            # 拨付分期 the payment schedule, from the letter's tranches and with its number
            awards = list(Award.objects.filter(application=app, **({"line": line} if line else {})).order_by("pk"))
            award_schedules_create(
                actor=actor, awards=awards, tranches=letter.context.get("tranches"), document_number=letter.number
            )
        moved = application_transition(
            actor=actor,
            application=app,
            transition=EventAction.FINALIZE,
            ip=ip,
            message=_("公示期满无异议，核定生效。"),
            due_date=None,
        )
        transaction.on_commit(lambda: _tell_final(app, committed))
    return moved


def _tell_final(app: Application, committed: list[Award]) -> None:
    amount = sum((a.amount for a in committed), 0)
    with portal_language():
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind="decision",
            subject=_("核定生效：申报 %(ref)s") % {"ref": app.reference},
            body=_("您的申报 %(ref)s 公示期满无异议，核定金额 %(amount)s 元已生效。")
            % {"ref": app.reference, "amount": f"{amount:,}"},
            link=applicant_link(app),
            dedupe_key=f"final:{app.pk}",
        )
        for award in committed:  # the other party of a two-party award hears of its own line
            if award.enterprise_id != app.enterprise_id:
                notify_enterprise(
                    enterprise_id=award.enterprise_id,
                    kind="decision",
                    subject=_("核定生效：%(programme)s") % {"programme": app.programme.name_zh},
                    body=_("%(applicant)s 申报的 %(ref)s 公示期满无异议，贵单位作为%(who)s的奖励 %(amount)s 元已生效。")
                    % {
                        "applicant": app.enterprise.name,
                        "ref": app.reference,
                        "who": line_label(award.line),
                        "amount": f"{award.amount:,}",
                    },
                    link=reverse("reviews:party_list"),
                    dedupe_key=f"final:{app.pk}:{award.line}",
                )


def finalize_if_clear(
    *, application_id: int, now: dt.datetime | None = None, actor=None, ip: str | None = None
) -> bool:
    try:
        notice_finalize(application=application_id, now=now, actor=actor, ip=ip)
    except (TransitionRefused, ValidationError):
        return False
    return True


def _close_if_settled(notice: PublicNotice, *, actor=None, ip: str | None = None) -> bool:
    """Close the notice once none of its applications is still in notice (audited: actor None = the
    system's scheduled run). True when this call closed it."""
    if notice.entries.filter(application__state=State.IN_PUBLIC_NOTICE).exists():
        return False
    with transaction.atomic():
        closed = PublicNotice.objects.filter(pk=notice.pk, status=PublicNotice.Status.OPEN).update(
            status=PublicNotice.Status.CLOSED, closed_at=timezone.now()
        )
        if closed:
            audit_record(
                actor=actor,
                action="review.notice_close",
                target=notice,
                ip=ip,
                before={"status": PublicNotice.Status.OPEN},
                after={"status": PublicNotice.Status.CLOSED, "ends_on": notice.ends_on},
            )
    return bool(closed)


def _close_due(*, now: dt.datetime | None = None, actor=None, ip: str | None = None) -> dict[str, Any]:
    day = timezone.localdate(now or timezone.now())
    finalized, waiting, closed = [], [], []
    # an administrator closes their district's notices; the system (actor None) every district's
    scope = district_q(actor, "programme__policy__district") if actor is not None else Q()
    for notice in PublicNotice.objects.filter(scope, status=PublicNotice.Status.OPEN, ends_on__lt=day).order_by("pk"):
        app_ids = list(
            notice.entries.filter(application__state=State.IN_PUBLIC_NOTICE)
            .values_list("application_id", flat=True)
            .distinct()
        )
        for app_id in app_ids:
            if Objection.objects.filter(application_id=app_id, status=Objection.Status.OPEN).exists():
                waiting.append(app_id)
                continue
            if finalize_if_clear(application_id=app_id, now=now, actor=actor, ip=ip):
                finalized.append(app_id)
        if _close_if_settled(notice, actor=actor, ip=ip):
            closed.append(notice.pk)
    return {"finalized": finalized, "waiting_objections": waiting, "closed_notices": closed}


def public_notices_close_due(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The periodic task's work (actor: the system): for each open notice whose period is over,
    finalize every listed application without an open objection, and close the notice when none is
    left. Idempotent."""
    result = _close_due(now=now)
    return {"finalized": result["finalized"], "waiting_objections": result["waiting_objections"]}


def notices_close_due(*, actor, ip: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """公示期满处理 an administrator closes the due notices now (page, API, `manage.py notices_close_due`)
    instead of waiting for the scheduled run: the same work, in the administrator's name (actor None:
    the system, for the command run without --as), with an audit row of the run besides those of
    each award finalised and each notice closed."""
    if actor is not None:
        require_admin(actor)
    result = _close_due(now=now, actor=actor, ip=ip)
    audit_record(
        actor=actor,
        action="review.notices_close_due",
        target_type="reviews.publicnotice",
        target_id="due",
        ip=ip,
        after=result,
    )
    return result
