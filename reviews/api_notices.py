"""REST endpoints of 公示 under /api/v1/reviews/: public notices (the list and each notice are
open to anyone, AllowAny), publishing (administrators), objections (异议: lodged by anyone during the
period, throttled; listed and resolved by the district's administrators). Every write is a service
call (reviews.services.notices, reviews.services.objections)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import DefaultPagination, id_field, paginated
from portal.audit import client_ip

from . import selectors
from .api import IdsSerializer, valid_body
from .models import Objection, PublicNotice
from .services import notices, objections
from .throttles import ObjectionThrottle


class PublicNoticeSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.name_zh")
    policy = serializers.CharField(source="programme.policy.title")

    class Meta:
        model = PublicNotice
        fields = ["id", "title", "programme", "policy", "starts_on", "ends_on", "workdays", "status"]


class NoticeEntrySerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    enterprise_name = serializers.CharField()
    programme_name = serializers.CharField()
    project_title = serializers.CharField()
    line = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField()


class ObjectionSerializer(serializers.ModelSerializer):
    """With the objector's contact details: for bureau administrators only."""

    class Meta:
        model = Objection
        fields = [
            "id",
            "notice",
            "application",
            "objector_kind",
            "objector_name",
            "objector_id_number",
            "contact_phone",
            "contact_email",
            "content",
            "submitted_at",
            "due_date",
            "status",
            "resolution",
            "resolved_at",
        ]


class PublishInput(IdsSerializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    workdays = serializers.IntegerField(required=False, min_value=1, max_value=60)


class ObjectionInput(serializers.Serializer):
    application = id_field()
    objector_kind = serializers.ChoiceField(choices=Objection.ObjectorKind.choices)
    objector_name = serializers.CharField(max_length=200)
    objector_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30)
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    content = serializers.CharField(max_length=5000)


class ResolveInput(serializers.Serializer):
    upheld = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000)


class NoticesView(APIView):
    """公示: the list is public; administrators publish a batch's approved applications."""

    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    @extend_schema(operation_id="reviews_notices_list", responses=paginated(PublicNoticeSerializer))
    def get(self, request):
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.public_notices(), request, view=self)
        return paginator.get_paginated_response(PublicNoticeSerializer(page, many=True).data)

    @extend_schema(request=PublishInput, responses={201: PublicNoticeSerializer})
    def post(self, request):
        data = valid_body(PublishInput, request)
        notice = notices.notice_publish(
            actor=request.user,
            application_ids=data["application_ids"],
            title=data["title"],
            workdays=data.get("workdays"),
            ip=client_ip(request),
        )
        return Response(PublicNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class NoticeDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "NoticeDetail",
            {
                "notice": PublicNoticeSerializer(),
                "entries": NoticeEntrySerializer(many=True),
                "accepting_objections": serializers.BooleanField(),
            },
        )
    )
    def get(self, request, pk: int):
        notice = selectors.public_notice_get(pk=pk)
        return Response(
            {
                "notice": PublicNoticeSerializer(notice).data,
                "entries": NoticeEntrySerializer(selectors.notice_public_entries(notice), many=True).data,
                "accepting_objections": notice.status == PublicNotice.Status.OPEN
                and not notices.notice_period_over(notice),
            }
        )


class ObjectionCreateView(APIView):
    """提出异议 open to anyone during the period; named; contact details stay confidential."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ObjectionThrottle]

    @extend_schema(
        request=ObjectionInput,
        responses={
            201: inline_serializer(
                "ObjectionReceived", {"id": serializers.IntegerField(), "due_date": serializers.DateField()}
            )
        },
    )
    def post(self, request, pk: int):
        notice = selectors.public_notice_get(pk=pk)
        data = valid_body(ObjectionInput, request)
        obj = objections.objection_lodge(
            notice=notice,
            application_id=data["application"],
            objector_kind=data["objector_kind"],
            objector_name=data["objector_name"],
            objector_id_number=data["objector_id_number"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            content=data["content"],
            ip=client_ip(request),
        )
        return Response({"id": obj.pk, "due_date": obj.due_date}, status=status.HTTP_201_CREATED)


class ObjectionsView(APIView):
    """异议 with the objectors' contact details: bureau administrators only."""

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("notice", int)],
        responses=paginated(ObjectionSerializer),
    )
    def get(self, request):
        qs = selectors.objections_for(actor=request.user)
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        if str(request.query_params.get("notice", "")).isdigit():
            qs = qs.filter(notice_id=int(request.query_params["notice"]))
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ObjectionSerializer(page, many=True).data)


class ObjectionResolveView(APIView):
    """核查异议: upheld (the award is declined) or dismissed, with a reason."""

    @extend_schema(request=ResolveInput, responses=ObjectionSerializer)
    def post(self, request, pk: int):
        obj = selectors.objection_get(actor=request.user, pk=pk)
        data = valid_body(ResolveInput, request)
        obj = objections.objection_resolve(
            actor=request.user, objection=obj, upheld=data["upheld"], reason=data["reason"], ip=client_ip(request)
        )
        return Response(ObjectionSerializer(obj).data)
