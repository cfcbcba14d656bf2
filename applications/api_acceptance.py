"""POST /api/v1/payments/tranches/<pk>/acceptance/ — the enterprise's acceptance report (验收报告) with its
files (multipart), checked by content here (applications.uploads); the bureau's review and the files'
download are in vouchers.api_payments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit import client_ip
from vouchers.api_payments_serializers import PaymentAcceptanceInput, PaymentAcceptanceSerializer
from vouchers.payment_selectors import tranche_get_for_actor
from vouchers.services.acceptance import acceptance_report_submit
from vouchers.services.payments_common import require_enterprise

from .acceptance import acceptance_uploads_check


class AcceptanceSubmit(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["payments"],
        summary="提交验收报告与验收材料（分阶段拨付的后续各期；multipart）",
        request={"multipart/form-data": PaymentAcceptanceInput},
        responses={201: PaymentAcceptanceSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        require_enterprise(request.user)
        tranche = tranche_get_for_actor(actor=request.user, pk=pk)
        data = PaymentAcceptanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        files = acceptance_uploads_check(data.validated_data["files"])
        report = acceptance_report_submit(
            actor=request.user,
            tranche=tranche,
            summary=data.validated_data["summary"],
            files=files,
            ip=client_ip(request),
        )
        return Response(PaymentAcceptanceSerializer(report).data, status=status.HTTP_201_CREATED)
