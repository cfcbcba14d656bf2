"""快申快享 under /api/v1/: the enterprise's document library (its own members only) and its reuse in an
application, the start of an application pre-filled from facts, and the administrators' watch of
promised payment dates. Objects come from actor-scoped selectors (404 outside the scope); writes go
through the services (400 in Chinese, 403 for a wrong actor)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application
from applications.selectors import enterprise_of
from applications.serializers import AttachmentSerializer
from portal.audit import client_ip
from portal.parsers import JSONParser
from portal.permissions import may_keep_document_library, may_watch_payment_promises
from vouchers.selectors import programme_get

from .prefill import prefill_for, quick_application_start
from .selectors_quick import (
    AT_RISK,
    WATCHES,
    library_document_get_for_actor,
    library_for_actor,
    promise_watch,
    workdays_left,
)
from .serializers_quick import (
    LibraryDocumentSerializer,
    LibraryReuseSerializer,
    LibraryUploadSerializer,
    PaymentPromiseSerializer,
    PrefillSerializer,
    QuickStartResultSerializer,
    QuickStartSerializer,
)
from .services_library import library_document_add, library_document_remove, library_document_reuse

TAG = ["proactive"]  # 政策找企业; tag description: SPECTACULAR_SETTINGS["TAGS"]


def _member(request) -> None:
    if not may_keep_document_library(request.user, member_of=enterprise_of(request.user) is not None):
        raise DRFPermissionDenied("只有企业成员可以使用企业资料库和快申快享。")


@extend_schema_view(
    list=extend_schema(summary="资料库 the current files of the enterprise's own library (its members only)", tags=TAG),
    retrieve=extend_schema(summary="one library file with its kind, year and validity", tags=TAG),
    create=extend_schema(
        summary="upload a file to the library (content-checked); it replaces the current one of its kind (and year)",
        tags=TAG,
        request={"multipart/form-data": LibraryUploadSerializer},
        responses={201: LibraryDocumentSerializer},
    ),
    destroy=extend_schema(
        summary="remove a file from the library; applications keep their own copies",
        tags=TAG,
        responses={204: None},
    ),
)
class LibraryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LibraryDocumentSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return library_for_actor(actor=self.request.user).order_by("material", "-year", "-uploaded_at", "-id")

    def get_object(self):
        return library_document_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        _member(request)
        serializer = LibraryUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        doc = library_document_add(
            actor=request.user,
            material=data["material"],
            upload=data["file"],
            year=data.get("year"),
            valid_until=data.get("valid_until"),
            ip=client_ip(request),
        )
        return Response(LibraryDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        library_document_remove(actor=request.user, document=self.get_object(), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="download a library file (its enterprise's members only)",
        tags=TAG,
        responses={(200, "application/octet-stream"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        doc = self.get_object()
        try:
            handle = doc.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class LibraryReuseView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="copy a valid library file into the application's material of its kind (an attachment of its own)",
        tags=TAG,
        request=LibraryReuseSerializer,
        responses={201: AttachmentSerializer},
    )
    def post(self, request, pk: int):
        _member(request)
        serializer = LibraryReuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        doc = library_document_get_for_actor(actor=request.user, pk=serializer.validated_data["document"])
        attachment = library_document_reuse(actor=request.user, application=pk, document=doc, ip=client_ip(request))
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class QuickStartView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="快申 what the enterprise's facts would pre-fill in an application of the programme, with sources",
        tags=TAG,
        responses={200: PrefillSerializer(many=True)},
    )
    def get(self, request, code: str):
        _member(request)
        programme = programme_get(code=code)
        enterprise = enterprise_of(request.user)
        assert enterprise is not None  # _member let only a member through
        rows = [
            {"input": name, **p} for name, p in prefill_for(enterprise_id=enterprise.pk, programme=programme).items()
        ]
        return Response(PrefillSerializer(rows, many=True).data)

    @extend_schema(
        summary="快申 open a draft application pre-filled from the enterprise's facts, each value with its source",
        tags=TAG,
        request=QuickStartSerializer,
        responses={201: QuickStartResultSerializer},
    )
    def post(self, request, code: str):
        _member(request)
        programme = programme_get(code=code)
        serializer = QuickStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = quick_application_start(
            actor=request.user,
            programme=programme,
            carried=serializer.validated_data.get("inputs") or {},
            ip=client_ip(request),
        )
        app = saved.application
        body = {
            "application": app.pk,
            "reference": app.reference,
            "input_sources": app.input_sources,
            "errors": saved.errors,
        }
        return Response(QuickStartResultSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="兑付时限 unpaid applications of the administrator's district near (at_risk) or past (overdue) "
        "their promised payment date, soonest first",
        tags=TAG,
        parameters=[OpenApiParameter("watch", str, enum=list(WATCHES), description="at_risk (default) or overdue")],
    )
)
class PaymentPromiseListView(ListAPIView):
    serializer_class = PaymentPromiseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator reads the model only
            return Application.objects.none()
        if not may_watch_payment_promises(self.request.user):
            raise DRFPermissionDenied("只有主管部门管理员可以查看兑付时限。")
        watch = self.request.query_params.get("watch", AT_RISK)
        if watch not in WATCHES:
            raise DRFValidationError({"watch": ["请选择 at_risk（临近期限）或 overdue（已超期）。"]})
        return promise_watch(actor=self.request.user, watch=watch, today=timezone.localdate())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page) if page is not None else []
        context = {**self.get_serializer_context(), "workdays_left": workdays_left(rows, timezone.localdate())}
        return self.get_paginated_response(PaymentPromiseSerializer(rows, many=True, context=context).data)
