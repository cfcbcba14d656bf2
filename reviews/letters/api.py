"""REST endpoints of letters (under /api/v1/): the actor's letters, and the public verification."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from portal.audit import client_ip
from reviews.models import Letter

from . import services
from .selectors import BUREAU, letter_for_code, letter_get_for_actor, letters_for_actor


class LetterSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    application = serializers.CharField(
        source="application.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="the application's reference (null for a 事前同意函)",
    )
    preapproval = serializers.CharField(
        source="preapproval.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="the pre-approval's reference (事前同意函 only)",
    )
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    failed = serializers.SerializerMethodField(
        help_text="every automatic retry of the PDF failed (status failed): "
        "an administrator may retry it (POST …/retry/)"
    )
    generation_error = serializers.SerializerMethodField(help_text="the last generation error (bureau only)")

    class Meta:
        model = Letter
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "application",
            "preapproval",
            "authority",
            "addressee_name",
            "addressee_credit_code",
            "amount",
            "issued_on",
            "code",
            "template",
            "sha256",
            "size",
            "signed",
            "generated_at",
            "revoked_at",
            "revoked_reason",
            "download_url",
            "verify_url",
            "failed",
            "attempts",
            "generation_error",
        ]

    def get_failed(self, obj: Letter) -> bool:
        return obj.status == Letter.Status.FAILED

    def get_generation_error(self, obj: Letter) -> str | None:
        """Shown to the bureau (who can act on it), not to the enterprise."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or getattr(user, "role", None) not in BUREAU or obj.sha256:
            return None
        return obj.last_error or None

    def get_download_url(self, obj: Letter) -> str | None:
        return reverse("reviews:letter_download", args=[obj.pk]) if obj.sha256 else None

    def get_verify_url(self, obj: Letter) -> str:
        return reverse("reviews:letter_verify", args=[obj.code])


class LetterList(generics.ListAPIView):
    serializer_class = LetterSerializer
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return letters_for_actor(actor=self.request.user).order_by("-issued_on", "-id")


class LetterDetail(generics.RetrieveAPIView):
    serializer_class = LetterSerializer

    def get_object(self) -> Letter:
        return letter_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


@extend_schema(request=None, responses={200: LetterSerializer})
@api_view(["POST"])
def letter_retry(request: Request, pk: int) -> Response:
    """重新生成 (bureau administrators): send a failed letter (status failed) back to generation;
    400 when the letter has not failed. Audited."""
    letter = letter_get_for_actor(actor=request.user, pk=pk)
    letter = services.letter_retry(actor=request.user, letter=letter, ip=client_ip(request))
    return Response(LetterSerializer(letter, context={"request": request}).data)


class LetterVerification(serializers.Serializer):
    valid = serializers.BooleanField()
    status = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField()
    number = serializers.CharField()
    kind = serializers.CharField()
    authority = serializers.CharField()
    addressee_name = serializers.CharField()
    addressee_credit_code = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    issued_on = serializers.DateField()
    sha256 = serializers.CharField(allow_null=True)


@extend_schema(responses={200: LetterVerification})
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([])
def letter_verify(request: Request, code: str) -> Response:
    """Public: the facts of the letter with this verification code (404 when unknown)."""
    letter = letter_for_code(code=code)
    if letter is None:
        return Response({"valid": False, "detail": "核验码不存在。"}, status=404)
    return Response(
        {
            "valid": letter.revoked_at is None and bool(letter.sha256),
            "status": letter.status,
            "revoked_at": letter.revoked_at,
            "revoked_reason": letter.revoked_reason,
            "number": letter.number,
            "kind": letter.kind,
            "authority": letter.authority,
            "addressee_name": letter.addressee_name,
            "addressee_credit_code": letter.addressee_credit_code,
            "amount": None if letter.amount is None else str(letter.amount),
            "issued_on": letter.issued_on,
            "sha256": letter.sha256 or None,
        }
    )
