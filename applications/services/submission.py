"""Submitting 提交, resubmitting after 补正 and withdrawing an application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Notification
from portal.notifications import notify_enterprise
from vouchers.lifecycle import basis_date
from vouchers.models import Award, Programme
from vouchers.selectors import programme_spec, window_open_for
from vouchers.services.budget import award_release

from ..drafts import completeness_errors, raw_text
from ..models import (
    Application,
)
from ..models_supplement import GENERAL_ANSWER
from ..selectors import current_attachments, open_supplement
from ..services_preapproval import preapproval_lock, preapproval_problems
from ..verification import unverified_message
from ..workflow import State
from .drafts import refresh_estimate
from .guards import require_applicant_of
from .supplements import supplement_request_answer
from .transitions import TransitionRefused, application_transition


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
            "p": programme.name_zh,
            "w": upcoming.name,
            "t": timezone.localtime(upcoming.opens_at).strftime("%Y-%m-%d %H:%M"),
        }
    return _("“%(p)s”当前不在申报期内（申报批次由主管部门公布），草稿已保存，可在开放申报后提交。") % {
        "p": programme.name_zh
    }


def application_submit(
    *, actor, application: Application | int, declaration: bool, ip: str | None = None
) -> Application:
    """提交 submit a draft within an open window of its programme, with the declaration (承诺) that
    the information is true. Idempotent: a second click, or a retry after the first answer was
    lost, finds the application submitted and returns it as it stands (已提交), changing nothing."""
    require_applicant_of(actor, application)
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
        period = app.period_end or (app.preapproval.event_date if app.preapproval is not None else None)
        state["basis"] = basis_date(
            programme=app.programme, submitted_on=timezone.localdate(), period_end=period, window=window
        )

    def apply(app: Application) -> None:
        app.window = state["window"]
        app.basis_date = state["basis"]
        app.declared_at = timezone.now()
        app.declared_by = actor
        refresh_estimate(app)
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind=Notification.Kind.SUBMITTED,
            subject=_("申报已提交：%(ref)s") % {"ref": app.reference},
            body=_(
                "贵单位的申报“%(title)s”（%(p)s，编号 %(ref)s）已于 %(t)s 提交，进入形式审查。"
                "请留意站内信，如需补正将另行通知。"
            )
            % {
                "title": app.title,
                "p": app.programme.name_zh,
                "ref": app.reference,
                "t": timezone.localtime(app.declared_at).strftime("%Y-%m-%d %H:%M"),
            },
            link=reverse("applications:detail", args=[app.pk]),
            dedupe_key=f"submitted:{app.pk}",
        )

    return application_transition(
        actor=actor,
        application=application,
        transition="submit",
        ip=ip,
        message=_("提交申报并承诺所填信息真实、准确、完整"),
        guard=guard,
        apply=apply,
    )


def application_resubmit(
    *, actor, application: Application | int, answers: Mapping[str, Any], ip: str | None = None
) -> Application:
    """补正后重新提交: every item of the open request is answered in words or by a file uploaded under
    its code since the request; the answers go into the timeline event (data["answers"])."""
    require_applicant_of(actor, application)
    clean_answers = {str(k): raw_text(v).strip() for k, v in (answers or {}).items()}
    recorded: dict[str, Any] = {}
    review_due: dict[str, dt.date | None] = {"date": None}

    def guard(app: Application) -> None:
        request = open_supplement(app)
        # the reviewer's own deadline, as the request holds it now (a calendar change recomputes it)
        review_due["date"] = request.review_due_date if request else None
        items = list(request.items.all()) if request else []
        codes = [item.code for item in items]
        errors: dict[str, str] = {}
        if clean_answers.get(GENERAL_ANSWER) and not (request and request.note.strip()):
            errors[f"answers.{GENERAL_ANSWER}"] = _("该补正通知没有总体说明，无需就此答复。")
        unknown = [c for c in clean_answers if c not in codes and c != GENERAL_ANSWER]
        if unknown:
            errors["answers"] = _("补正事项不存在：%(c)s") % {"c": "、".join(unknown)}
        since = request.created_at if request else None
        uploaded = (
            set(current_attachments(app).filter(uploaded_at__gte=since).values_list("material", flat=True))
            if since
            else set()
        )
        for item, code in zip(items, codes, strict=True):
            if not clean_answers.get(code) and code not in uploaded:
                errors[f"answers.{code}"] = _("请就“%(l)s”作出说明或上传材料。") % {"l": item.label or code}
        preapproval_lock(app)
        errors.update(submission_problems(app))
        if errors:
            raise ValidationError(errors)
        recorded["answers"] = {c: clean_answers.get(c, "") for c in codes}
        if clean_answers.get(GENERAL_ANSWER):  # the answer to the request's note as a whole, last
            recorded["answers"][GENERAL_ANSWER] = clean_answers[GENERAL_ANSWER]
        recorded["files"] = {
            c: list(current_attachments(app).filter(uploaded_at__gte=since, material=c).values_list("pk", flat=True))
            for c in codes
        }

    def apply(app: Application) -> None:
        app.due_date = review_due["date"]
        refresh_estimate(app)
        supplement_request_answer(application=app)

    # The event's data is written by the transition from `recorded`, filled in by the guard.
    return application_transition(
        actor=actor,
        application=application,
        transition="resubmit",
        ip=ip,
        message=_("补正后重新提交"),
        data=recorded,
        guard=guard,
        apply=apply,
    )


def application_withdraw(
    *, actor, application: Application | int, reason: str = "", ip: str | None = None
) -> Application:
    """撤回 before a decision. Whatever the application held is freed: nothing is reserved before a
    decision in this workflow, but any reserved award is released through the budget service."""
    require_applicant_of(actor, application)
    reason = (reason or "").strip()  # kept whole: the timeline's message is a text column

    def apply(app: Application) -> None:
        held = list(Award.objects.filter(application=app, status=Award.Status.RESERVED))
        if held:
            for award in held:
                award_release(actor=None, award=award, reason=_("申报已撤回"))
        app.due_date = None

    return application_transition(
        actor=actor,
        application=application,
        transition="withdraw",
        ip=ip,
        message=reason or _("申报单位撤回申报"),
        data={"reason": reason},
        apply=apply,
    )
