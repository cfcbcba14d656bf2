"""The expert's side of the review API 专家评审: their assignments, each assignment, the declaration
of no conflict of interest and the scores. Serializers and helpers are reviews.api's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit import client_ip
from portal.models import Role

from . import selectors
from .api import DeclarationInput, ExpertAssignmentSerializer, ScoresInput, plain, valid_body
from .services import experts


class ExpertAssignmentsView(APIView):
    """The expert's own assignments (nothing else)."""

    @extend_schema(responses=ExpertAssignmentSerializer(many=True))
    def get(self, request):
        if request.user.role != Role.EXPERT:
            raise PermissionDenied(_("仅评审专家可以查看评审任务。"))
        return Response(
            ExpertAssignmentSerializer(selectors.expert_assignments_for(actor=request.user), many=True).data
        )


class ExpertAssignmentDetailView(APIView):
    """What review needs: no contact details, no other expert's scores; materials after declaring."""

    @extend_schema(
        responses=inline_serializer(
            "ExpertView", {"reference": serializers.CharField(), "criteria": serializers.ListField()}
        )
    )
    def get(self, request, pk: int):
        a = selectors.expert_assignment_get(actor=request.user, pk=pk)
        view = selectors.expert_view_of(a)
        view["status"] = a.status
        view["my_scores"] = [
            {"criterion": s.criterion, "score": str(s.score), "comment": s.comment} for s in a.scores.all()
        ]
        return Response(plain(view))


class ExpertDeclarationView(APIView):
    @extend_schema(request=DeclarationInput, responses=ExpertAssignmentSerializer)
    def post(self, request, pk: int):
        a = selectors.expert_assignment_get(actor=request.user, pk=pk)
        data = valid_body(DeclarationInput, request)
        a = experts.expert_declare(
            actor=request.user, assignment=a, conflict=data["conflict"], note=data["note"], ip=client_ip(request)
        )
        return Response(ExpertAssignmentSerializer(a).data)


class ExpertScoresView(APIView):
    """评分 every criterion within 0..max_score (refused, nothing written, when outside the scale)."""

    @extend_schema(request=ScoresInput, responses=ExpertAssignmentSerializer)
    def post(self, request, pk: int):
        a = selectors.expert_assignment_get(actor=request.user, pk=pk)
        data = valid_body(ScoresInput, request)
        a = experts.expert_scores_submit(
            actor=request.user,
            assignment=a,
            scores=data["scores"],
            comments=data["comments"],
            comment=data["comment"],
            ip=client_ip(request),
        )
        return Response(ExpertAssignmentSerializer(a).data)
