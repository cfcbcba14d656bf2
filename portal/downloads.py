"""A stored upload (attachment, verification document, library file, acceptance file, the signed minutes of a
collective decision) is offered as a download only, never shown inline: with the type found when it was
uploaded, no sniffing, and a sandbox in case a browser opens it anyway. A file missing from storage is a
404. The one home of that rule for every page and endpoint that hands out such a file."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse, Http404


def stored_file_download(file: File, *, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
