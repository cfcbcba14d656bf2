"""GET /api/v1/letters/<id>/pdf/: a letter's PDF for API clients (an API token as well as a session),
scoped like the page's download (reviews:letter_download): the letters the actor may see, 404 for
any other and while the PDF is still being generated."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from .letters.selectors import letter_get_for_actor


class LetterPdfView(APIView):
    @extend_schema(
        summary="下载文书 PDF download a letter's PDF (X-Content-SHA256: its digest)",
        tags=["letters"],
        operation_id="letters_pdf_download",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        letter = letter_get_for_actor(actor=request.user, pk=pk)
        if not letter.sha256 or not letter.pdf:
            raise Http404(_("文书正在生成，请稍后再试。"))
        response = FileResponse(
            letter.pdf.open("rb"), as_attachment=True, filename=letter.file_name, content_type="application/pdf"
        )
        response["X-Content-SHA256"] = letter.sha256
        response["X-Content-Type-Options"] = "nosniff"
        return response
