"""REST endpoints of the review workflow under /api/v1/reviews/: the queue, assignments, formal
review, experts and their scores, decisions (public notices and objections: api_notices.py;
the expert's side: api_experts.py). Authenticated by default. Every write is a service
call; the services' ValidationError/PermissionDenied become 400/403 (portal.api.exception_handler)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.workflow import State
from portal.api import IdFirstPagination, id_field, paginated
from portal.audit import client_ip
from portal.models import Role, User
from vouchers.selectors import window_get_for_actor

from . import selectors
from .models import Decision, ExpertAssignment
from .services import assignments, experts, formal

# ---------------------------------------------------------------- serializers (output)


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    enterprise = serializers.DictField()
    programme = serializers.DictField()
    policy = serializers.CharField()
    review_path = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    age_days = serializers.IntegerField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    reviewer = serializers.DictField(allow_null=True)
    mine = serializers.BooleanField()
    estimate_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)

    @staticmethod
    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        """A row of selectors.queue_rows in the API's shape."""
        return {
            "id": row["id"],
            "reference": row["reference"],
            "title": row["title"],
            "enterprise": {"id": row["enterprise_id"], "name": row["enterprise_name"]},
            "programme": {"code": row["programme_code"], "name": row["programme_name_zh"]},
            "policy": row["policy_code"],
            "review_path": row["review_path"],
            # one translation per row (get_state_display() would hash every lazy label of the choices)
            "state": row["state"],
            "state_label": str(State(row["state"]).label),
            "submitted_at": row["submitted_at"],
            "age_days": row["age_days"],
            "deadline": row["deadline"],
            "overdue": row["overdue"],
            "reviewer": {"id": row["reviewer_id"], "name": row["reviewer_name"]} if row["reviewer_id"] else None,
            "mine": row["mine"],
            "estimate_amount": row["estimate_amount"],
        }


class BulkResultSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    reference = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()


class BulkResultsSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)
    ok = serializers.IntegerField(help_text="办理成功的件数")
    refused = serializers.IntegerField(help_text="被拒绝的件数（见各项 message）")


def _results(results) -> Response:
    data = [
        {"application_id": r.application_id, "reference": r.reference, "ok": r.ok, "message": r.message}
        for r in results
    ]
    return Response(
        {"results": data, "ok": sum(1 for r in results if r.ok), "refused": sum(1 for r in results if not r.ok)}
    )


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "application",
            "outcome",
            "amount",
            "max_amount",
            "lines",
            "reason",
            "explanation",
            "conflicts",
            "decided_on",
            "current",
        ]


class ExpertAssignmentSerializer(serializers.ModelSerializer):
    expert = serializers.StringRelatedField()

    class Meta:
        model = ExpertAssignment
        fields = ["id", "application", "expert", "status", "declared_at", "submitted_at", "total"]


# ---------------------------------------------------------------- serializers (input)


class IdsSerializer(serializers.Serializer):
    application_ids = serializers.ListField(child=id_field(), min_length=1, max_length=200)


class AssignInput(IdsSerializer):
    reviewer = id_field()


class ItemInput(serializers.Serializer):
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class FormalInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["start", "pass", "return"])
    items = ItemInput(many=True, required=False)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="形式审查意见：通过和退回补正时必填"
    )


class SendToExpertsInput(IdsSerializer):
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="形式审查意见（必填），适用于所选各项申报",
    )


class ExpertsInput(serializers.Serializer):
    expert_ids = serializers.ListField(child=id_field(), min_length=1, max_length=20)


class DeclarationInput(serializers.Serializer):
    conflict = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ScoresInput(serializers.Serializer):
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))
    comments = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


