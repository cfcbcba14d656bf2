"""The two decisions that issue a letter on another app's record, under the URLs they always had:
POST /api/v1/preapprovals/<id>/decide/ (事前同意, with its 事前同意函) and /api/v1/payments/clawbacks/
(追回决定, with its 追回决定书; GET lists the actor's claw-backs as before). They live here because
applications and vouchers do not import reviews; reads come from those apps' actor-scoped selectors
(404 for another's), writes from reviews.services (400 / 403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.api_preapproval import TAG as PREAPPROVAL_TAG
from applications.api_preapproval import PreApprovalDecideSerializer, PreApprovalSerializer
from applications.models import PreApproval
from applications.selectors_preapproval import preapprovals_for_actor
from portal.api import MAX_ID
from portal.audit import client_ip
from vouchers import api_payments_serializers as s
from vouchers import payment_selectors as sel
from vouchers.services.payments_common import may_manage_payments

from .models import Letter
from .services.clawback_letters import clawback_decide_with_letter
from .services.preapproval_letters import preapproval_decide_with_letter


class PreApprovalDecideView(APIView):
    @extend_schema(
        summary="审核事前同意 approve (issuing the 事前同意函) or refuse before the event (bureau reviewers "
        "and administrators); refusing needs a reason",
        tags=PREAPPROVAL_TAG,
        request=PreApprovalDecideSerializer,
        responses=PreApprovalSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        scoped = preapprovals_for_actor(actor=request.user).prefetch_related("claims", "letters")
        if not 0 < pk <= MAX_ID:
            raise Http404
        try:
            preapproval = scoped.get(pk=pk)
        except PreApproval.DoesNotExist:
            raise Http404 from None
        data = PreApprovalDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preapproval_decide_with_letter(
            actor=request.user,
            preapproval=preapproval,
            approve=data.validated_data["approve"],
            reason=data.validated_data.get("reason", ""),
            ip=client_ip(request),
        )
        return Response(PreApprovalSerializer(scoped.get(pk=pk), context={"request": request}).data)


class ClawbackLetterField(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    code = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)


class ClawbackWithLetterSerializer(s.PaymentClawbackSerializer):
    letter = serializers.SerializerMethodField(
        help_text="追回决定书 (null until recorded; download_url null until its PDF is generated)"
    )

    class Meta(s.PaymentClawbackSerializer.Meta):
        fields = [*s.PaymentClawbackSerializer.Meta.fields, "letter"]
        read_only_fields = fields

    @extend_schema_field(ClawbackLetterField(allow_null=True))
    def get_letter(self, clawback) -> dict | None:
        return letter_summary(next((x for x in clawback.letters.all() if x.revoked_at is None), None))


def letter_summary(letter: Letter | None) -> dict | None:
    """A letter as the decision's record names it: number, status, verification code, download."""
    if letter is None:
        return None
    return {
        "id": letter.pk,
        "number": letter.number,
        "status": letter.status,
        "code": letter.code,
        "download_url": reverse("reviews:letter_download", args=[letter.pk]) if letter.sha256 else None,
    }


class ClawbackList(generics.ListAPIView):
    """追回: the enterprise's own (what it owes), administrators all; POST (administrators) decides one and
    issues its 追回决定书."""

    serializer_class = ClawbackWithLetterSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return (
            sel.clawbacks_for_actor(actor=self.request.user).prefetch_related("repayments", "letters").order_by("-id")
        )

    @extend_schema(
        tags=["payments"],
        summary="追回决定（写明理由；奖励随之终止，未拨付部分释放；出具追回决定书）",
        request=s.PaymentClawbackInput,
        responses={201: ClawbackWithLetterSerializer},
    )
    def post(self, request: Request) -> Response:
        if not may_manage_payments(request.user):
            raise DjangoPermissionDenied("仅主管部门管理员或系统管理员可以作出追回决定。")
        data = s.PaymentClawbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        award = sel.payment_award_get_for_actor(actor=request.user, pk=data.validated_data["award"])
        clawback = clawback_decide_with_letter(
            actor=request.user,
            award=award,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            due_on=data.validated_data.get("due_on"),
            ip=client_ip(request),
        )
        return Response(
            ClawbackWithLetterSerializer(self.get_queryset().get(pk=clawback.pk)).data, status=status.HTTP_201_CREATED
        )
