"""实名核验 under /api/v1/: claims on credit codes (an enterprise user's own; the bureau's queue for
verifying staff), contested claims, the bureau's accept and refuse, fact-change requests and their
decisions, and the documents. Objects come from the actor-scoped selectors (404 outside the scope);
writes go through applications.verification / verification_facts (400 in Chinese, 403 for a wrong actor)."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.parsers import JSONParser

from .models import EnterpriseClaim, FactChangeRequest
from .selectors_verification import (
    claim_get_for_actor,
    claims_for_actor,
    document_get_for_actor,
    fact_change_get_for_actor,
    fact_changes_for_actor,
)
from .serializers_verification import (
    AcceptSerializer,
    ClaimSerializer,
    ContestSerializer,
    FactChangeSerializer,
    RefuseSerializer,
)
from .verification import claim_accept, claim_contest, claim_refuse
from .verification_facts import fact_change_accept, fact_change_refuse

TAG = ["verification"]  # 实名核验


class ClaimFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=EnterpriseClaim.State.choices, help_text="state 状态")
    kind = django_filters.ChoiceFilter(choices=EnterpriseClaim.Kind.choices, help_text="registration or contested")

    class Meta:
        model = EnterpriseClaim
        fields = ["state", "kind"]


@extend_schema_view(
    list=extend_schema(
        summary="认领列表 the user's own claims; for verifying staff the queue (filter state=pending)", tags=TAG
    ),
    retrieve=extend_schema(summary="认领详情 with its documents (and, for staff, the division check)", tags=TAG),
    create=extend_schema(
        summary="争议认领 a contested claim on a credit code someone else registered (multipart; "
        "enterprise users who belong to no enterprise)",
        tags=TAG,
        request={"multipart/form-data": ContestSerializer},
        responses={201: ClaimSerializer},
    ),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return claims_for_actor(self.request.user).prefetch_related("documents").order_by("created_at", "id")

    def get_object(self):
        return claim_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    def _out(self, claim: EnterpriseClaim, code=status.HTTP_200_OK) -> Response:
        return Response(
            ClaimSerializer(self.get_queryset().get(pk=claim.pk), context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = ContestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = claim_contest(
            actor=request.user,
            credit_code=data["credit_code"],
            name=data["name"],
            legal_representative=data["legal_representative"],
            registered_district=data["registered_district"],
            claimant_is_legal_representative=data["claimant_is_legal_representative"],
            statement=data["statement"],
            business_licence=data.get("business_licence"),
            authorization=data.get("authorization"),
            evidence=data.get("evidence", []),
            ip=client_ip(request),
        )
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="核验通过 accept a claim (verifying staff): the enterprise is verified; a contested "
        "claim makes its claimant the owner",
        tags=TAG,
        request=AcceptSerializer,
        responses=ClaimSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def accept(self, request, pk=None):
        claim = self.get_object()
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = claim_accept(
            actor=request.user,
            claim=claim,
            facts_verified=serializer.validated_data.get("facts_verified", []),
            reason=serializer.validated_data.get("reason", ""),
            ip=client_ip(request),
        )
        return self._out(done)

    @extend_schema(
        summary="核验不通过 refuse a claim with the reason the claimant is told (verifying staff)",
        tags=TAG,
        request=RefuseSerializer,
        responses=ClaimSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def refuse(self, request, pk=None):
        claim = self.get_object()
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = claim_refuse(
            actor=request.user, claim=claim, reason=serializer.validated_data["reason"], ip=client_ip(request)
        )
        return self._out(done)


class FactChangeFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FactChangeRequest.State.choices, help_text="state 状态")

    class Meta:
        model = FactChangeRequest
        fields = ["state"]


@extend_schema_view(
    list=extend_schema(
        summary="认定事实变更申请 the enterprise's requests (made by PATCH /enterprises/{id}/ with "
        "evidence); for verifying staff the queue (filter state=pending)",
        tags=TAG,
    ),
    retrieve=extend_schema(summary="变更申请详情 with its evidence", tags=TAG),
)
class FactChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FactChangeSerializer
    filterset_class = FactChangeFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return fact_changes_for_actor(self.request.user).prefetch_related("documents").order_by("created_at", "id")

    def get_object(self):
        return fact_change_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    def _out(self, change: FactChangeRequest) -> Response:
        return Response(
            FactChangeSerializer(self.get_queryset().get(pk=change.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="核验通过 the values apply, verified by the bureau (verifying staff)",
        tags=TAG,
        request=None,
        responses=FactChangeSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._out(fact_change_accept(actor=request.user, request=self.get_object(), ip=client_ip(request)))

    @extend_schema(
        summary="核验不通过 refuse with the reason (verifying staff); nothing changes",
        tags=TAG,
        request=RefuseSerializer,
        responses=FactChangeSerializer,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        change = self.get_object()
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(
            fact_change_refuse(
                actor=request.user, request=change, reason=serializer.validated_data["reason"], ip=client_ip(request)
            )
        )


class DocumentDownloadView(APIView):
    """核验材料 a document of a claim or of a fact-change request: verifying staff and its uploader only."""

    @extend_schema(
        summary="下载核验材料 (always as a download, nosniff)",
        tags=TAG,
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY)
            for media in ("application/pdf", "image/jpeg", "image/png", "application/ofd")
        },
    )
    def get(self, request, pk: int):
        doc = document_get_for_actor(actor=request.user, pk=pk)
        return stored_file_download(doc.file, filename=doc.original_name, content_type=doc.content_type)
