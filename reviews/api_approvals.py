"""四眼原则 in the API (under /api/v1/reviews/): the decision workspace of an application (the
calculator's maximum, the pending proposal with its chain and steps; POST proposes), the proposals
awaiting the actor with their steps (approve, send back, approve several), the approval chains (read
only: edited in the Django admin), the collective decisions of competitive programmes and the
approved applications awaiting their public notice, with their amounts."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import DefaultPagination, id_field, paginated
from portal.audit import client_ip
from vouchers.models import Programme

from . import selectors
from . import selectors_approvals as chains
from .api import BulkResultsSerializer, DecisionSerializer, _results, _state, plain, valid_body
from .models import CollectiveDecision, DecisionProposal
from .services import approvals, collective, decisions
from .services.common import require_admin

# ---------------------------------------------------------------- serializers


def _person(user) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def proposal_json(p: DecisionProposal, *, actor=None) -> dict[str, Any]:
    """A proposal with its chain and every step (who, when, verdict, comment); `may_act`: whether
    the actor may hold its next step now."""
    step = chains.next_step(p)
    return plain(
        {
            "id": p.pk,
            "application": {"id": p.application_id, "reference": p.application.reference, "state": p.application.state},
            "outcome": p.outcome,
            "outcome_label": p.get_outcome_display(),
            "amount": p.amount,
            "max_amount": p.max_amount,
            "lines": p.lines,
            "reason": p.reason,
            "status": p.status,
            "status_label": p.get_status_display(),
            "chain": {"id": p.chain_id, "name": p.chain.name},
            "batch_mode": p.batch_mode,
            "decided_on": p.decided_on,
            "proposed_by": _person(p.proposed_by),
            "proposed_at": p.proposed_at,
            "closed_at": p.closed_at,
            "decision": p.decision_id,
            "next_step": step.role if step else None,
            "may_act": chains.may_act_on(p, actor) if actor is not None else False,
            "steps": [
                {
                    "position": s.position,
                    "role": s.role,
                    "role_label": s.get_role_display(),
                    "holder": s.holder,
                    "holder_label": s.get_holder_display(),
                    "acted_by": _person(s.acted_by),
                    "acted_at": s.acted_at,
                    "verdict": s.verdict or None,
                    "comment": s.comment,
                }
                for s in p.steps.all()
            ],
        }
    )


class ApprovalStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    role = serializers.CharField(help_text="handler 经办 / checker 复核 / leader 分管领导")
    role_label = serializers.CharField()
    holder = serializers.CharField(help_text="reviewing_staff / bureau_admin / leader (授权的分管领导)")
    holder_label = serializers.CharField()
    acted_by = serializers.DictField(allow_null=True)
    acted_at = serializers.DateTimeField(allow_null=True)
    verdict = serializers.CharField(allow_null=True, help_text="approved 同意 / returned 退回; null: not yet")
    comment = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.DictField()
    outcome = serializers.CharField(help_text="approve / reduce / decline")
    outcome_label = serializers.CharField()
    amount = serializers.DecimalField(16, 2)
    max_amount = serializers.DecimalField(16, 2, allow_null=True)
    lines = serializers.ListField()
    reason = serializers.CharField()
    status = serializers.CharField(help_text="pending 审批中 / approved 已生效 / returned 已退回 / lapsed 已失效")
    status_label = serializers.CharField()
    chain = serializers.DictField()
    batch_mode = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    proposed_by = serializers.DictField()
    proposed_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.IntegerField(allow_null=True, help_text="the decision, once the last step approved")
    next_step = serializers.CharField(allow_null=True)
    may_act = serializers.BooleanField(help_text="whether you may hold the next step now")
    steps = ApprovalStepSerializer(many=True)


class DecisionInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["approve", "decline"])
    amount = serializers.CharField(required=False, allow_blank=True, help_text="单一奖励对象的核定金额（元）")
    amounts = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text='分对象核定金额，如 {"supplier": "100000.00", "buyer": "80000.00"}',
    )
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="核减或不予支持的理由"
    )
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="经办意见（必填）"
    )


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="审批意见（必填），如“同意”"
    )


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="退回理由（必填）"
    )


class ApproveManyInput(CommentInput):
    proposal_ids = serializers.ListField(child=id_field(), min_length=1, max_length=500)


# ---------------------------------------------------------------- the decision workspace


class DecisionView(APIView):
    """实质审核: GET the calculator's maximum (with its steps), the 从高不重复 conflicts, the panel, the
    pending proposal with its chain and steps and the earlier ones; POST proposes the decision
    (approve: amount ≤ maximum, reduced needs a reason; decline: a reason; always the proposer's
    comment). Nothing takes effect until the chain's last step approves."""

    @extend_schema(
        responses=inline_serializer(
            "DecisionContext",
            {
                "max_amount": serializers.DecimalField(16, 2),
                "eligible": serializers.BooleanField(),
                "lines": serializers.ListField(),
                "steps": serializers.ListField(),
                "conflicts": serializers.ListField(),
                "decision": DecisionSerializer(allow_null=True),
                "proposal": ProposalSerializer(allow_null=True),
                "proposals": ProposalSerializer(many=True),
            },
        )
    )
    def get(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        ctx = selectors.decision_context(app)
        est = ctx["estimate"]
        current = selectors.current_decision(app)
        history = chains.proposals_of(app)
        pending = next((p for p in history if p.status == DecisionProposal.Status.PENDING), None)
        return Response(
            plain(
                {
                    "application": _state(app),
                    "errors": ctx["estimate_errors"],
                    "max_amount": est.amount if est else None,
                    "eligible": est.eligible if est else False,
                    "on": est.on if est else timezone.localdate(),
                    "reasons": est.reasons if est else [],
                    "lines": [
                        {
                            "line": ln["line"],
                            "label": ln["label"],
                            "max": ln["max"],
                            "capped_by": ln["capped_by"],
                            "enterprise": ln["enterprise"].name if ln["enterprise"] else None,
                        }
                        for ln in ctx["lines"]
                    ],
                    "steps": [
                        {
                            "label": s.label,
                            "expression": s.expression,
                            "amount": None if s.amount is None else str(s.amount),
                        }
                        for s in (est.steps if est else [])
                    ],
                    "parameters": est.parameters if est else {},
                    "conflicts": decisions.conflicts_json(ctx["conflicts"]),
                    "panel": {
                        "mean": ctx["panel"]["mean"],
                        "spread": ctx["panel"]["spread"],
                        "submitted": ctx["panel"]["submitted"],
                    }
                    if ctx["panel"]
                    else None,
                    "decision": DecisionSerializer(current).data if current else None,
                    "proposal": proposal_json(pending, actor=request.user) if pending else None,
                    "proposals": [proposal_json(p, actor=request.user) for p in history],
                }
            )
        )

    @extend_schema(request=DecisionInput, responses={201: ProposalSerializer})
    def post(self, request, pk: int):
        app = selectors.review_application_get(actor=request.user, pk=pk)
        data = valid_body(DecisionInput, request)
        made = approvals.decision_propose(
            actor=request.user,
            application=app,
            outcome=data["outcome"],
            amount=data.get("amount"),
            amounts=data.get("amounts"),
            reason=data["reason"],
            comment=data["comment"],
            ip=client_ip(request),
        )
        made = chains.proposal_get_for_actor(actor=request.user, pk=made.pk)
        return Response(proposal_json(made, actor=request.user), status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- proposals and their steps


class ProposalsView(APIView):
    """拟办审批: awaiting me (default: pending, the next step one I may hold), `scope=proposed` (made by
    me) or `scope=all` (every proposal I may see); `status` filters."""

    @extend_schema(
        operation_id="reviews_proposals_list",
        parameters=[
            OpenApiParameter("scope", str, description="mine / proposed / all"),
            OpenApiParameter("status", str, description="pending / approved / returned / lapsed"),
        ],
        responses=paginated(ProposalSerializer),
    )
    def get(self, request):
        scope = request.query_params.get("scope") or "mine"
        wanted = request.query_params.get("status") or ""
        status_ = wanted if wanted in DecisionProposal.Status.values else ""
        paginator = DefaultPagination()
        rows = paginator.paginate_queryset(
            chains.proposals_for(actor=request.user, scope=scope, status=status_), request, view=self
        )
        return paginator.get_paginated_response([proposal_json(p, actor=request.user) for p in rows])


class ProposalDetailView(APIView):
    @extend_schema(responses=ProposalSerializer)
    def get(self, request, pk: int):
        return Response(proposal_json(chains.proposal_get_for_actor(actor=request.user, pk=pk), actor=request.user))


class ProposalApproveView(APIView):
    """同意 the next step (复核, 分管领导) with a comment; at the last step the decision takes effect."""

    @extend_schema(request=CommentInput, responses=ProposalSerializer)
    def post(self, request, pk: int):
        p = chains.proposal_get_for_actor(actor=request.user, pk=pk)
        data = valid_body(CommentInput, request)
        approvals.proposal_approve(actor=request.user, proposal=p, comment=data["comment"], ip=client_ip(request))
        return Response(proposal_json(chains.proposal_get_for_actor(actor=request.user, pk=pk), actor=request.user))


class ProposalReturnView(APIView):
    """退回 the proposal with a reason (the holder of the next step); nothing takes effect."""

    @extend_schema(request=ReturnInput, responses=ProposalSerializer)
    def post(self, request, pk: int):
        p = chains.proposal_get_for_actor(actor=request.user, pk=pk)
        data = valid_body(ReturnInput, request)
        approvals.proposal_return(actor=request.user, proposal=p, reason=data["reason"], ip=client_ip(request))
        return Response(proposal_json(chains.proposal_get_for_actor(actor=request.user, pk=pk), actor=request.user))


class ProposalsApproveManyView(APIView):
    """批量同意 the next step of several proposals with one comment (each checked as if alone)."""

    @extend_schema(
        operation_id="reviews_proposals_approve_many", request=ApproveManyInput, responses=BulkResultsSerializer
    )
    def post(self, request):
        chains.require_reviewing_staff(request.user)
        data = valid_body(ApproveManyInput, request)
        return _results(
            approvals.proposals_approve_many(
                actor=request.user,
                proposal_ids=chains.visible_proposal_ids(actor=request.user, ids=data["proposal_ids"]),
                comment=data["comment"],
                ip=client_ip(request),
            )
        )


# ---------------------------------------------------------------- chains (read only)


class ApprovalChainsView(APIView):
    """审批链 (read only; system administrators edit them in the Django admin) and the authorised
    leaders (分管领导)."""

    @extend_schema(
        responses=inline_serializer(
            "ApprovalChains", {"chains": serializers.ListField(), "leaders": serializers.ListField()}
        )
    )
    def get(self, request):
        chains.require_reviewing_staff(request.user)
        return Response(
            plain(
                {
                    "chains": [
                        {
                            "id": c.pk,
                            "name": c.name,
                            "active": c.active,
                            "programme": c.programme.code if c.programme else None,
                            "amount_above": c.amount_above,
                            "amount_up_to": c.amount_up_to,
                            "note": c.note,
                            "steps": [
                                {
                                    "position": s.position,
                                    "role": s.role,
                                    "role_label": s.get_role_display(),
                                    "holder": s.holder,
                                    "holder_label": s.get_holder_display(),
                                }
                                for s in c.steps.all()
                            ],
                        }
                        for c in chains.approval_chains()
                    ],
                    "leaders": [
                        {"user": _person(a.user), "title": a.title, "active": a.active}
                        for a in chains.authorised_leaders()
                    ],
                }
            )
        )


# ---------------------------------------------------------------- collective decisions, pending notices


class CollectiveDecisionInput(serializers.Serializer):
    programme = serializers.CharField(max_length=60, help_text="programme code")
    application_ids = serializers.ListField(child=id_field(), min_length=1, max_length=500)
    meeting_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)
    attendees = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None, help_text="纪要文件（可选）")


