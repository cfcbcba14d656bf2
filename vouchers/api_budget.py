"""Budget API for administrators: /api/v1/budget/pools/ (list, set a pool's amount),
/api/v1/budget/pools/{id}/ and /api/v1/budget/pools/{id}/ledger/."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.audit import client_ip

from .budget_selectors import budget_admin_required, pool_get_for_actor, pool_ledger, pools_for_actor
from .models import BudgetPool, LedgerEntry, Programme
from .services.budget import pool_set_amount


class IsBudgetAdministrator(permissions.BasePermission):
    message = "仅主管部门管理员或系统管理员可以访问预算接口。"

    def has_permission(self, request, view) -> bool:
        try:
            budget_admin_required(request.user)
        except DjangoPermissionDenied:
            return False
        return True


class PoolSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    policy = serializers.CharField(source="programme.policy.code", read_only=True)
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = BudgetPool
        fields = [
            "id",
            "policy",
            "programme",
            "programme_name",
            "fiscal_year",
            "amount",
            "reserved",
            "committed",
            "disbursed",
            "remaining",
            "updated_at",
        ]
        read_only_fields = fields


class PoolSetSerializer(serializers.Serializer):
    programme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Programme.objects.all(),
        error_messages={"does_not_exist": "未知的申报项目代码“{value}”。"},
    )
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class PoolAmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class LedgerEntrySerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="award.application.reference", default=None, read_only=True)
    actor = serializers.CharField(source="actor.email", default=None, read_only=True)
    # 释放自: "reserved" or "committed" on a release, empty on every other kind of entry
    released_from = serializers.CharField(read_only=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "created_at",
            "kind",
            "amount",
            "released_from",
            "award",
            "application",
            "reference",
            "paid_on",
            "actor",
        ]
        read_only_fields = fields


class PoolList(generics.ListAPIView):
    """资金池 budget pools (filters: fiscal_year, programme code). POST creates a pool or sets its amount."""

    permission_classes = [permissions.IsAuthenticated, IsBudgetAdministrator]
    serializer_class = PoolSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = pools_for_actor(actor=self.request.user)
        year = self.request.query_params.get("fiscal_year", "")
        if year.isdigit():
            qs = qs.filter(fiscal_year=int(year))
        if code := self.request.query_params.get("programme"):
            qs = qs.filter(programme__code=code)
        return qs

    @extend_schema(request=PoolSetSerializer, responses=PoolSerializer)
    def post(self, request: Request) -> Response:
        s = PoolSetSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        existed = BudgetPool.objects.filter(
            programme=s.validated_data["programme"], fiscal_year=s.validated_data["fiscal_year"]
        ).exists()
        pool = pool_set_amount(
            actor=request.user,
            programme=s.validated_data["programme"],
            fiscal_year=s.validated_data["fiscal_year"],
            amount=s.validated_data["amount"],
            ip=client_ip(request),
        )
        return Response(PoolSerializer(pool).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class PoolDetail(generics.RetrieveAPIView):
    """One pool; PATCH {"amount": "…"} changes its amount (never below reserved + committed)."""

    permission_classes = [permissions.IsAuthenticated, IsBudgetAdministrator]
    serializer_class = PoolSerializer

    def get_object(self) -> BudgetPool:
        return pool_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PoolAmountSerializer, responses=PoolSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        pool = self.get_object()
        s = PoolAmountSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        pool = pool_set_amount(
            actor=request.user,
            programme=pool.programme,
            fiscal_year=pool.fiscal_year,
            amount=s.validated_data["amount"],
            ip=client_ip(request),
        )
        return Response(PoolSerializer(pool).data)


class PoolLedger(generics.ListAPIView):
    """资金台账 a pool's ledger, newest first."""

    permission_classes = [permissions.IsAuthenticated, IsBudgetAdministrator]
    serializer_class = LedgerEntrySerializer
    filter_backends: list = []

    def get_queryset(self):
        pool = pool_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])
        qs = pool_ledger(actor=self.request.user, pool=pool)
        if kind := self.request.query_params.get("kind"):
            qs = qs.filter(kind=kind)
        return qs
