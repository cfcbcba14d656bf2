"""办事指南 API: GET /api/v1/guide/<programme>/ (open to everyone, like the catalogue)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vouchers.selectors import programme_get

from .guide import guide_as_json, programme_guide


class ProgrammeGuideView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="办事指南 of a programme", responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        return Response(guide_as_json(programme_guide(programme_get(code=code))))
