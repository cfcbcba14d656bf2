"""API shapes of 实名核验: claims on credit codes, fact-change requests, their documents and the per-fact
verification of an enterprise. Serializers describe and parse; applications.verification decides."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.permissions import may_verify_enterprises

from .models import District, EligibilityFact, EnterpriseClaim, FactChangeRequest, FactSource, VerificationDocument
from .selectors_verification import change_rows, claim_division


class FactRowSerializer(serializers.Serializer):
    fact = serializers.ChoiceField(choices=EligibilityFact.choices)
    label = serializers.CharField()
    value = serializers.JSONField(help_text="the enterprise's value: true/false or a choice value (huangpu, ai)")
    value_display = serializers.CharField()
    verified = serializers.BooleanField(help_text="verified by the bureau or by imported department data")
    source = serializers.ChoiceField(
        choices=FactSource.choices, help_text="declared 企业自报, bureau 主管部门核验, import 部门数据导入"
    )
    source_label = serializers.CharField()
    detail = serializers.CharField(help_text="for an import: the data's source and date")
    recorded_at = serializers.DateTimeField(allow_null=True)


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = VerificationDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, doc) -> str:
        return reverse("api-verification-document", args=[doc.pk])


class DivisionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    in_guangzhou = serializers.BooleanField()
    district = serializers.CharField()
    warning = serializers.CharField(
        allow_null=True, help_text="null when the code's division agrees with the claimed district"
    )


class ClaimSerializer(serializers.ModelSerializer):
    """认领 a claim on a credit code (registration, or contested), its documents and the bureau's answer.
    `division` (for verifying staff only): the code's division against the claimed registered district."""

    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    claimant_name = serializers.CharField(source="claimant.__str__", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    division = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseClaim
        fields = [
            "id",
            "enterprise",
            "credit_code",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "name",
            "legal_representative",
            "registered_district",
            "claimant",
            "claimant_name",
            "claimant_is_legal_representative",
            "statement",
            "asserted_by",
            "created_at",
            "decided_at",
            "reason",
            "documents",
            "division",
        ]
        read_only_fields = fields

    @extend_schema_field(DivisionSerializer(allow_null=True))
    def get_division(self, claim):
        return claim_division(claim) if may_verify_enterprises(self.context["request"].user) else None


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class FactChangeSerializer(serializers.ModelSerializer):
    """认定事实变更 a request to change eligibility facts (or, once verified, the name or the legal
    representative), with its evidence and the bureau's answer."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    rows = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = FactChangeRequest
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "changes",
            "before",
            "rows",
            "note",
            "state",
            "state_label",
            "created_at",
            "decided_at",
            "reason",
            "documents",
        ]
        read_only_fields = fields

    @extend_schema_field(ChangeSerializer(many=True))
    def get_rows(self, request):
        return change_rows(request)


class ClaimDocumentsMixin(serializers.Serializer):
    business_licence = serializers.FileField(required=False, help_text="营业执照 (PDF, JPEG, PNG or OFD, by content)")
    authorization = serializers.FileField(
        required=False, help_text="授权委托书 signed by the legal representative: required unless the claimant is"
    )
    claimant_is_legal_representative = serializers.BooleanField(
        default=False, help_text="true when the claimant is the legal representative named on the licence"
    )


class ClaimResubmitSerializer(ClaimDocumentsMixin):
    legal_representative = serializers.CharField(max_length=100, help_text="法定代表人 as on the licence")


class ContestSerializer(ClaimDocumentsMixin):
    credit_code = serializers.CharField(max_length=60, help_text="the credit code someone else registered")
    name = serializers.CharField(max_length=200, help_text="企业名称 as on the licence")
    legal_representative = serializers.CharField(max_length=100)
    registered_district = serializers.ChoiceField(choices=District.choices)
    statement = serializers.CharField(max_length=2000, help_text="why the present registration is wrong")
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="further evidence (files)"
    )


class AcceptSerializer(serializers.Serializer):
    facts_verified = serializers.ListField(
        child=serializers.ChoiceField(choices=EligibilityFact.choices),
        required=False,
        help_text="eligibility facts the verifier checked against the documents (e.g. registered_district)",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="note (optional)")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text="why, told to the claimant (required)",
        error_messages={"blank": _("请填写不通过的原因。"), "required": _("请填写不通过的原因。")},
    )
