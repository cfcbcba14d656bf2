"""Administrators' operations of the review workflow in the API (under /api/v1/reviews/): committing a
competitive batch as ranked or pro rata (the batch page's commit), and closing the due public notices
now (the scheduled run's work, in the administrator's name). Both audited by their services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import id_field
from portal.audit import client_ip
from vouchers.selectors import window_get_for_actor

from .api import BulkResultsSerializer, _results
from .services import approvals, notices
from .services.common import require_admin


class BatchCommitInput(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=[("rank", "按排名择优"), ("pro_rata", "按比例核减")],
        help_text="rank: by the experts' mean within the quota and the pool; pro_rata: "
        "every chosen maximum reduced by the pool's ratio (GET …/ranking/ shows "
        "both before anything is committed)",
    )
    application_ids = serializers.ListField(
        child=id_field(),
        min_length=1,
        max_length=500,
        help_text="the batch's applications awaiting the bureau decision to "
        "approve; each is its own decision (refused ones say why)",
    )
    comment = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="经办意见（必填）: each application's proposal then walks its own "
        "approval chain (复核, 分管领导) before it takes effect",
    )


class BatchCommitView(APIView):
    """批量核定 (administrators): propose the chosen applications of a competitive batch as the ranking
    or the pro-rata option computes them — the batch page's commit. Each proposal takes effect when
    the last step of its approval chain approves (…/proposals/)."""

    @extend_schema(request=BatchCommitInput, responses=BulkResultsSerializer)
    def post(self, request, pk: int):
        require_admin(request.user)
        window = window_get_for_actor(actor=request.user, pk=pk)
        s = BatchCommitInput(data=request.data)
        s.is_valid(raise_exception=True)
        return _results(
            approvals.batch_propose(
                actor=request.user,
                window=window,
                application_ids=s.validated_data["application_ids"],
                comment=s.validated_data["comment"],
                mode=s.validated_data["mode"],
                ip=client_ip(request),
            )
        )


class NoticesCloseDueView(APIView):
    """公示期满处理 (administrators): finalise now every application of a notice whose period is over
    and that has no open objection, and close the notices left with none in notice. Idempotent."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "NoticesClosed",
            {
                "finalized": serializers.ListField(
                    child=serializers.IntegerField(), help_text="applications made final"
                ),
                "waiting_objections": serializers.ListField(
                    child=serializers.IntegerField(), help_text="applications held by an open objection"
                ),
                "closed_notices": serializers.ListField(child=serializers.IntegerField(), help_text="notices closed"),
            },
        ),
    )
    def post(self, request):
        return Response(notices.notices_close_due(actor=request.user, ip=client_ip(request)))
