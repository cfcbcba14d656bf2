"""形式审查 formal review: completeness against the programme's materials checklist
(Programme.materials) and the application's current attachments. A return for supplement (退回补正)
lists every missing item at once (一次性告知): the reviewer must include each missing material, and a
later return may only repeat items already notified. The return is made within 5 working days of
the (re)submission and the applicant has 5 working days from the return to supplement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationEvent, SupplementItem, SupplementRequest
from applications.services import application_lock, application_transition, supplement_request_record, transition_check
from applications.workflow import COMPETITIVE
from portal.limits import length_problem
from portal.notifications import notify_enterprise

from ..letters.services import letter_create
from .common import CLOCK_ACTIONS, applicant_link, due_after, portal_language, require_assigned, require_bureau, today
from .parties import parties_ask_to_confirm

OTHER_PREFIX = "other"


def formal_checklist(application: Application, attachments: Iterable | None = None) -> list[dict[str, Any]]:
    """Each material of the programme's checklist with the application's current files for it.
    Pass `attachments` (already fetched, current ones) to avoid a query."""
    if attachments is None:
        attachments = application.attachments.filter(superseded_at__isnull=True)
    by_code: dict[str, list] = {}
    for att in attachments:
        if getattr(att, "superseded_at", None) is None:
            by_code.setdefault(att.material, []).append(att)
    rows = []
    for m in application.programme.materials or []:
        files = by_code.get(m["code"], [])
        rows.append(
            {
                "code": m["code"],
                "label": m.get("label_zh") or m["code"],
                "files": files,
                "present": bool(files),
                "required": m.get("required", True),
            }
        )
    return rows


def missing_materials(application: Application) -> list[dict[str, Any]]:
    return [row for row in formal_checklist(application) if row["required"] and not row["present"]]


def clock_start(application: Application) -> dt.date:
    """The day the reviewer's formal-review clock started: the latest (re)submission."""
    at = (
        (
            ApplicationEvent.objects.filter(application=application, action__in=CLOCK_ACTIONS)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
        or application.submitted_at
        or timezone.now()
    )
    return timezone.localdate(at)


def formal_review_due(application: Application) -> dt.date:
    """形式审查期限: the return or the pass is due within 5 working days of the (re)submission."""
    return due_after("formal_review", clock_start(application))


def _clean_items(app: Application, items: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    checklist = formal_checklist(app)
    labels = {row["code"]: row["label"] for row in checklist}
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for raw in items or []:
        code = str(raw.get("code") or "").strip()
        label = str(raw.get("label") or "").strip()
        note = str(raw.get("note") or "").strip()
        if not code and not label:
            continue
        if code in labels:
            label = labels[code]
        else:
            if not label:
                problems.append(_("其他补正事项须写明事项名称。"))
                continue
            if not note:
                problems.append(_("其他补正事项“%(label)s”须写明补正要求。") % {"label": label})
                continue
            code = code if code.startswith(OTHER_PREFIX) else f"{OTHER_PREFIX}-{len(cleaned) + 1}"
        if code in seen:
            continue
        too_long = [
            p
            for p in (
                length_problem(label, model=SupplementItem, field="label"),
                length_problem(note, model=SupplementItem, field="note"),
            )
            if p
        ]
        if too_long:
            problems.extend(too_long)
            continue
        seen.add(code)
        cleaned.append({"code": code, "label": label, "note": note})
    if problems:
        raise ValidationError({"items": problems})
    if not cleaned:
        raise ValidationError({"items": _("请列明需要补正的材料或事项。")})
    missing = [row for row in checklist if row["required"] and not row["present"]]
    omitted = [row["label"] for row in missing if row["code"] not in seen]
    if omitted:
        raise ValidationError(
            {
                "items": _("以下缺失材料未列入补正通知，须一次性告知全部补正内容：%(list)s")
                % {"list": "、".join(omitted)}
            }
        )
    earlier = set(SupplementItem.objects.filter(request__application=app).values_list("code", flat=True))
    if earlier:
        missing_now = {row["code"] for row in missing}
        # Items notified before, or materials missing now (the applicant removed them since), only.
        new = [i["label"] for i in cleaned if i["code"] not in earlier and i["code"] not in missing_now]
        if new:
            raise ValidationError(
                {"items": _("已一次性告知过补正内容，不能再增加新的补正事项：%(list)s") % {"list": "、".join(new)}}
            )
    return cleaned


def formal_review_start(*, actor, application: Application | int, ip: str | None = None) -> Application:
    """开始形式审查 submitted → formal review, with the formal-review deadline set."""
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition="start_formal_review")
        require_assigned(actor, app)
        return application_transition(
            actor=actor, application=app, transition="start_formal_review", ip=ip, due_date=formal_review_due(app)
        )


def _required_comment(note: str, message: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": message})
    return note


def formal_review_pass(*, actor, application: Application | int, note: str, ip: str | None = None) -> Application:
    """形式审查通过 with the reviewer's comment (形式审查意见, required): standard path → substantive
    review; competitive path → expert review. A two-party award's other party is asked to confirm
    its part (合作方确认) once the form is in order."""
    require_bureau(actor)
    with transaction.atomic():
        app = application_lock(application)
        competitive = app.programme.review_path == COMPETITIVE
        transition = "send_to_experts" if competitive else "pass_formal_review"
        transition_check(actor=actor, application=app, transition=transition)
        require_assigned(actor, app)
        note = _required_comment(note, _("请填写形式审查意见。"))
        missing = missing_materials(app)
        if missing:
            raise ValidationError(
                _("申报 %(ref)s 材料不齐全，不能通过形式审查；缺少：%(list)s。请退回补正。")
                % {"ref": app.reference, "list": "、".join(m["label"] for m in missing)}
            )
        with portal_language():
            parties_ask_to_confirm(app)
        return application_transition(
            actor=actor,
            application=app,
            transition=transition,
            message=note,
            ip=ip,
            due_date=due_after("expert_review" if competitive else "bureau_review"),
        )


def formal_review_return(
    *, actor, application: Application | int, items: Iterable[Mapping[str, Any]], note: str, ip: str | None = None
) -> SupplementRequest:
    """退回补正 return for supplement listing every missing item at once (一次性告知), with the
    reviewer's comment (required). The application records the request with its items
    (`supplement_request_record`, the one record of what was asked); the timeline event names it
    ({"supplement_request": id})."""
    require_bureau(actor)
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition="request_supplement")
        require_assigned(actor, app)
        errors: dict[str, list[str]] = {}
        note = (note or "").strip()
        if not note:
            errors["note"] = [_("请填写退回补正的审查意见。")]
        try:
            cleaned = _clean_items(app, list(items or []))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        due, review_due = due_after("supplement", today()), formal_review_due(app)

        sr = supplement_request_record(
            application=app, requested_by=actor, due_date=due, review_due_date=review_due, note=note, items=cleaned
        )
        # 补正通知书 numbered in this transaction, generated after commit
        letter_create(application=app, kind="supplement", actor=actor, context={"supplement_request": sr})
        lines = "\n".join(
            f"{n}. {i['label']}{'：' + i['note'] if i['note'] else ''}" for n, i in enumerate(cleaned, start=1)
        )
        with portal_language():
            notify_enterprise(
                enterprise_id=app.enterprise_id,
                kind="supplement",
                subject=_("补正通知：申报 %(ref)s 需补正材料") % {"ref": app.reference},
                body=_(
                    "您的申报 %(ref)s（%(programme)s）经形式审查需补正以下材料或事项（一次性告知）：\n%(lines)s\n"
                    "请于 %(due)s 前补正后重新提交。%(note)s"
                )
                % {
                    "ref": app.reference,
                    "programme": app.programme.name_zh,
                    "lines": lines,
                    "due": due.isoformat(),
                    "note": note,
                },
                link=applicant_link(app),
                dedupe_key=f"supplement:{sr.pk}",
            )
        application_transition(
            actor=actor,
            application=app,
            transition="request_supplement",
            message=note,
            ip=ip,
            data={"supplement_request": sr.pk},
            due_date=due,
        )
    return sr