def plain(value: Any) -> Any:
    """Amounts and scores as decimal strings in JSON, never floats."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def valid_body(serializer_class, request) -> dict[str, Any]:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _require_reviewing_staff(user) -> None:
    selectors.require_staff_reviewer(user)


# ---------------------------------------------------------------- queue and assignments

QUEUE_PARAMS = [
    OpenApiParameter(n, str, description=d)
    for n, d in [
        ("scope", "mine / unassigned"),
        ("programme", "programme code"),
        ("policy", "policy code"),
        ("state", "state"),
        ("enterprise", "enterprise name (contains) or credit code"),
        ("deadline", "overdue / week"),
        ("reviewer", "reviewer id (administrators)"),
        ("sort", "age / -age / deadline"),
        ("page", "page number"),
    ]
]


class QueueView(APIView):
    """审核队列: assigned to me and waiting in my stage (administrators: everything with the bureau)."""

    @extend_schema(parameters=QUEUE_PARAMS, responses=paginated(QueueRowSerializer))
    def get(self, request):
        calendar = selectors.calendar_for_queue()
        qs = selectors.queue_for(
            actor=request.user, filters=selectors.QueueFilters.from_query(request.query_params), calendar=calendar
        )
        paginator = IdFirstPagination()
        paginator.rows = selectors.queue_values
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = selectors.queue_rows(page, actor=request.user, calendar=calendar)
        return paginator.get_paginated_response(plain([QueueRowSerializer.from_row(r) for r in rows]))


class OverdueView(APIView):
    """逾期事项: applications past their stage deadline; administrators also see overdue objections."""

    @extend_schema(
        responses=inline_serializer(
            "Overdue", {"applications": QueueRowSerializer(many=True), "objections": serializers.ListField()}
        )
    )
    def get(self, request):
        calendar = selectors.calendar_for_queue()
        data = selectors.overdue_for(actor=request.user, calendar=calendar)
        rows = selectors.queue_rows(
            selectors.queue_values(data["applications"])[:500], actor=request.user, calendar=calendar
        )
        return Response(
            plain(
                {
                    "applications": [QueueRowSerializer.from_row(r) for r in rows],
                    "objections": [
                        {"id": o.pk, "notice": o.notice_id, "application": o.application_id, "due_date": o.due_date}
                        for o in data["objections"]
                    ],
                }
            )
        )


class AssignView(APIView):
    """分配审核人员 (administrators), several applications at once."""

    @extend_schema(request=AssignInput, responses=BulkResultsSerializer)
    def post(self, request):
        data = valid_body(AssignInput, request)
        reviewer = User.objects.filter(pk=data["reviewer"], role=Role.REVIEWER, is_active=True).first()
        if reviewer is None:
            raise ValidationError({"reviewer": "只能分配给在岗的审核人员。"})
        return _results(
            assignments.reviewers_assign_many(
                actor=request.user, application_ids=data["application_ids"], reviewer=reviewer, ip=client_ip(request)
            )
        )


class ClaimView(APIView):
    """认领 (reviewers): unassigned applications waiting in the reviewers' stage."""

    @extend_schema(request=IdsSerializer, responses=BulkResultsSerializer)
    def post(self, request):
        data = valid_body(IdsSerializer, request)
        return _results(
            assignments.reviewers_claim_many(
                actor=request.user, application_ids=data["application_ids"], ip=client_ip(request)
            )
        )


class SendToExpertsView(APIView):
    """形式审查通过，提交专家评审 for several competitive applications (each checked as if alone)."""

    @extend_schema(request=SendToExpertsInput, responses=BulkResultsSerializer)
    def post(self, request):
        data = valid_body(SendToExpertsInput, request)
        return _results(
            assignments.send_to_experts_many(
                actor=request.user, application_ids=data["application_ids"], note=data["note"], ip=client_ip(request)
            )
        )


# ---------------------------------------------------------------- one application


def _state(app) -> dict[str, Any]:
    app.refresh_from_db(fields=["state", "due_date"])
    return {
        "id": app.pk,
        "reference": app.reference,
        "state": app.state,
        "state_label": app.get_state_display(),
        "due_date": app.due_date,
    }


