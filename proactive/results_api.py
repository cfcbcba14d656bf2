"""/api/v1/results/: 政策成效 the same figures as the administrators' page (proactive.results), with the
same filters, one entry per programme and fiscal year, paged like every list of the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, permissions, serializers

from portal.permissions import may_view_results
from vouchers.models import Policy, Programme

from .results import ROUTES, ResultFilters, results_for_actor, results_require

TAG = ["proactive"]  # 政策找企业; tag description: SPECTACULAR_SETTINGS["TAGS"]


class MayViewResults(permissions.BasePermission):
    message = "仅主管部门管理员或系统管理员可以查看政策成效。"

    def has_permission(self, request, view) -> bool:
        return may_view_results(request.user)


class ResultQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "年度须为四位数字。",
            "min_value": "年度须在2000年至2100年之间。",
            "max_value": "年度须在2000年至2100年之间。",
        },
    )
    policy = serializers.CharField(required=False, max_length=20, allow_blank=True)
    programme = serializers.CharField(required=False, max_length=40, allow_blank=True)

    def validate_policy(self, value: str) -> str:
        if value and not Policy.objects.filter(code=value).exists():
            raise serializers.ValidationError(f"未知的政策代码“{value}”。")
        return value

    def validate_programme(self, value: str) -> str:
        if value and not Programme.objects.filter(code=value).exists():
            raise serializers.ValidationError(f"未知的申报项目代码“{value}”。")
        return value


class ResultDurationsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="applications that have had this payment")
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    p90_days = serializers.IntegerField(allow_null=True, help_text="nearest rank: the ceil(0.9 n)-th smallest")
    median_workdays = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    p90_workdays = serializers.IntegerField(allow_null=True)


class ResultRouteFiguresSerializer(serializers.Serializer):
    route = serializers.ChoiceField(
        choices=[r.value for r in ROUTES], help_text="auto 免申即享, quick 快申快享, applied 依申请"
    )
    awards = serializers.IntegerField(help_text="committed award lines")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    first_payment = ResultDurationsSerializer(help_text="days from submission (免申: publication) to the first payment")
    full_payment = ResultDurationsSerializer(help_text="days from submission (免申: publication) to the full payment")


class ResultTotalFiguresSerializer(ResultRouteFiguresSerializer):
    route = None  # type: ignore[assignment]  # all routes together


class ResultPoolFiguresSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, source="pool_amount")
    committed = serializers.DecimalField(max_digits=16, decimal_places=2, source="pool_committed")
    disbursed = serializers.DecimalField(max_digits=16, decimal_places=2, source="pool_disbursed")
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2, source="pool_remaining")
    use_percent = serializers.DecimalField(
        max_digits=8, decimal_places=1, source="pool_use", allow_null=True, help_text="the year's awards / budget"
    )


class ProgrammeResultSerializer(serializers.Serializer):
    district = serializers.CharField()
    policy = serializers.CharField(source="policy_code")
    programme = serializers.CharField(source="programme_code")
    programme_name = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    routes = ResultRouteFiguresSerializer(many=True)
    total = ResultTotalFiguresSerializer()
    eligible = serializers.IntegerField(
        allow_null=True, help_text="likely eligible in the latest matching (null: matching has no result for it)"
    )
    reached = serializers.IntegerField(help_text="of those, with an application or a 免申 listing in the year")
    reach_percent = serializers.DecimalField(max_digits=5, decimal_places=1, source="reach_share", allow_null=True)
    pool = serializers.SerializerMethodField()

    @extend_schema_field(ResultPoolFiguresSerializer(allow_null=True))
    def get_pool(self, row) -> dict | None:
        """The programme's budget pool of the year (null: none set)."""
        return None if row.pool_amount is None else ResultPoolFiguresSerializer(row).data


class ResultList(generics.ListAPIView):
    """政策成效 per programme and fiscal year of the actor's districts: awards by route, days to the first
    and to the full payment (median and p90, calendar and working days), the share of the likely
    eligible enterprises reached, the budget pool beside. Filters: year, policy, programme (codes)."""

    permission_classes = [permissions.IsAuthenticated, MayViewResults]
    serializer_class = ProgrammeResultSerializer
    filter_backends: list = []

    def get_queryset(self):  # a list of rows: the figures are aggregated, not a queryset
        query = ResultQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            results_require(self.request.user)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        filters = ResultFilters(
            policy=data.get("policy", ""), programme=data.get("programme", ""), year=data.get("year")
        )
        return results_for_actor(actor=self.request.user, filters=filters)

    @extend_schema(
        summary="政策成效 results by route, time to payment and reach (bureau administrators)",
        tags=TAG,
        parameters=[
            OpenApiParameter("year", int, description="fiscal year of the awards and pools; year of reaching"),
            OpenApiParameter("policy", str, description="a policy's code"),
            OpenApiParameter("programme", str, description="a programme's code"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
