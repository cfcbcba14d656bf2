"""Voucher API (under /api/v1/): the actor's vouchers, redemptions (providers create them, multipart
with the invoice file), and the holder's confirm/dispute. Services raise ValidationError and
PermissionDenied, which portal.api turns into 400/403 with field messages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit import client_ip

from .models import Redemption, Voucher
from .redemption_selectors import (
    provider_of,
    redemption_get_for_actor,
    redemptions_for_actor,
    voucher_get_for_actor,
    vouchers_for_actor,
)
from .services import redemption as svc


class VoucherSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "enterprise",
            "enterprise_credit_code",
            "programme",
            "face_value",
            "balance",
            "issued_on",
            "expires_on",
            "status",
            "released_amount",
        ]
        read_only_fields = fields


class RedemptionSerializer(serializers.ModelSerializer):
    voucher = serializers.CharField(source="voucher.code", read_only=True)
    provider = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "voucher",
            "provider",
            "invoice_number",
            "invoice_date",
            "amount",
            "status",
            "dispute_reason",
            "original_name",
            "sha256",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields


class RedeemInput(serializers.Serializer):
    voucher_code = serializers.CharField(max_length=30)
    holder_credit_code = serializers.CharField(max_length=30)
    invoice_number = serializers.CharField(max_length=40)
    invoice_date = serializers.DateField()
    amount = serializers.CharField(max_length=20)
    invoice_file = serializers.FileField()


class DisputeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class VoucherList(generics.ListAPIView):
    serializer_class = VoucherSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return vouchers_for_actor(actor=self.request.user).order_by("-issued_on", "-id")


class VoucherDetail(generics.RetrieveAPIView):
    serializer_class = VoucherSerializer

    def get_object(self) -> Voucher:
        return voucher_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


class RedemptionList(generics.ListCreateAPIView):
    """GET: the actor's redemptions. POST (providers): redeem a voucher against an invoice."""

    serializer_class = RedemptionSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status"]

    def get_queryset(self):
        return redemptions_for_actor(actor=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=RedeemInput, responses={201: RedemptionSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        if provider_of(request.user) is None:  # refuse before looking at the input
            raise PermissionDenied("只有已登记的算力服务商用户可以核销算力券。")
        data = RedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = svc.redemption_create(actor=request.user, ip=client_ip(request), **data.validated_data)
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionConfirm(APIView):
    @extend_schema(request=None, responses={200: RedemptionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        redemption = redemption_get_for_actor(actor=request.user, pk=pk)
        done = svc.redemption_confirm(actor=request.user, redemption=redemption, ip=client_ip(request))
        return Response(RedemptionSerializer(done).data)


class RedemptionDispute(APIView):
    @extend_schema(request=DisputeInput, responses={200: RedemptionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        redemption = redemption_get_for_actor(actor=request.user, pk=pk)
        data = DisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = svc.redemption_dispute(
            actor=request.user, redemption=redemption, reason=data.validated_data["reason"], ip=client_ip(request)
        )
        return Response(RedemptionSerializer(done).data)