def collective_json(c: CollectiveDecision) -> dict[str, Any]:
    return plain(
        {
            "id": c.pk,
            "programme": c.programme.code,
            "meeting_name": c.meeting_name,
            "meeting_date": c.meeting_date,
            "attendees": c.attendees,
            "minutes": c.minutes,
            "file": c.original_name or None,
            "sha256": c.sha256 or None,
            "applications": [a.reference for a in c.applications.all()],
            "recorded_by": _person(c.recorded_by),
            "recorded_at": c.recorded_at,
        }
    )


class CollectiveDecisionsView(APIView):
    """集体决策 of competitive programmes (administrators): the list; POST records one (JSON, or
    multipart with the signed minutes as `file`) for approved applications awaiting their notice."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="reviews_collective_decisions_list",
        responses=inline_serializer(
            "PaginatedCollectiveDecisionList",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": inline_serializer("CollectiveDecision", {"id": serializers.IntegerField()}, many=True),
            },
        ),
    )
    def get(self, request):
        require_admin(request.user)
        paginator = DefaultPagination()
        rows = paginator.paginate_queryset(chains.collective_decisions(actor=request.user), request, view=self)
        return paginator.get_paginated_response([collective_json(c) for c in rows])

    @extend_schema(
        request=CollectiveDecisionInput,
        responses={201: inline_serializer("CollectiveDecisionMade", {"id": serializers.IntegerField()})},
    )
    def post(self, request):
        require_admin(request.user)
        data = valid_body(CollectiveDecisionInput, request)
        programme = get_object_or_404(Programme, code=data["programme"])
        made = collective.collective_decision_record(
            actor=request.user,
            programme=programme,
            application_ids=data["application_ids"],
            meeting_name=data["meeting_name"],
            meeting_date=data["meeting_date"],
            attendees=data["attendees"],
            minutes=data["minutes"],
            upload=data.get("file"),
            ip=client_ip(request),
        )
        return Response(collective_json(made), status=status.HTTP_201_CREATED)


class PendingNoticesView(APIView):
    """待公示 (administrators): the approved applications awaiting their public notice, by programme
    and batch, each with its decided amount and (competitive programmes) its collective decision."""

    @extend_schema(responses=inline_serializer("PendingNotices", {"groups": serializers.ListField()}))
    def get(self, request):
        require_admin(request.user)
        return Response(
            plain(
                {
                    "groups": [
                        {
                            "programme": g["programme"].code,
                            "window": g["window"].pk if g["window"] else None,
                            "total": g["total"],
                            "competitive": g["competitive"],
                            "applications": [
                                {
                                    "id": a.pk,
                                    "reference": a.reference,
                                    "enterprise": a.enterprise.name,
                                    "title": a.title,
                                    "amount": a.decided_amount,
                                    "collective_decision": a.collective if g["competitive"] else None,
                                }
                                for a in g["applications"]
                            ],
                        }
                        for g in selectors.pending_notice_groups(actor=request.user)
                    ]
                }
            )
        )
