"""事前同意 pre-approvals under /api/v1/preapprovals/: enterprise members list, request and withdraw
their enterprise's; bureau staff list all. The decision (…/decide/) issues a letter, so it is
reviews.api_letter_decisions (applications does not import reviews); `letters` lists the pre-approval's
事前同意函 (read through the reverse relation, as the application's page does). Every
object comes from the actor-scoped selector (404 for another enterprise's); every write goes
through applications.services_preapproval (400 with field messages in Chinese, 403 for a wrong actor)."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import MAX_ID
from portal.audit import client_ip

from .models import PreApproval
from .selectors_preapproval import preapprovals_for_actor, programmes_requiring_preapproval
from .services_preapproval import preapproval_request, preapproval_withdraw

TAG = ["pre-approvals"]  # 事前同意


class PreApprovalSerializer(serializers.ModelSerializer):
    """事前同意: the request (plan, budget, event date) and the bureau's decision (decided_on: the
    date of the approval, before the event). `claims`: the applications that name it."""

    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    claims = serializers.SerializerMethodField()
    letters = serializers.SerializerMethodField(
        help_text="事前同意函: number, status, verification code, download URL (null until the PDF is generated)"
    )

    class Meta:
        model = PreApproval
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "programme",
            "programme_name",
            "event_name",
            "event_date",
            "venue",
            "plan",
            "budget",
            "state",
            "state_label",
            "requested_at",
            "decided_on",
            "decided_at",
            "reason",
            "claims",
            "letters",
        ]
        read_only_fields = fields

    def get_claims(self, preapproval) -> list[int]:
        return sorted(a.pk for a in preapproval.claims.all())  # prefetched

    def get_letters(self, preapproval) -> list[dict]:
        return [
            {
                "id": x.pk,
                "number": x.number,
                "kind_display": x.get_kind_display(),
                "status": x.status,
                "code": x.code,
                "issued_on": x.issued_on.isoformat(),
                "download_url": reverse("reviews:letter_download", args=[x.pk]) if x.sha256 else None,
                "verify_url": reverse("reviews:letter_verify", args=[x.code]),
            }
            for x in preapproval.letters.all()
            if x.revoked_at is None
        ]  # prefetched


class PreApprovalRequestSerializer(serializers.Serializer):
    programme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=programmes_requiring_preapproval(),
        help_text="programme code of a programme that requires a pre-approval, e.g. th-events",
    )
    event_name = serializers.CharField(max_length=200, help_text="活动名称")
    event_date = serializers.DateField(help_text="活动日期, after today (事前)")
    venue = serializers.CharField(max_length=200, help_text="举办地点")
    plan = serializers.CharField(max_length=10000, help_text="活动方案")
    budget = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        coerce_to_string=True,
        help_text="活动预算 in yuan, positive, at most two decimal places",
    )


class PreApprovalWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PreApprovalDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 同意, false 不予同意")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="意见; required when refusing"
    )


class PreApprovalFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PreApproval.State.choices, help_text="state 状态")
    programme = django_filters.CharFilter(field_name="programme__code", help_text="programme code 项目代码")

    class Meta:
        model = PreApproval
        fields = ["state", "programme"]


@extend_schema_view(
    list=extend_schema(
        summary="事前同意列表 the enterprise's pre-approvals (all, for bureau staff), newest first "
        "(filter by state, programme)",
        tags=TAG,
    ),
    retrieve=extend_schema(summary="事前同意详情", tags=TAG),
    create=extend_schema(
        summary="申请事前同意 request the bureau's consent before the event (enterprise members)",
        tags=TAG,
        request=PreApprovalRequestSerializer,
        responses={201: PreApprovalSerializer},
    ),
)
class PreApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PreApprovalSerializer
    filterset_class = PreApprovalFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            preapprovals_for_actor(actor=self.request.user)
            .prefetch_related("claims", "letters")
            .order_by("-requested_at", "-id")
        )

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
            if not 0 < pk <= MAX_ID:
                raise ValueError(pk)
            return self.get_queryset().get(pk=pk)
        except (PreApproval.DoesNotExist, ValueError):
            raise Http404 from None

    def _out(self, preapproval: PreApproval, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=preapproval.pk)
        return Response(PreApprovalSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = PreApprovalRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        made = preapproval_request(
            actor=request.user,
            programme=data["programme"],
            event_name=data["event_name"],
            event_date=data["event_date"],
            venue=data["venue"],
            plan=data["plan"],
            budget=data["budget"],
            ip=client_ip(request),
        )
        return self._out(made, status.HTTP_201_CREATED)

    @extend_schema(
        summary="撤回事前同意申请 withdraw a pending request, or an approval no claim rests on",
        tags=TAG,
        request=PreApprovalWithdrawSerializer,
        responses=PreApprovalSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        preapproval = self.get_object()
        serializer = PreApprovalWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = preapproval_withdraw(
            actor=request.user,
            preapproval=preapproval,
            reason=serializer.validated_data.get("reason", ""),
            ip=client_ip(request),
        )
        return self._out(done)
