"""验收报告 with its files: the enterprise reports a stage complete and uploads the acceptance documents
(验收材料). The files arrive checked by content (the caller runs the project's upload check,
applications.uploads, and passes what it found); this service stores them privately under random names
inside the report's transaction, and removes them again when that transaction fails."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_record

from ..models import AcceptanceFile, AcceptanceReport, PaymentTranche
from .payments import acceptance_submit

MAX_FILES = 10


@dataclass(frozen=True)
class AcceptanceUpload:
    """One uploaded file as the upload check found it: its content, the extension and content type of
    its detected type, its size, SHA-256 and the safe name shown on download."""

    file: File
    extension: str
    content_type: str
    size: int
    sha256: str
    name: str


def acceptance_report_submit(
    *, actor, tranche: PaymentTranche, summary: str, files: Sequence[AcceptanceUpload], ip: str | None = None
) -> AcceptanceReport:
    """提交验收报告 the report and at least one acceptance document, all or nothing."""
    if not files:
        raise ValidationError({"files": _("请上传验收材料（验收报告、验收意见等，PDF、OFD或图片）。")})
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("验收材料最多 %(n)s 个文件。") % {"n": MAX_FILES}})
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = acceptance_submit(actor=actor, tranche=tranche, summary=summary, ip=ip)
            for upload in files:
                row = AcceptanceFile(
                    report=report,
                    original_name=upload.name,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    uploaded_by=actor,
                )
                row.file.save(f"{uuid.uuid4().hex}.{upload.extension}", upload.file, save=False)
                stored.append(row.file.name or "")
                row.save()
            audit_record(
                actor=actor,
                action="payments.acceptance_files",
                target=report,
                ip=ip,
                after={"files": [{"name": u.name, "size": u.size, "sha256": u.sha256} for u in files]},
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return report
