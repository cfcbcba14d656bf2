"""验收材料 offered as downloads only (never shown inline), with the type found when it was uploaded."""

from __future__ import annotations

from django.http import FileResponse

from portal.downloads import stored_file_download

from .models import AcceptanceFile


def acceptance_file_response(row: AcceptanceFile) -> FileResponse:
    return stored_file_download(row.file, filename=row.original_name, content_type=row.content_type)
