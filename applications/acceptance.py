"""The enterprise's acceptance report (验收报告) with its files, as pages and the API send it: each file is
checked by content here (applications.uploads: PDF, OFD, JPEG or PNG, within the size limit), then the
vouchers service stores the report and the files together (vouchers.services.acceptance)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from vouchers.services.acceptance import AcceptanceUpload

from .uploads import check_upload


def acceptance_uploads_check(files: Sequence[UploadedFile]) -> list[AcceptanceUpload]:
    """The uploads checked by content; ValidationError under "files" naming each file refused."""
    out: list[AcceptanceUpload] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            errors.append(f"{upload.name}：{'；'.join(exc.messages)}")
            continue
        out.append(
            AcceptanceUpload(
                file=upload,
                extension=checked.extension,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                name=checked.safe_name,
            )
        )
    if errors:
        raise ValidationError({"files": errors})
    return out
