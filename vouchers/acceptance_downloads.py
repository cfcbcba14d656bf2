"""验收材料 offered as downloads only (never shown inline), with the type found when it was uploaded."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .models import AcceptanceFile


def acceptance_file_response(row: AcceptanceFile) -> FileResponse:
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
