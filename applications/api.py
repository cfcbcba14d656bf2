"""The applicant's journey under /api/v1/: enterprises, applications, attachments, submit, withdraw,
resubmit. Every object comes from an actor-scoped selector (404 for another enterprise's); every
write goes through a service (400 with field messages in Chinese, 403 for a wrong actor)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal.api import KeysetPagination
from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.parsers import JSONParser
from vouchers.models import Programme

from . import membership
from .models import Application, Enterprise
from .selectors import applications_for_actor, attachment_get_for_actor, current_attachments, enterprise_of
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationListSerializer,
    ApplicationWriteSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    EnterpriseRegisterSerializer,
    EnterpriseSerializer,
    EnterpriseUpdateSerializer,
    ResubmitSerializer,
    SubmitSerializer,
    WithdrawSerializer,
    application_list_rows,
    application_list_values,
)
from .serializers_verification import ClaimResubmitSerializer, ClaimSerializer
from .services import (
    application_create,
    application_resubmit,
    application_save_draft,
    application_submit,
    application_withdraw,
    attachment_add,
    enterprise_register,
)
from .verification import claim_resubmit
from .workflow import State

TAG_ENT = ["enterprises"]  # 企业; tag descriptions: SPECTACULAR_SETTINGS["TAGS"]
TAG_APP = ["applications"]  # 申报


@extend_schema_view(
    list=extend_schema(summary="本企业 the user's own enterprise (0 or 1 item)", tags=TAG_ENT),
    retrieve=extend_schema(summary="本企业详情", tags=TAG_ENT),
    create=extend_schema(
        summary="登记企业 claim the enterprise with its business licence (multipart); the user "
        "becomes its owner, the enterprise is unverified until the bureau verifies it",
        tags=TAG_ENT,
        request={"multipart/form-data": EnterpriseRegisterSerializer},
        responses={201: EnterpriseSerializer},
    ),
    partial_update=extend_schema(
        summary="修改企业信息 (owner only; credit code cannot change). Eligibility facts (and, once verified, the "
        "name and legal representative) become a request to the bureau, with evidence (multipart): 202",
        tags=TAG_ENT,
        request={"multipart/form-data": EnterpriseUpdateSerializer, "application/json": EnterpriseUpdateSerializer},
        responses={200: EnterpriseSerializer, 202: EnterpriseSerializer},
    ),
)
class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EnterpriseSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        own = enterprise_of(self.request.user)
        return Enterprise.objects.filter(pk=own.pk) if own else Enterprise.objects.none()

    def create(self, request, *args, **kwargs):
        serializer = EnterpriseRegisterSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        enterprise = enterprise_register(
            actor=request.user, credit_code=data.pop("credit_code"), ip=client_ip(request), **data
        )
        return Response(
            EnterpriseSerializer(enterprise, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        enterprise = self.get_object()
        serializer = EnterpriseUpdateSerializer(enterprise, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "credit_code" in request.data:
            fields["credit_code"] = request.data["credit_code"]
        done = membership.enterprise_update(
            actor=request.user,
            enterprise=enterprise,
            ip=client_ip(request),
            evidence=fields.pop("evidence", []),
            change_note=fields.pop("change_note", ""),
            **fields,
        )
        data = EnterpriseSerializer(done.enterprise, context={"request": request}).data
        if done.fact_change is None:
            return Response(data)
        data["message"] = _("认定事实的变更已提交主管部门核验，核验通过后生效。")
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="重新提交实名核验 the owner of an enterprise not verified uploads the licence again (multipart)",
        tags=TAG_ENT,
        request={"multipart/form-data": ClaimResubmitSerializer},
        responses={201: ClaimSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def verification(self, request, pk=None):
        enterprise = self.get_object()
        serializer = ClaimResubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = claim_resubmit(
            actor=request.user,
            enterprise=enterprise,
            legal_representative=data["legal_representative"],
            claimant_is_legal_representative=data["claimant_is_legal_representative"],
            business_licence=data.get("business_licence"),
            authorization=data.get("authorization"),
            ip=client_ip(request),
        )
        return Response(ClaimSerializer(claim, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices, help_text="state 状态")
    programme = django_filters.CharFilter(field_name="programme__code", help_text="programme code 项目代码")

    class Meta:
        model = Application
        fields = ["state", "programme"]


@extend_schema_view(
    list=extend_schema(
        summary="申报列表 the enterprise's applications (all, for bureau staff), newest first, in "
        "keyset pages: follow `next` (filter by state, programme)",
        tags=TAG_APP,
    ),
    retrieve=extend_schema(summary="申报详情 with files, timeline and any open supplement request", tags=TAG_APP),
    create=extend_schema(
        summary="创建申报草稿 open a draft (reference assigned)",
        tags=TAG_APP,
        request=ApplicationWriteSerializer,
        responses={201: ApplicationDetailSerializer},
    ),
    update=extend_schema(
        summary="保存草稿 save a draft (only the fields sent change)",
        tags=TAG_APP,
        request=ApplicationWriteSerializer,
        responses=ApplicationDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="保存草稿 save a draft (only the fields sent change)",
        tags=TAG_APP,
        request=ApplicationWriteSerializer,
        responses=ApplicationDetailSerializer,
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ApplicationFilter
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            applications_for_actor(actor=self.request.user)
            .select_related("programme", "enterprise")
            .prefetch_related("claims")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return ApplicationListSerializer if self.action == "list" else ApplicationDetailSerializer

    def list(self, request, *args, **kwargs):
        """A keyset page read as plain rows (.values(): one query, no model objects, no per-field
        serializer work), with the page's claims in one more query: the same cost at 100,000 rows."""
        qs = applications_for_actor(actor=request.user)
        if any(name in request.query_params for name in ApplicationFilter.base_filters):
            qs = self.filter_queryset(qs)  # (building the FilterSet costs more than the page's rows)
        rows = application_list_values(qs)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(application_list_rows(page))

    def _detail(self, app: Application, code=status.HTTP_200_OK) -> Response:
        app = self.get_queryset().get(pk=app.pk)
        return Response(ApplicationDetailSerializer(app, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ApplicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data.get("programme") or ""
        programme = Programme.objects.select_related("policy").filter(code=code).first()
        if programme is None:
            raise DRFValidationError({"programme": ["请选择有效的申报项目（项目代码）。"]})
        saved = application_create(
            actor=request.user, programme=programme, data=serializer.service_data(), strict=True, ip=client_ip(request)
        )
        return self._detail(saved.application, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        app = self.get_object()
        serializer = ApplicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "programme" in request.data and request.data["programme"] != app.programme.code:
            raise DRFValidationError({"programme": ["申报项目创建后不能更改，请另行创建申报。"]})
        application_save_draft(
            actor=request.user, application=app, data=serializer.service_data(), strict=True, ip=client_ip(request)
        )
        return self._detail(app)

    partial_update = update

    @extend_schema(
        summary="提交申报 submit within an open window, with the declaration (承诺)",
        tags=TAG_APP,
        request=SubmitSerializer,
        responses=ApplicationDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        app = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        retried = app.state != State.DRAFT
        application_submit(
            actor=request.user,
            application=app,
            declaration=serializer.validated_data["declaration"],
            ip=client_ip(request),
        )
        response = self._detail(app)
        # 已提交: a retry (the first answer lost) is told so, and changed nothing
        response.data["message"] = (
            _("申报 %(ref)s 已提交，无需重复提交。") if retried else _("申报已提交，编号 %(ref)s。")
        ) % {"ref": app.reference}
        return response

    @extend_schema(
        summary="撤回申报 withdraw before a decision",
        tags=TAG_APP,
        request=WithdrawSerializer,
        responses=ApplicationDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        app = self.get_object()
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application_withdraw(
            actor=request.user,
            application=app,
            reason=serializer.validated_data.get("reason", ""),
            ip=client_ip(request),
        )
        return self._detail(app)

    @extend_schema(
        summary="补正后重新提交 answer each supplement item and resubmit",
        tags=TAG_APP,
        request=ResubmitSerializer,
        responses=ApplicationDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        app = self.get_object()
        serializer = ResubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application_resubmit(
            actor=request.user,
            application=app,
            answers=serializer.validated_data.get("answers", {}),
            ip=client_ip(request),
        )
        return self._detail(app)

    @extend_schema(
        methods=["GET"], summary="附件列表 current files", tags=TAG_APP, responses=AttachmentSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="上传附件 (multipart; PDF, JPEG, PNG, OFD by content)",
        tags=TAG_APP,
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        app = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(current_attachments(app), many=True).data)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = attachment_add(
            actor=request.user,
            application=app,
            material=data["material"],
            upload=data["file"],
            replaces=data.get("replaces"),
            ip=client_ip(request),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="下载附件 (always as a download, nosniff)",
        tags=TAG_APP,
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY)
            for media in ("application/pdf", "image/jpeg", "image/png", "application/ofd")
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>\d+)/download",
        url_name="attachment-download",
    )
    def attachment_download(self, request, pk=None, attachment_pk=None):
        attachment = attachment_get_for_actor(actor=request.user, application_pk=pk, pk=attachment_pk)
        return stored_file_download(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
