"""好差评 API: GET /api/v1/ratings/summary/ (administrators: by programme and step, their district)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import is_bureau_admin

from .selectors_ratings import ratings_summary


class RatingSummaryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="好差评 by programme and step (administrators)", responses={200: dict})
    def get(self, request: Request) -> Response:
        if not is_bureau_admin(request.user):
            raise PermissionDenied("仅主管部门管理员可以查看好差评。")
        return Response({"results": ratings_summary(actor=request.user)})
