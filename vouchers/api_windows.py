"""Application windows (申报批次) in the API, under /api/v1/windows/: bureau staff list their district's (the
ranking and batch endpoints take a window's id); administrators open one — ordinary (申报批次) inside
the policy's validity, or a claim window (清算批次, `kind=claim`) after it for facts inside it
(vouchers.lifecycle.window_check) — change it, and close it now. Every write is a service call,
audited; the rules' refusals are 400 with the reason per field."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import DefaultPagination, paginated
from portal.audit import client_ip
from portal.models import Role

from .models import ApplicationWindow, Programme
from .selectors import window_get_for_actor, windows_for_actor
from .services.catalogue import window_change, window_close, window_open

BUREAU = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


class IsBureauStaff(permissions.BasePermission):
    """Reviewers and administrators (the writes check the administrator in the service)."""

    message = "仅审核人员或主管部门管理员可以访问申报批次接口。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in BUREAU)


class ApplicationWindowSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    policy = serializers.CharField(source="programme.policy.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_open = serializers.SerializerMethodField(help_text="accepting submissions now")

    class Meta:
        model = ApplicationWindow
        fields = [
            "id",
            "policy",
            "programme",
            "programme_name",
            "name",
            "kind",
            "kind_display",
            "opens_at",
            "closes_at",
            "is_open",
        ]
        read_only_fields = fields

    def get_is_open(self, obj: ApplicationWindow) -> bool:
        return obj.opens_at <= timezone.now() < obj.closes_at


class WindowCreateSerializer(serializers.Serializer):
    programme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Programme.objects.all(),
        error_messages={"does_not_exist": "未知的申报项目代码“{value}”。"},
    )
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(
        choices=ApplicationWindow.Kind.choices,
        default=ApplicationWindow.Kind.ORDINARY,
        help_text="ordinary (申报批次, inside the policy's validity) or claim (清算批次: "
        "after the policy expired, for facts inside its validity)",
    )
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class WindowChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(
        choices=ApplicationWindow.Kind.choices, required=False, help_text="only before the window opens"
    )
    opens_at = serializers.DateTimeField(required=False, help_text="only before the window opens")
    closes_at = serializers.DateTimeField(required=False, help_text="later than now; to close now use …/close/")


class WindowCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _valid(serializer_class, request) -> dict:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


class WindowList(APIView):
    """申报批次: the windows (newest first; `programme`, `kind`, `open=1` filter); administrators open one."""

    permission_classes = [IsBureauStaff]

    @extend_schema(
        operation_id="windows_list",
        parameters=[
            OpenApiParameter("programme", str, description="programme code"),
            OpenApiParameter("kind", str, description="ordinary / claim"),
            OpenApiParameter("open", bool, description="only those accepting submissions now"),
        ],
        responses=paginated(ApplicationWindowSerializer),
    )
    def get(self, request):
        qs = windows_for_actor(actor=request.user)  # the staff member's district's
        if request.query_params.get("programme"):
            qs = qs.filter(programme__code=request.query_params["programme"])
        if request.query_params.get("kind") in ApplicationWindow.Kind.values:
            qs = qs.filter(kind=request.query_params["kind"])
        if request.query_params.get("open") in ("1", "true"):
            now = timezone.now()
            qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ApplicationWindowSerializer(page, many=True).data)

    @extend_schema(request=WindowCreateSerializer, responses={201: ApplicationWindowSerializer})
    def post(self, request):
        data = _valid(WindowCreateSerializer, request)
        window = window_open(
            actor=request.user,
            programme=data["programme"],
            name=data["name"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            kind=data["kind"],
            ip=client_ip(request),
        )
        return Response(ApplicationWindowSerializer(window).data, status=status.HTTP_201_CREATED)


class WindowDetail(APIView):
    """One window; administrators change it (PATCH: name and deadline until it closes, start and kind
    only before it opens)."""

    permission_classes = [IsBureauStaff]

    def _window(self, pk: int) -> ApplicationWindow:
        return window_get_for_actor(actor=self.request.user, pk=pk)

    @extend_schema(responses=ApplicationWindowSerializer)
    def get(self, request, pk: int):
        return Response(ApplicationWindowSerializer(self._window(pk)).data)

    @extend_schema(request=WindowChangeSerializer, responses=ApplicationWindowSerializer)
    def patch(self, request, pk: int):
        window = self._window(pk)
        data = _valid(WindowChangeSerializer, request)
        window = window_change(actor=request.user, window=window, ip=client_ip(request), **data)
        return Response(ApplicationWindowSerializer(window).data)


class WindowClose(APIView):
    """截止受理 administrators close an open window now (nothing more is submitted under it)."""

    permission_classes = [IsBureauStaff]

    @extend_schema(request=WindowCloseSerializer, responses=ApplicationWindowSerializer)
    def post(self, request, pk: int):
        window = window_get_for_actor(actor=request.user, pk=pk)
        data = _valid(WindowCloseSerializer, request)
        window = window_close(actor=request.user, window=window, reason=data["reason"], ip=client_ip(request))
        return Response(ApplicationWindowSerializer(window).data)
