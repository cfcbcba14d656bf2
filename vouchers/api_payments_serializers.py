"""Serializers of the payments API (vouchers.api_payments): amounts as strings with two places."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api import id_field

from .models import (
    AcceptanceFile,
    AcceptanceReport,
    Award,
    Clawback,
    ClawbackRepayment,
    PaymentBatch,
    PaymentLine,
    PaymentTranche,
)
from .models import ReceivingAccount as Account
from .payment_selectors import batch_lines, batch_pool_totals


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class PaymentAccountSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "enterprise",
            "enterprise_credit_code",
            "account_name",
            "bank_name",
            "branch_name",
            "account_number",
            "status",
            "submitted_at",
            "decided_at",
            "refusal_reason",
        ]
        read_only_fields = fields


class PaymentAccountInput(serializers.Serializer):
    account_name = serializers.CharField(max_length=200, help_text="须与企业名称完全一致")
    bank_name = serializers.CharField(max_length=100)
    branch_name = serializers.CharField(max_length=100)
    account_number = serializers.CharField(max_length=60, help_text="10–30位数字；银联卡号（62开头16–19位）校验Luhn")


class PaymentReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PaymentAcceptanceBrief(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceReport
        fields = ["id", "status", "submitted_at", "decided_at", "decision_note"]
        read_only_fields = fields


class PaymentTrancheSerializer(serializers.ModelSerializer):
    acceptance_reports = PaymentAcceptanceBrief(many=True, read_only=True)

    class Meta:
        model = PaymentTranche
        fields = [
            "id",
            "award",
            "seq",
            "label",
            "amount",
            "condition",
            "condition_text",
            "document_number",
            "status",
            "due_since",
            "acceptance_reports",
        ]
        read_only_fields = fields


class PaymentLineSerializer(serializers.ModelSerializer):
    batch = serializers.CharField(source="batch.number", read_only=True)
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = PaymentLine
        fields = [
            "id",
            "batch",
            "seq",
            "award",
            "tranche",
            "enterprise",
            "amount",
            "payee_name",
            "account_number",
            "bank_name",
            "branch_name",
            "purpose",
            "status",
            "paid_on",
            "voucher_number",
            "failure_reason",
        ]
        read_only_fields = fields


class PaymentRepaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClawbackRepayment
        fields = ["id", "amount", "repaid_on", "voucher_number", "created_at"]
        read_only_fields = fields


class PaymentClawbackSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="award.application.reference", read_only=True)
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    outstanding = money_field(read_only=True)
    repayments = PaymentRepaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Clawback
        fields = [
            "id",
            "number",
            "award",
            "application",
            "enterprise",
            "amount",
            "repaid",
            "outstanding",
            "status",
            "reason",
            "due_on",
            "decided_on",
            "repayments",
        ]
        read_only_fields = fields


class PaymentAwardPaymentsSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.reference", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    tranches = PaymentTrancheSerializer(many=True, read_only=True)
    payment_lines = serializers.SerializerMethodField()
    clawbacks = PaymentClawbackSerializer(many=True, read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "application",
            "programme",
            "programme_name",
            "enterprise",
            "line",
            "amount",
            "disbursed",
            "status",
            "decided_on",
            "tranches",
            "payment_lines",
            "clawbacks",
        ]
        read_only_fields = fields

    @extend_schema_field(PaymentLineSerializer(many=True))
    def get_payment_lines(self, award: Award) -> list[dict]:
        lines = award.payment_lines.exclude(status=PaymentLine.Status.CANCELLED).select_related("batch", "enterprise")
        return PaymentLineSerializer(lines.order_by("batch__prepared_at", "seq"), many=True).data


class PaymentScheduleTranche(serializers.Serializer):
    label = serializers.CharField(max_length=60, required=False, allow_blank=True)
    amount = money_field(min_value=0)
    condition = serializers.CharField(max_length=300, required=False, allow_blank=True)
    requires_acceptance = serializers.BooleanField(required=False, help_text="第一期恒为核定生效后拨付")


class PaymentScheduleInput(serializers.Serializer):
    tranches = PaymentScheduleTranche(many=True, required=False, help_text="留空：一次性拨付全额（分阶段项目须列明）")


class PaymentDueSerializer(serializers.Serializer):
    tranche = PaymentTrancheSerializer(read_only=True)
    enterprise = serializers.CharField(source="tranche.award.enterprise.name", read_only=True)
    application = serializers.CharField(source="tranche.award.application.reference", read_only=True)
    programme = serializers.CharField(source="tranche.award.programme.code", read_only=True)
    problem = serializers.CharField(read_only=True, help_text="不能编入批次的原因；空表示可以")


class PaymentAcceptanceFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AcceptanceFile
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, row) -> str:
        return reverse("api-payment-acceptance-file", kwargs={"pk": row.pk})


class PaymentAcceptanceSerializer(serializers.ModelSerializer):
    files = PaymentAcceptanceFileSerializer(many=True, read_only=True)
    award = serializers.IntegerField(source="tranche.award_id", read_only=True)
    enterprise = serializers.CharField(source="tranche.award.enterprise.name", read_only=True)
    label = serializers.CharField(source="tranche.label", read_only=True)
    amount = money_field(source="tranche.amount", read_only=True)

    class Meta:
        model = AcceptanceReport
        fields = [
            "id",
            "tranche",
            "award",
            "enterprise",
            "label",
            "amount",
            "summary",
            "status",
            "submitted_at",
            "decided_at",
            "decision_note",
            "files",
        ]
        read_only_fields = fields


class PaymentAcceptanceInput(serializers.Serializer):
    summary = serializers.CharField(max_length=5000)
    files = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        max_length=10,
        help_text="验收材料（PDF、OFD、JPG、PNG，按内容识别；multipart，可多个）",
    )


class PaymentAcceptanceDecision(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PaymentBatchSerializer(serializers.ModelSerializer):
    prepared_by = serializers.CharField(source="prepared_by.email", read_only=True)
    approved_by = serializers.CharField(source="approved_by.email", default=None, allow_null=True, read_only=True)

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "number",
            "status",
            "total",
            "note",
            "prepared_by",
            "prepared_at",
            "approved_by",
            "approved_at",
            "exported_at",
            "closed_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class PaymentPoolShareSerializer(serializers.Serializer):
    pool = serializers.IntegerField(source="pool.pk")
    programme = serializers.CharField(source="pool.programme.code")
    fiscal_year = serializers.IntegerField(source="pool.fiscal_year")
    batch_amount = money_field(source="amount")
    pool_amount = money_field(source="pool.amount")
    committed = money_field(source="pool.committed")
    disbursed = money_field(source="pool.disbursed")
    unpaid = money_field()


class PaymentBatchDetailSerializer(PaymentBatchSerializer):
    lines = serializers.SerializerMethodField()
    pools = serializers.SerializerMethodField()

    class Meta(PaymentBatchSerializer.Meta):
        fields = [*PaymentBatchSerializer.Meta.fields, "lines", "pools"]
        read_only_fields = fields

    @extend_schema_field(PaymentLineSerializer(many=True))
    def get_lines(self, batch: PaymentBatch) -> list[dict]:
        return PaymentLineSerializer(batch_lines(batch), many=True).data

    @extend_schema_field(PaymentPoolShareSerializer(many=True))
    def get_pools(self, batch: PaymentBatch) -> list[dict]:
        return PaymentPoolShareSerializer(batch_pool_totals(batch), many=True).data


class PaymentBatchInput(serializers.Serializer):
    tranches = serializers.ListField(child=id_field(), min_length=1, max_length=500)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PaymentResultInput(serializers.Serializer):
    seq = serializers.IntegerField(min_value=1, max_value=100000)
    paid = serializers.BooleanField()
    paid_on = serializers.DateField(required=False, allow_null=True)
    voucher_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PaymentResultsInput(serializers.Serializer):
    results = PaymentResultInput(many=True, min_length=1, max_length=500)


class PaymentReturnFileInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="本批次支付文件格式的回执（xlsx 或 csv），填写结果、拨付日期、凭证号、失败原因"
    )


class PaymentClawbackInput(serializers.Serializer):
    award = id_field()
    amount = money_field(min_value=0)
    reason = serializers.CharField(max_length=2000)
    due_on = serializers.DateField(required=False, allow_null=True)


class PaymentRepaymentInput(serializers.Serializer):
    amount = money_field(min_value=0)
    repaid_on = serializers.DateField()
    voucher_number = serializers.CharField(max_length=60)


class PaymentReportRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    programme = serializers.CharField(source="programme_code")
    fiscal_year = serializers.IntegerField(allow_null=True)
    budget = money_field()
    awarded = money_field()
    paid = money_field()
    clawed_back = money_field()
    net_paid = money_field()
    due = money_field()
    waiting = money_field()
    unscheduled = money_field()
    failed = money_field()
    failed_count = serializers.IntegerField()
    owed = money_field()
    reconciled = serializers.BooleanField()


class PaymentReportSerializer(serializers.Serializer):
    pools = PaymentReportRowSerializer(many=True)
    programmes = PaymentReportRowSerializer(many=True)
    total = PaymentReportRowSerializer()


class PaymentMineSerializer(serializers.Serializer):
    account = PaymentAccountSerializer(allow_null=True)
    pending = PaymentAccountSerializer(allow_null=True)
    paid = money_field()
    due = money_field()
    owed = money_field()
    awards = serializers.SerializerMethodField()

    @extend_schema_field(PaymentAwardPaymentsSerializer(many=True))
    def get_awards(self, data) -> list[dict]:
        return PaymentAwardPaymentsSerializer([a.award for a in data.awards], many=True).data
