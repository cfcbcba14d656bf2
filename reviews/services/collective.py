"""集体决策 competitive programmes (expert review, ranked batches) decide their awards collectively — a
局务会 or 专题会议 — before the list goes to public notice: an administrator records the meeting (its
name, date, attendees, minutes and, if any, the signed minutes as a file) for the approved
applications it decided, and notice_publish refuses a competitive programme's applications that no
recorded meeting covers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import applications_lock
from applications.uploads import check_upload
from applications.workflow import COMPETITIVE, State
from portal.audit import audit_record
from portal.limits import max_length
from portal.permissions import require_district
from vouchers.models import Programme

from ..models import CollectiveDecision
from .common import require_admin, today


def uncovered(applications: Iterable[Application]) -> list[Application]:
    """The competitive programmes' applications among these that no recorded collective decision
    covers (those of the standard path need none)."""
    apps = [a for a in applications if a.programme.review_path == COMPETITIVE]
    if not apps:
        return []
    covered = set(
        CollectiveDecision.applications.through.objects.filter(application_id__in=[a.pk for a in apps]).values_list(
            "application_id", flat=True
        )
    )
    return [a for a in apps if a.pk not in covered]


def require_collective_decision(applications: Iterable[Application]) -> None:
    """Refuse (nothing changed) a public notice of a competitive programme's applications before its
    collective decision is recorded, naming the applications it lacks."""
    missing = uncovered(applications)
    if missing:
        raise ValidationError(
            _(
                "“%(programme)s”为竞争性评审项目，须先记录集体决策（会议名称、日期、参会人员、纪要）后方可发布公示；"
                "尚无集体决策记录的申报：%(refs)s。"
            )
            % {"programme": missing[0].programme.name_zh, "refs": "、".join(a.reference for a in missing)}
        )


def collective_decision_record(
    *,
    actor,
    programme: Programme,
    application_ids: Iterable[int],
    meeting_name: str,
    meeting_date: dt.date | None,
    attendees: str,
    minutes: str,
    upload: UploadedFile | None = None,
    ip: str | None = None,
) -> CollectiveDecision:
    """记录集体决策 for approved applications of one competitive programme, awaiting their notice."""
    require_admin(actor)
    require_district(actor, programme.policy.district)
    errors: dict[str, str] = {}
    if programme.review_path != COMPETITIVE:
        errors["programme"] = _("“%(p)s”不是竞争性评审项目，无须记录集体决策。") % {"p": programme.name_zh}
    meeting_name = (meeting_name or "").strip()
    if not meeting_name:
        errors["meeting_name"] = _("请填写会议名称。")
    elif len(meeting_name) > max_length(CollectiveDecision, "meeting_name"):
        errors["meeting_name"] = _("会议名称过长。")
    if meeting_date is None:
        errors["meeting_date"] = _("请填写会议日期。")
    elif meeting_date > today():
        errors["meeting_date"] = _("会议日期不能晚于今天。")
    if not (attendees or "").strip():
        errors["attendees"] = _("请填写参会人员。")
    if not (minutes or "").strip():
        errors["minutes"] = _("请填写会议纪要或决策意见。")
    checked = None
    if upload is not None:
        try:
            checked = check_upload(upload)
        except ValidationError as error:
            errors["file"] = "；".join(error.messages)
    ids = sorted({int(i) for i in application_ids or []})
    if not ids:
        errors["application_ids"] = _("请选择本次集体决策的申报。")
    if errors:
        raise ValidationError(errors)
    assert meeting_date is not None  # refused above when missing
    stored = ""
    try:
        with transaction.atomic():
            apps = list(applications_lock(ids).values())
            wrong = [
                a.reference for a in apps if a.programme_id != programme.pk or a.state != State.APPROVED_PENDING_NOTICE
            ]
            if wrong or len(apps) != len(ids):
                refs = "、".join(wrong) or _("所选申报不存在")
                raise ValidationError(
                    {"application_ids": _("只能选择本项目“拟支持，待公示”的申报：%(refs)s。") % {"refs": refs}}
                )
            record = CollectiveDecision(
                programme=programme,
                meeting_name=meeting_name,
                meeting_date=meeting_date,
                attendees=attendees.strip(),
                minutes=minutes.strip(),
                recorded_by=actor,
            )
            if checked is not None and upload is not None:
                record.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
                stored = record.file.name or ""
                record.original_name, record.content_type = checked.safe_name, checked.content_type
                record.size, record.sha256 = checked.size, checked.sha256
            record.save()
            record.applications.set(apps)
            audit_record(
                actor=actor,
                action="review.collective_decision",
                target=record,
                ip=ip,
                after={
                    "programme": programme.code,
                    "applications": ids,
                    "meeting_name": meeting_name,
                    "meeting_date": meeting_date,
                    "file_sha256": record.sha256 or None,
                },
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return record
