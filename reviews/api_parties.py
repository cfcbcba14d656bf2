"""REST endpoints of two-party awards for the parties (under /api/v1/parties/): the applications that
name the actor's enterprise as the other party, its confirmation (合作方确认), and the awards whose
line is the enterprise's with their letters. Enterprise users only see their own enterprise's."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import DefaultPagination, paginated
from portal.audit import client_ip

from .selectors_parties import award_letters, awards_for, party_application_get, party_applications_for
from .services import parties


class PartyApplicationSerializer(serializers.Serializer):
    application = serializers.IntegerField(help_text="the application's id (POST …/parties/<id>/confirm/)")
    reference = serializers.CharField()
    title = serializers.CharField()
    programme = serializers.CharField(help_text="programme code")
    applicant = serializers.CharField(help_text="the applicant enterprise's name")
    line = serializers.CharField(help_text='the award line the enterprise holds: "supplier" or "buyer"')
    line_label = serializers.CharField()
    state = serializers.CharField()
    confirmed = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    can_confirm = serializers.BooleanField(help_text="still open to confirm (the bureau has not decided)")

    @staticmethod
    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        app = row["application"]
        return {
            "application": app.pk,
            "reference": app.reference,
            "title": app.title,
            "programme": app.programme.code,
            "applicant": app.enterprise.name,
            "line": row["line"],
            "line_label": str(row["label"]),
            "state": app.state,
            "confirmed": row["confirmed"],
            "confirmed_at": row["confirmation"].confirmed_at if row["confirmation"] else None,
            "can_confirm": row["can_confirm"],
        }


class AwardLetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    issued_on = serializers.DateField()


class PartyAwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(help_text="the application's reference")
    applicant = serializers.CharField()
    programme = serializers.CharField()
    line = serializers.CharField(help_text='"" for a single award; "supplier" / "buyer" for a two-party award')
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    disbursed = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField(help_text="reserved (pending notice), committed (final), released")
    decided_on = serializers.DateField()
    letter = AwardLetterSerializer(allow_null=True, help_text="the standing approval letter of the line")


class PartyApplicationsView(APIView):
    """合作项目: the applications naming the actor's enterprise as a party other than the applicant."""

    @extend_schema(operation_id="parties_list", responses=paginated(PartyApplicationSerializer))
    def get(self, request):
        rows = [PartyApplicationSerializer.from_row(r) for r in party_applications_for(actor=request.user)]
        return Response(
            {
                "count": len(rows),
                "next": None,
                "previous": None,
                "results": PartyApplicationSerializer(rows, many=True).data,
            }
        )


class PartyConfirmView(APIView):
    """确认参与 the named party confirms its part in its own account (404 unless it is named; 400 when
    already confirmed or the bureau has decided). Audited."""

    @extend_schema(request=None, responses={201: PartyApplicationSerializer})
    def post(self, request, pk: int):
        app = party_application_get(actor=request.user, pk=pk)
        parties.party_confirm(actor=request.user, application=app, ip=client_ip(request))
        row = next(r for r in party_applications_for(actor=request.user) if r["application"].pk == app.pk)
        return Response(
            PartyApplicationSerializer(PartyApplicationSerializer.from_row(row)).data, status=status.HTTP_201_CREATED
        )


class PartyAwardsView(APIView):
    """核定奖励 the awards whose line is the actor's enterprise's: its own applications' and those where
    it is the other party of a two-party award, each with its approval letter."""

    @extend_schema(operation_id="parties_awards_list", responses=paginated(PartyAwardSerializer))
    def get(self, request):
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(awards_for(actor=request.user), request, view=self)
        letters = award_letters(page)
        rows = [
            {
                "id": a.pk,
                "application": a.application.reference,
                "applicant": a.application.enterprise.name,
                "programme": a.programme.code,
                "line": a.line,
                "amount": a.amount,
                "disbursed": a.disbursed,
                "status": a.status,
                "decided_on": a.decided_on,
                "letter": {"id": x.pk, "number": x.number, "status": x.status, "issued_on": x.issued_on}
                if (x := letters.get(a.pk))
                else None,
            }
            for a in page
        ]
        return paginator.get_paginated_response(PartyAwardSerializer(rows, many=True).data)
