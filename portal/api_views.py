from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from .models import User
from .workdays import MAX_YEAR, MIN_YEAR, provisional_note, year_calendar


class MeSerializer(serializers.ModelSerializer):
    enterprise_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "enterprise_id"]

    def get_enterprise_id(self, user) -> int | None:
        membership = getattr(user, "membership", None)
        return membership.enterprise_id if membership else None


@extend_schema(responses=MeSerializer, summary="当前用户 / the signed-in user")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


# ---------------------------------------------------------------- the working-day calendar


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=["holiday", "workday"], help_text="holiday 休息日（法定节假日、调休放假）/ workday 调休上班日"
    )
    name = serializers.CharField(help_text="节日名称，如 春节")
    source = serializers.ChoiceField(
        choices=["statutory", "official", "administrator"],
        help_text="statutory 法定节假日 / official 国务院放假安排 / administrator 管理员更正",
    )


class CalendarSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    confirmed = serializers.BooleanField(help_text="该年度国务院放假安排已录入或已在官方日历数据中")
    document = serializers.CharField(allow_blank=True, help_text="录入的放假安排通知发文字号")
    provisional_note = serializers.CharField(allow_null=True, help_text="暂按法定节假日计算时的说明，否则为 null")
    days = CalendarDaySerializer(many=True)


@extend_schema(
    summary="工作日历 / the working-day calendar of a year",
    description="该年度中不同于普通周历（周一至周五上班、周六周日休息）或属于节日的每一天：法定节假日、调休放假、"
    "调休上班日和管理员更正。未录入国务院放假安排的年度暂按法定节假日计算（confirmed 为 false）。",
    parameters=[OpenApiParameter("year", int, required=False, description=f"年份 {MIN_YEAR}–{MAX_YEAR}，默认为今年")],
    responses=CalendarSerializer,
    auth=[],
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def calendar(request):
    raw = request.query_params.get("year")
    year = timezone.localdate().year if raw in (None, "") else None
    if year is None:
        try:
            year = int(str(raw).strip())
        except ValueError:
            year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise exceptions.ValidationError(
            {"year": [_("请以 year=YYYY 指定 %(min)s 至 %(max)s 之间的年份。") % {"min": MIN_YEAR, "max": MAX_YEAR}]}
        )
    found = year_calendar(year)
    return Response(
        CalendarSerializer(
            {
                "year": found.year,
                "confirmed": found.confirmed,
                "document": found.document,
                "provisional_note": None if found.confirmed else provisional_note(year),
                "days": [vars(d) for d in found.days],
            }
        ).data
    )
