"""Serializers of proactive's API: amounts as strings, never floats."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    AutoAwardBatch,
    AutoAwardCandidate,
    Department,
    EnterpriseFact,
    FactContest,
    FactImport,
    MatchRun,
    MatchStatus,
)
from .services_auto import auto_batch_publishing


class FactSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    department_label = serializers.CharField(source="get_department_display", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = EnterpriseFact
        fields = [
            "id",
            "enterprise",
            "credit_code",
            "kind",
            "kind_label",
            "period",
            "value",
            "department",
            "department_label",
            "source",
            "fact_import",
            "corrected_by_contest",
            "updated_at",
        ]
        read_only_fields = fields


class ContestCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="异议理由")
    proposed_value = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="企业认为的值（可不填）"
    )


class ContestSerializer(serializers.ModelSerializer):
    fact = FactSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = FactContest
        fields = [
            "id",
            "fact",
            "reason",
            "proposed_value",
            "state",
            "state_label",
            "created_at",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields


class ContestResolveSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="true：异议成立（更正）；false：异议不成立")
    resolution = serializers.CharField(max_length=2000, help_text="处理意见")
    value = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="更正后的值（默认取企业所填）"
    )


class ImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = FactImport
        fields = [
            "id",
            "department",
            "source",
            "file_name",
            "rows",
            "created",
            "changed",
            "unchanged",
            "unknown",
            "created_at",
        ]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv (UTF-8) or .xlsx; header row: 统一社会信用代码, 所属期间, facts")
    department = serializers.ChoiceField(choices=Department.choices)
    source = serializers.CharField(max_length=200)
    period = serializers.CharField(
        max_length=7,
        required=False,
        allow_blank=True,
        help_text="the period of every row when the file has no 所属期间 column",
    )


class MatchSerializer(serializers.Serializer):
    programme = serializers.CharField()
    programme_name = serializers.CharField()
    status = serializers.ChoiceField(choices=MatchStatus.choices)
    status_label = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text="estimated yuan, a decimal string; null unless likely")
    missing = serializers.ListField(child=serializers.CharField(), help_text="the inputs no fact gives (Chinese)")
    reasons = serializers.ListField(child=serializers.CharField())


class MatchPreferenceSerializer(serializers.Serializer):
    notify = serializers.BooleanField(help_text="receive match notifications (inbox and e-mail)")


class MatchRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatchRun
        fields = ["id", "trigger", "started_at", "finished_at", "enterprises", "written", "counts"]
        read_only_fields = fields


class ComparisonSerializer(serializers.Serializer):
    input = serializers.CharField()
    label = serializers.CharField()
    declared = serializers.JSONField(allow_null=True, help_text="what the application declared (unchanged)")
    fact = serializers.CharField(allow_null=True)
    fact_display = serializers.CharField()
    source = serializers.CharField()
    period = serializers.CharField()
    differs = serializers.BooleanField()
    prefilled = serializers.BooleanField(help_text="快申快享: pre-filled from this fact when the application started")
    prefill_changed = serializers.BooleanField(help_text="pre-filled, then changed by the enterprise")


class AutoCandidateSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = AutoAwardCandidate
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "amount",
            "rank_award",
            "pro_rata_award",
            "in_sample",
            "inputs",
            "estimate",
            "application",
            "application_state",
            "confirm_by",
            "response",
        ]
        read_only_fields = fields

    application_state = serializers.CharField(source="application.state", read_only=True, default=None)


class AutoAwardSerializer(serializers.ModelSerializer):
    """A listed 免申 award as its enterprise sees it."""

    programme = serializers.CharField(source="batch.programme.name_zh", read_only=True)
    reference = serializers.CharField(source="application.reference", read_only=True)
    application_state = serializers.CharField(source="application.state", read_only=True)
    award_amount = serializers.DecimalField(
        source="application.estimate_amount", max_digits=16, decimal_places=2, read_only=True
    )

    class Meta:
        model = AutoAwardCandidate
        fields = [
            "id",
            "programme",
            "application",
            "reference",
            "application_state",
            "award_amount",
            "inputs",
            "confirm_by",
            "response",
            "account",
            "responded_at",
        ]
        read_only_fields = fields


class AutoAwardConfirmSerializer(serializers.Serializer):
    account = serializers.IntegerField(help_text="one of the enterprise's verified receiving accounts (收款账户)")
    declaration = serializers.BooleanField(help_text="承诺: the facts are true; the award is accepted as listed")


class AutoAwardDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AutoBatchReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="审批意见 of the second administrator, e.g. 同意")


class AutoBatchPublishSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=[("rank", "rank"), ("pro_rata", "pro_rata")], help_text="rank: 按排名择优; pro_rata: 按比例核减"
    )
    comment = serializers.CharField(help_text="经办意见, the proposer's opinion on the batch")


class AutoBatchProgressSerializer(serializers.Serializer):
    what = serializers.ChoiceField(choices=["publish", "review", "notice"])
    state = serializers.ChoiceField(choices=["queued", "running", "failed"])
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


class AutoBatchSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    progress = serializers.SerializerMethodField(
        help_text="publishing or 公示 under way in the background (null when none is, or it has finished)"
    )

    @extend_schema_field(AutoBatchProgressSerializer(allow_null=True))
    def get_progress(self, batch) -> dict | None:
        return auto_batch_publishing(batch.pk)

    class Meta:
        model = AutoAwardBatch
        fields = [
            "id",
            "programme",
            "window",
            "facts_cutoff",
            "confirm_workdays",
            "state",
            "seed",
            "budget",
            "sample",
            "created_at",
            "progress",
        ]
        read_only_fields = fields


class AutoBatchCreateSerializer(serializers.Serializer):
    window = serializers.IntegerField(help_text="the application window (申报批次) of a programme flagged 免申即享")
    facts_cutoff = serializers.DateTimeField(help_text="facts changed after it are not used")
    confirm_workdays = serializers.IntegerField(min_value=1, max_value=60, default=10)
