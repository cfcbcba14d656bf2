"""政策找企业 under /api/v1/: enterprise facts (一企一档) and their contests, the bureau's imports and
matching runs, the enterprise's matches and its opt-out, and the reviewer's declared-versus-facts view.
Objects come from actor-scoped selectors (404 outside the scope); writes go through the services
(400 in Chinese, 403 for a wrong actor)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import application_get_for_actor, enterprise_of, is_owner_of
from portal.audit import client_ip
from portal.parsers import JSONParser
from portal.permissions import may_import_enterprise_facts, may_run_auto_awards
from reviews.api import BulkResultSerializer  # the same per-application result as the reviews' batch actions
from vouchers.selectors import window_get_for_actor

from .matching import matches_for_enterprise
from .models import MatchPreference
from .selectors import (
    auto_award_get_for_actor,
    auto_awards_for_actor,
    auto_batch_get_for_actor,
    auto_batches_for_actor,
    contest_get_for_actor,
    contests_for_actor,
    declared_vs_facts,
    fact_get_for_actor,
    facts_for_actor,
    imports_for_actor,
    runs_for_actor,
)
from .serializers import (
    AutoAwardConfirmSerializer,
    AutoAwardDeclineSerializer,
    AutoAwardSerializer,
    AutoBatchCreateSerializer,
    AutoBatchPublishSerializer,
    AutoBatchReviewSerializer,
    AutoBatchSerializer,
    AutoCandidateSerializer,
    ComparisonSerializer,
    ContestCreateSerializer,
    ContestResolveSerializer,
    ContestSerializer,
    FactSerializer,
    ImportCreateSerializer,
    ImportSerializer,
    MatchPreferenceSerializer,
    MatchRunSerializer,
    MatchSerializer,
)
from .services_auto import auto_batch_notice_request, auto_batch_prepare, auto_batch_publish_request
from .services_confirm import auto_award_confirm, auto_award_decline
from .services_facts import fact_contest, fact_contest_resolve, facts_import
from .services_review import auto_batch_review_request
from .tasks import matching_request, matching_run_task

TAG = ["proactive"]  # 政策找企业; tag description: SPECTACULAR_SETTINGS["TAGS"]


@extend_schema_view(
    list=extend_schema(
        summary="企业档案 facts: an enterprise user's own; reviewing staff those of their district", tags=TAG
    ),
    retrieve=extend_schema(summary="one fact with its source, period and import batch", tags=TAG),
)
class FactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FactSerializer

    def get_queryset(self):
        return facts_for_actor(actor=self.request.user)

    def get_object(self):
        return fact_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="异议 contest this fact (the enterprise's owner); the bureau resolves it",
        tags=TAG,
        request=ContestCreateSerializer,
        responses={201: ContestSerializer},
    )
    @action(detail=True, methods=["post"])
    def contest(self, request, pk=None):
        fact = self.get_object()
        serializer = ContestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contest = fact_contest(actor=request.user, fact=fact, ip=client_ip(request), **serializer.validated_data)
        return Response(ContestSerializer(contest).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="档案异议 contests: the enterprise's own; reviewing staff those of their district", tags=TAG
    ),
    retrieve=extend_schema(summary="one contest", tags=TAG),
)
class ContestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ContestSerializer

    def get_queryset(self):
        return contests_for_actor(actor=self.request.user)

    def get_object(self):
        return contest_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="处理异议 uphold (the fact is corrected) or reject, with the resolution; audited",
        tags=TAG,
        request=ContestResolveSerializer,
        responses={200: ContestSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        contest = self.get_object()
        serializer = ContestResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contest = fact_contest_resolve(
            actor=request.user,
            contest=contest,
            ip=client_ip(request),
            on_commit=lambda: matching_request("contest"),
            **serializer.validated_data,
        )
        return Response(ContestSerializer(contest).data)


@extend_schema_view(
    list=extend_schema(summary="部门数据导入 the import batches (bureau administrators)", tags=TAG),
    retrieve=extend_schema(summary="one import batch with its counts", tags=TAG),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return imports_for_actor(actor=self.request.user)

    @extend_schema(
        summary="import a department's file: checked as a whole (400 lists each bad cell by row and "
        "column in Chinese, nothing written); the same file again returns the first batch "
        "(200) and changes nothing",
        tags=TAG,
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportSerializer, 200: ImportSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not may_import_enterprise_facts(request.user):
            raise PermissionDenied
        serializer = ImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch, new = facts_import(
            actor=request.user,
            data=data["file"].read(),
            file_name=data["file"].name,
            department=data["department"],
            source=data["source"],
            period=data.get("period", ""),
            on_commit=lambda: matching_request("facts"),
        )
        return Response(ImportSerializer(batch).data, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="匹配运行 the matching runs with their counts (bureau administrators)", tags=TAG)
)
class MatchRunViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MatchRunSerializer

    def get_queryset(self):
        return runs_for_actor(actor=self.request.user)

    @extend_schema(
        summary="run matching now (a background job; eager in development)",
        tags=TAG,
        request=None,
        responses={202: None},
    )
    def create(self, request, *args, **kwargs):
        if not may_import_enterprise_facts(request.user):
            raise PermissionDenied
        matching_run_task.delay("manual")
        return Response(status=status.HTTP_202_ACCEPTED)


class MatchListView(APIView):
    parser_classes = [JSONParser]

    def _enterprise(self, request):
        enterprise = enterprise_of(request.user)
        if enterprise is None:
            raise PermissionDenied
        return enterprise

    @extend_schema(
        summary="政策匹配 the enterprise's matches with the open programmes (enterprise users)",
        tags=TAG,
        responses={200: MatchSerializer(many=True)},
    )
    def get(self, request):
        return Response(MatchSerializer(matches_for_enterprise(self._enterprise(request)), many=True).data)


class MatchPreferenceView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="the enterprise's match notifications on or off (its owner)",
        tags=TAG,
        request=MatchPreferenceSerializer,
        responses={200: MatchPreferenceSerializer},
    )
    def put(self, request):
        enterprise = enterprise_of(request.user)
        if enterprise is None or not is_owner_of(request.user, enterprise.pk):
            raise PermissionDenied
        serializer = MatchPreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        MatchPreference.objects.update_or_create(enterprise=enterprise, defaults=serializer.validated_data)
        return Response(serializer.validated_data)


class ComparisonView(APIView):
    @extend_schema(
        summary="申报数据与档案比对 what the application declared beside the enterprise's facts, "
        "differences flagged (the facts never change the application)",
        tags=TAG,
        responses={200: ComparisonSerializer(many=True)},
    )
    def get(self, request, pk: int):
        application = application_get_for_actor(actor=request.user, pk=pk)
        return Response(ComparisonSerializer(declared_vs_facts(application), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="免申即享批次 the prepared no-application batches (bureau administrators, their district)", tags=TAG
    ),
    retrieve=extend_schema(summary="one batch: window, facts cut-off, budget effect, sample", tags=TAG),
)
class AutoBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AutoBatchSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return auto_batches_for_actor(actor=self.request.user)

    def get_object(self):
        return auto_batch_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="prepare a 免申 batch: the candidates computed from the facts as of the cut-off, the "
        "budget effect (ranked / pro rata) and a random sample to check by hand; nothing is "
        "reserved",
        tags=TAG,
        request=AutoBatchCreateSerializer,
        responses={201: AutoBatchSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not may_import_enterprise_facts(request.user):
            raise PermissionDenied
        serializer = AutoBatchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = window_get_for_actor(actor=request.user, pk=data["window"])
        batch = auto_batch_prepare(
            actor=request.user,
            window=window,
            facts_cutoff=data["facts_cutoff"],
            confirm_workdays=data["confirm_workdays"],
            ip=client_ip(request),
        )
        return Response(AutoBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="the batch's candidates with their amounts, sources and awards under each remedy",
        tags=TAG,
        responses={200: AutoCandidateSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        batch = self.get_object()
        page = self.paginate_queryset(batch.candidates.select_related("enterprise"))
        return self.get_paginated_response(AutoCandidateSerializer(page, many=True).data)

    @extend_schema(
        summary="发布 publish the prepared batch: an application per candidate the chosen remedy awards "
        "(route 免申, inputs from the facts with their sources, submitted by the system), the "
        "money decision proposed through the four-eyes approval chain; per application whether "
        "the proposal was made. A big batch is published by a background task: 202 with the batch, "
        "whose `progress` shows how far it is",
        tags=TAG,
        request=AutoBatchPublishSerializer,
        responses={200: BulkResultSerializer(many=True), 202: AutoBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        if not may_run_auto_awards(request.user):
            raise PermissionDenied
        batch = self.get_object()
        serializer = AutoBatchPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = auto_batch_publish_request(
            actor=request.user, batch=batch, ip=client_ip(request), **serializer.validated_data
        )
        if results is None:  # a big batch: published by the task
            return Response(AutoBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)
        return Response(BulkResultSerializer(results, many=True).data)

    @extend_schema(
        summary="复核 approve the next step of every pending money decision of the published batch at once "
        "(another administrator than the proposer, 四眼原则); per proposal whether it was approved. A big "
        "batch is approved by a background task: 202 with the batch, whose `progress` shows how far it is",
        tags=TAG,
        request=AutoBatchReviewSerializer,
        responses={200: BulkResultSerializer(many=True), 202: AutoBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        if not may_run_auto_awards(request.user):
            raise PermissionDenied
        batch = self.get_object()
        serializer = AutoBatchReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = auto_batch_review_request(
            actor=request.user, batch=batch, ip=client_ip(request), **serializer.validated_data
        )
        if results is None:  # a big batch: approved by the task
            return Response(AutoBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)
        return Response(BulkResultSerializer(results, many=True).data)

    @extend_schema(
        summary="公示 list the batch's approved awards (approval chain ended) as one public notice; the "
        "enterprises' confirmation period starts; a big batch is listed by a background task (202, "
        "`progress` shows how far it is)",
        tags=TAG,
        request=None,
        responses={201: AutoBatchSerializer, 202: AutoBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        if not may_run_auto_awards(request.user):
            raise PermissionDenied
        batch = self.get_object()
        notice = auto_batch_notice_request(actor=request.user, batch=batch, ip=client_ip(request))
        batch.refresh_from_db()
        done = status.HTTP_201_CREATED if notice is not None else status.HTTP_202_ACCEPTED
        return Response(AutoBatchSerializer(batch).data, status=done)


@extend_schema_view(
    list=extend_schema(summary="免申即享 the awards listed for the user's enterprise, to confirm or decline", tags=TAG),
    retrieve=extend_schema(summary="one listed 免申 award", tags=TAG),
)
class AutoAwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AutoAwardSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return auto_awards_for_actor(actor=self.request.user)

    def get_object(self):
        return auto_award_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="确认领取 confirm in one step: a verified receiving account and the declaration "
        "(a member of the enterprise, within the deadline)",
        tags=TAG,
        request=AutoAwardConfirmSerializer,
        responses={200: AutoAwardSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        award = self.get_object()
        serializer = AutoAwardConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auto_award_confirm(actor=request.user, candidate=award, ip=client_ip(request), **serializer.validated_data)
        return Response(AutoAwardSerializer(self.get_object()).data)

    @extend_schema(
        summary="放弃 decline the award: it lapses and its reservation is released",
        tags=TAG,
        request=AutoAwardDeclineSerializer,
        responses={200: AutoAwardSerializer},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        award = self.get_object()
        serializer = AutoAwardDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auto_award_decline(actor=request.user, candidate=award, ip=client_ip(request), **serializer.validated_data)
        return Response(AutoAwardSerializer(self.get_object()).data)
