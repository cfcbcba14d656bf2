"""Payments API (under /api/v1/payments/): the enterprise's receiving account and what it was paid and
is owed; for administrators the account verification queue, acceptance reports, tranche schedules,
payment batches (prepare, approve — another administrator —, export, results by hand or from the bank's
return file), claw-backs and their repayments, and the report. Reads are scoped to the actor (404
otherwise); services decide and raise ValidationError (400) or PermissionDenied (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import DefaultPagination, paginated
from portal.audit import client_ip

from . import api_payments_serializers as s
from . import payment_selectors as sel
from .acceptance_downloads import acceptance_file_response
from .payment_files import payment_file_csv, payment_file_xlsx, return_file_import
from .payments_http import api_action
from .services import accounts as account_svc
from .services import clawbacks as clawback_svc
from .services import payments as svc
from .services.payments_common import may_manage_payments, require_enterprise

TAG = ["payments"]
FILES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", payment_file_xlsx),
    "csv": ("text/csv; charset=utf-8", payment_file_csv),
}


class IsPaymentAdministrator(permissions.BasePermission):
    message = "仅主管部门管理员或系统管理员可以办理拨付事项。"

    def has_permission(self, request, view) -> bool:
        return may_manage_payments(request.user)


ADMIN = [permissions.IsAuthenticated, IsPaymentAdministrator]


def _enterprise_of(request: Request):
    require_enterprise(request.user)
    return request.user.membership.enterprise


# --- the enterprise -------------------------------------------------------------------------------


class Mine(APIView):
    @extend_schema(
        tags=TAG,
        summary="本企业的收款账户、已拨付、待拨付与应退回 (enterprise users)",
        responses=s.PaymentMineSerializer,
    )
    def get(self, request: Request) -> Response:
        data = sel.enterprise_payments(actor=request.user)
        if data is None:
            raise DjangoPermissionDenied("仅企业用户可以查看本企业的收款与拨付。")
        return Response(s.PaymentMineSerializer(data).data)


class AccountList(generics.ListAPIView):
    """收款账户: an enterprise sees its own (history included), administrators all (filter status)."""

    serializer_class = s.PaymentAccountSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return sel.accounts_for_actor(actor=self.request.user).order_by("-submitted_at", "-id")

    @extend_schema(
        tags=TAG,
        summary="登记或变更收款账户（待主管部门核验）",
        request=s.PaymentAccountInput,
        responses={201: s.PaymentAccountSerializer},
    )
    def post(self, request: Request) -> Response:
        enterprise = _enterprise_of(request)
        return api_action(
            request,
            lambda d: account_svc.account_submit(actor=request.user, enterprise=enterprise, ip=client_ip(request), **d),
            body=s.PaymentAccountInput,
            answer=s.PaymentAccountSerializer,
            created=True,
        )


class AccountDetail(generics.RetrieveAPIView):
    serializer_class = s.PaymentAccountSerializer

    def get_object(self):
        return sel.account_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


class AccountVerify(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG, summary="核验通过（此前的账户即被替换）", request=None, responses=s.PaymentAccountSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        account = sel.account_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda _d: account_svc.account_verify(actor=request.user, account=account, ip=client_ip(request)),
            answer=s.PaymentAccountSerializer,
        )


class AccountRefuse(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="核验不通过（写明原因；原账户继续有效）",
        request=s.PaymentReasonInput,
        responses=s.PaymentAccountSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        account = sel.account_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda d: account_svc.account_refuse(
                actor=request.user, account=account, reason=d["reason"], ip=client_ip(request)
            ),
            body=s.PaymentReasonInput,
            answer=s.PaymentAccountSerializer,
        )


# --- awards, schedules, acceptance ----------------------------------------------------------------


class AwardList(generics.ListAPIView):
    """直接拨付的核定奖励 with their tranches, payment lines and claw-backs (scoped to the actor)."""

    serializer_class = s.PaymentAwardPaymentsSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            sel.payment_awards_for_actor(actor=self.request.user)
            .prefetch_related("tranches__acceptance_reports", "clawbacks__repayments")
            .order_by("-decided_on", "-id")
        )


class AwardDetail(generics.RetrieveAPIView):
    serializer_class = s.PaymentAwardPaymentsSerializer

    def get_object(self):
        return sel.payment_award_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


class AwardSchedule(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="设置分期计划（奖励尚无分期时）",
        request=s.PaymentScheduleInput,
        responses={201: s.PaymentTrancheSerializer(many=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        award = sel.payment_award_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda d: svc.award_schedule_set(
                actor=request.user, award=award, tranches=d.get("tranches"), ip=client_ip(request)
            ),
            body=s.PaymentScheduleInput,
            answer=lambda made: s.PaymentTrancheSerializer(made, many=True),
            created=True,
        )


class DueList(APIView):
    permission_classes = ADMIN

    @extend_schema(
        operation_id="payments_due_list",
        tags=TAG,
        summary="待拨付款项（可编入批次；problem 说明不能编入的原因）",
        responses=paginated(s.PaymentDueSerializer),
    )
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(sel.payments_due(actor=request.user), request, view=self)
        return paginator.get_paginated_response(s.PaymentDueSerializer(page, many=True).data)


class AcceptanceList(generics.ListAPIView):
    serializer_class = s.PaymentAcceptanceSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return sel.acceptance_for_actor(actor=self.request.user).order_by("submitted_at", "id")


class AcceptanceFileDownload(APIView):
    @extend_schema(
        tags=TAG,
        summary="下载验收材料（提交的企业与所在区的管理员）",
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY)
            for media in ("application/pdf", "image/jpeg", "image/png", "application/ofd")
        },
    )
    def get(self, request: Request, pk: int):
        return acceptance_file_response(sel.acceptance_file_get_for_actor(actor=request.user, pk=pk))


class AcceptanceDecide(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="验收审核：通过（该期转为待拨付）或不通过（写明理由）",
        request=s.PaymentAcceptanceDecision,
        responses=s.PaymentAcceptanceSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        report = sel.acceptance_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda d: svc.acceptance_decide(
                actor=request.user, report=report, approve=d["approve"], note=d.get("note", ""), ip=client_ip(request)
            ),
            body=s.PaymentAcceptanceDecision,
            answer=s.PaymentAcceptanceSerializer,
        )


# --- batches --------------------------------------------------------------------------------------


class BatchList(generics.ListAPIView):
    """拨付批次; POST prepares one from due tranches (its lines go to each payee's verified account)."""

    permission_classes = ADMIN
    serializer_class = s.PaymentBatchSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return sel.batches_for_actor(actor=self.request.user).order_by("-prepared_at", "-id")

    @extend_schema(
        tags=TAG, summary="编制拨付批次", request=s.PaymentBatchInput, responses={201: s.PaymentBatchDetailSerializer}
    )
    def post(self, request: Request) -> Response:
        return api_action(
            request,
            lambda d: svc.batch_prepare(
                actor=request.user, tranche_ids=d["tranches"], note=d.get("note", ""), ip=client_ip(request)
            ),
            body=s.PaymentBatchInput,
            answer=s.PaymentBatchDetailSerializer,
            created=True,
        )


class BatchDetail(generics.RetrieveAPIView):
    permission_classes = ADMIN
    serializer_class = s.PaymentBatchDetailSerializer

    def get_object(self):
        return sel.batch_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


class BatchApprove(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="审批批次（编制人以外的管理员，四眼原则）",
        request=None,
        responses=s.PaymentBatchDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda _d: svc.batch_approve(actor=request.user, batch=batch, ip=client_ip(request)),
            answer=s.PaymentBatchDetailSerializer,
        )


class BatchCancel(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="撤销批次（尚未登记任何结果时；各笔恢复为待拨付）",
        request=s.PaymentReasonInput,
        responses=s.PaymentBatchDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda d: svc.batch_cancel(actor=request.user, batch=batch, reason=d["reason"], ip=client_ip(request)),
            body=s.PaymentReasonInput,
            answer=s.PaymentBatchDetailSerializer,
        )


class BatchFile(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="支付文件（已审批的批次；fmt = xlsx 或 csv）",
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(FILES))],
        responses={(200, media.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY) for media, _ in FILES.values()},
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        if fmt not in FILES:
            raise Http404
        batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
        batch = svc.batch_export_record(actor=request.user, batch=batch, fmt=fmt, ip=client_ip(request))
        content_type, render = FILES[fmt]
        response = HttpResponse(render(batch), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{batch.number}.{fmt}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class BatchResults(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="登记拨付结果：逐笔成功（日期、凭证号）或失败（原因）；全部或全不",
        request=s.PaymentResultsInput,
        responses=s.PaymentBatchDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = sel.batch_get_for_actor(actor=request.user, pk=pk)

        def record(d):
            results = [
                svc.LineResult(
                    seq=r["seq"],
                    paid=r["paid"],
                    paid_on=r.get("paid_on"),
                    voucher_number=r.get("voucher_number", ""),
                    reason=r.get("reason", ""),
                )
                for r in d["results"]
            ]
            return svc.batch_results_record(
                actor=request.user, batch=batch, results=results, source="api", ip=client_ip(request)
            )

        return api_action(request, record, body=s.PaymentResultsInput, answer=s.PaymentBatchDetailSerializer)


class BatchReturnFile(APIView):
    permission_classes = ADMIN
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        summary="导入银行回执文件（xlsx/csv；与批次不符则整份拒绝，逐行列说明）",
        request={"multipart/form-data": s.PaymentReturnFileInput},
        responses=s.PaymentBatchDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
        return api_action(
            request,
            lambda d: return_file_import(
                actor=request.user, batch=batch, name=d["file"].name or "", data=d["file"].read(), ip=client_ip(request)
            ),
            body=s.PaymentReturnFileInput,
            answer=s.PaymentBatchDetailSerializer,
        )


# --- claw-backs and the report --------------------------------------------------------------------

# ClawbackList (GET and the decision, POST) is reviews.api_letter_decisions: the decision issues a letter.


class ClawbackDetail(generics.RetrieveAPIView):
    serializer_class = s.PaymentClawbackSerializer

    def get_object(self):
        return sel.clawback_get_for_actor(actor=self.request.user, pk=self.kwargs["pk"])


class ClawbackRepayments(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="登记追回款到账（台账记追回）",
        request=s.PaymentRepaymentInput,
        responses={201: s.PaymentClawbackSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        clawback = sel.clawback_get_for_actor(actor=request.user, pk=pk)

        def record(d):
            clawback_svc.clawback_repayment_record(actor=request.user, clawback=clawback, ip=client_ip(request), **d)
            clawback.refresh_from_db()
            return clawback

        return api_action(
            request, record, body=s.PaymentRepaymentInput, answer=s.PaymentClawbackSerializer, created=True
        )


class Report(APIView):
    permission_classes = ADMIN

    @extend_schema(
        tags=TAG,
        summary="拨付报表：按资金池与项目的已核定、已拨付、已追回、待拨付、失败、待追回（与台账一致）",
        parameters=[OpenApiParameter("fiscal_year", int, required=False)],
        responses=s.PaymentReportSerializer,
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("fiscal_year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
        pools, programmes, total = sel.payment_report(actor=request.user, year=year)
        return Response(s.PaymentReportSerializer({"pools": pools, "programmes": programmes, "total": total}).data)