class FormalReviewView(APIView):
    """形式审查: start, pass (with the reviewer's comment, required), or return for supplement listing
    every missing item at once (with the comment, required)."""

    @extend_schema(
        request=FormalInput,
        responses=inline_serializer(
            "FormalResult",
            {"id": serializers.IntegerField(), "state": serializers.CharField(), "due_date": serializers.DateField()},
        ),
    )
    def post(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        data = valid_body(FormalInput, request)
        ip = client_ip(request)
        if data["action"] == "start":
            formal.formal_review_start(actor=request.user, application=app, ip=ip)
        elif data["action"] == "pass":
            formal.formal_review_pass(actor=request.user, application=app, note=data["note"], ip=ip)
        else:
            formal.formal_review_return(
                actor=request.user, application=app, items=data.get("items") or [], note=data["note"], ip=ip
            )
        return Response(_state(app))


class ExpertsView(APIView):
    """专家评审: the panel with its mean and spread (bureau staff); assign experts (administrators)."""

    @extend_schema(
        responses=inline_serializer(
            "Panel",
            {
                "experts": ExpertAssignmentSerializer(many=True),
                "mean": serializers.DecimalField(16, 2, allow_null=True),
                "spread": serializers.DecimalField(16, 2, allow_null=True),
                "submitted": serializers.IntegerField(),
            },
        )
    )
    def get(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        panel = selectors.panel_summary(app)
        scores = {
            a.pk: [
                {
                    "criterion": s.criterion,
                    "label": s.label,
                    "score": str(s.score),
                    "max_score": str(s.max_score),
                    "comment": s.comment,
                }
                for s in a.scores.all()
            ]
            for a in panel["experts"]
        }
        return Response(
            plain(
                {
                    "experts": [
                        {**ExpertAssignmentSerializer(a).data, "scores": scores[a.pk], "comment": a.comment}
                        for a in panel["experts"]
                    ],
                    "submitted": panel["submitted"],
                    "active": panel["active"],
                    "mean": panel["mean"],
                    "spread": panel["spread"],
                    "max_total": panel["max_total"],
                    "per_criterion": panel["per_criterion"],
                }
            )
        )

    @extend_schema(request=ExpertsInput, responses=ExpertAssignmentSerializer(many=True))
    def post(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        data = valid_body(ExpertsInput, request)
        chosen = list(User.objects.filter(pk__in=data["expert_ids"]))
        if len(chosen) != len(set(data["expert_ids"])):
            raise ValidationError({"expert_ids": "所选专家不存在。"})
        made = experts.experts_assign(actor=request.user, application=app, experts=chosen, ip=client_ip(request))
        return Response(ExpertAssignmentSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class ExpertsFinishView(APIView):
    @extend_schema(request=None, responses=inline_serializer("FinishResult", {"state": serializers.CharField()}))
    def post(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        experts.expert_review_finish(actor=request.user, application=app, ip=client_ip(request))
        return Response(_state(app))


class BatchRankingView(APIView):
    """排名 a competitive batch by the experts' mean against the quota and the pool (both options)."""

    @extend_schema(
        responses=inline_serializer("Ranking", {"rows": serializers.ListField(), "options": serializers.DictField()})
    )
    def get(self, request, pk: int):
        _require_reviewing_staff(request.user)
        window = window_get_for_actor(actor=request.user, pk=pk)
        ranking = selectors.batch_ranking(window=window)
        rows = [
            {
                "rank": r["rank"],
                "application": r["application"].pk,
                "reference": r["application"].reference,
                "enterprise": r["application"].enterprise.name,
                "state": r["application"].state,
                "mean": r["mean"],
                "spread": r["spread"],
                "experts": r["experts"],
                "max_amount": r["max_amount"],
                "rank_award": r["rank_award"],
                "pro_rata_award": r["pro_rata_award"],
                "problem": r["problem"],
            }
            for r in ranking["rows"]
        ]
        options = ranking["options"] or {}
        return Response(
            plain(
                {
                    "window": window.pk,
                    "programme": window.programme.code,
                    "rows": rows,
                    "options": {
                        k: options.get(k)
                        for k in (
                            "pool_remaining",
                            "programme_total_remaining",
                            "quota_remaining",
                            "available",
                            "requested",
                            "oversubscribed",
                        )
                    },
                    "pro_rata_ratio": ranking["pro_rata_ratio"],
                }
            )
        )
