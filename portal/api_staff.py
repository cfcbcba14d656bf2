"""The bureau's people by id, for the calls that name them (assigning a reviewer, a panel of experts):
GET /api/v1/staff/?role=reviewer|expert|bureau_admin. Bureau staff only — reviewers and
administrators; enterprises, experts, providers and the public are refused — and only staff accounts
of the asker's district are listed (every district's for the system administrator), active ones
unless `active=all`."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.views import APIView

from .api import DefaultPagination, paginated
from .models import Role, User
from .permissions import district_q

BUREAU = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
LISTED = (Role.REVIEWER, Role.EXPERT, Role.BUREAU_ADMIN)


class IsBureauStaff(permissions.BasePermission):
    message = "仅审核人员或主管部门管理员可以查看工作人员名单。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in BUREAU)


class StaffSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = User
        fields = ["id", "name", "email", "role", "role_display", "district", "is_active"]

    def get_name(self, user: User) -> str:
        return str(user)


class StaffList(APIView):
    """审核人员与评审专家: their ids for `reviewer` (POST …/reviews/assignments/) and `expert_ids`
    (POST …/reviews/applications/<id>/experts/)."""

    permission_classes = [IsBureauStaff]

    @extend_schema(
        operation_id="staff_list",
        parameters=[
            OpenApiParameter(
                "role", str, enum=list(LISTED), description="reviewer / expert / bureau_admin (default: all)"
            ),
            OpenApiParameter("active", str, enum=["all"], description="all: include deactivated accounts"),
            OpenApiParameter("q", str, description="name or e-mail contains"),
        ],
        responses=paginated(StaffSerializer),
    )
    def get(self, request):
        role = request.query_params.get("role", "")
        # the people of the asker's district only (all for the system administrator)
        qs = User.objects.filter(
            district_q(request.user, "district"), role__in=[role] if role in LISTED else LISTED
        ).order_by("role", "full_name", "id")
        if request.query_params.get("active") != "all":
            qs = qs.filter(is_active=True)
        q = (request.query_params.get("q") or "").strip()[:100]
        if q:
            qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(StaffSerializer(page, many=True).data)
