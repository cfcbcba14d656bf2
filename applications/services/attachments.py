"""Materials 申报材料: adding and removing the files of an application."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record

from ..models import (
    Application,
    Attachment,
)
from ..selectors import allowed_materials, current_attachments
from ..uploads import check_upload
from ..workflow import EventAction
from .guards import require_applicant, require_editable
from .transitions import application_lock_for_change, timeline_add


def attachment_add(
    *,
    actor,
    application: Application | int,
    material: str,
    upload: UploadedFile,
    replaces: int | None = None,
    ip: str | None = None,
) -> Attachment:
    """Store one piece of evidence privately. The type is decided by content (PDF, JPEG, PNG, OFD),
    the size is bounded per file and per application, the name is sanitised and the SHA-256 kept.
    `replaces` marks an earlier current file of the application superseded. Any refusal or failure
    leaves the application and the disk as they were."""
    try:  # before any lock: reading the file may take a while
        checked = check_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    stored_name = ""
    try:
        with transaction.atomic():
            app = application_lock_for_change(application)
            require_applicant(actor, app)
            require_editable(app)
            materials = allowed_materials(app)
            if material not in materials:
                raise ValidationError({"material": _("请选择材料类别。")})
            old = None
            if replaces is not None:
                old = current_attachments(app).filter(pk=replaces).first()
                if old is None:
                    raise ValidationError({"replaces": _("要替换的文件不存在或已被替换。")})
                if old.material != material:  # a file replaces only a file of its own material
                    raise ValidationError(
                        {
                            "replaces": _(
                                "只能替换同一材料类别的文件：“%(old)s”属于“%(was)s”，而本次上传的是“%(now)s”。"
                            )
                            % {
                                "old": old.original_name,
                                "was": materials.get(old.material, old.material),
                                "now": materials[material],
                            }
                        }
                    )
            limit = settings.PORTAL_UPLOAD_MAX_APPLICATION_BYTES
            counted = current_attachments(app)
            if old is not None:
                counted = counted.exclude(pk=old.pk)
            used = counted.aggregate(total=Sum("size"))["total"] or 0
            if used + checked.size > limit:
                raise ValidationError(
                    {
                        "file": _("本申报的附件合计不能超过 %(limit)s（已上传 %(used)s）。")
                        % {"limit": filesizeformat(limit), "used": filesizeformat(used)}
                    }
                )
            attachment = Attachment(
                application=app,
                material=material,
                original_name=checked.safe_name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            # The stored name is ours (random), never the user's.
            attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
            stored_name = attachment.file.name or ""
            attachment.save()
            if old is not None:
                old.superseded_at = timezone.now()
                old.save(update_fields=["superseded_at"])
            audit_record(
                actor=actor,
                action="application.attachment_add",
                target=app,
                ip=ip,
                after={
                    "attachment": attachment.pk,
                    "material": material,
                    "name": checked.safe_name,
                    "sha256": checked.sha256,
                    "size": checked.size,
                    "replaces": old.pk if old else None,
                },
            )
            timeline_add(
                application=app,
                actor=actor,
                action=EventAction.ATTACHMENT_ADD,
                message=_("上传材料“%(m)s”：%(n)s") % {"m": materials[material], "n": checked.safe_name}
                + (_("（替换 %(o)s）") % {"o": old.original_name} if old else ""),
                data={"attachment": attachment.pk, "material": material, "replaces": old.pk if old else None},
            )
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return attachment


def attachment_remove(*, actor, application: Application | int, attachment_id: int, ip: str | None = None) -> None:
    """Take a file out of the application while it is editable (kept on record as superseded)."""
    with transaction.atomic():
        app = application_lock_for_change(application)
        require_applicant(actor, app)
        require_editable(app)
        attachment = current_attachments(app).filter(pk=attachment_id).first()
        if attachment is None:
            raise ValidationError({"attachment": _("文件不存在或已被替换。")})
        attachment.superseded_at = timezone.now()
        attachment.save(update_fields=["superseded_at"])
        audit_record(
            actor=actor,
            action="application.attachment_remove",
            target=app,
            ip=ip,
            before={"attachment": attachment.pk, "name": attachment.original_name},
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.ATTACHMENT_REMOVE,
            message=_("删除材料：%(n)s") % {"n": attachment.original_name},
            data={"attachment": attachment.pk},
        )
