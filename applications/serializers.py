"""API shapes of enterprises, applications and attachments. Serializers describe and parse; the
services decide (their ValidationError becomes a 400 with field messages in Chinese)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api import id_field
from portal.models import Role

from .models import Application, ApplicationEvent, Attachment, Enterprise, FactChangeRequest, ProjectClaim
from .selectors import application_timeline, current_attachments, supplement_request_view
from .selectors_verification import fact_rows
from .serializers_verification import ClaimDocumentsMixin, FactChangeSerializer, FactRowSerializer
from .services import ENTERPRISE_FIELDS
from .uscc import credit_code_division
from .workflow import State


class CreditCodeDivisionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="登记管理机关行政区划码, characters 3 to 8 of the credit code")
    name = serializers.CharField(help_text="e.g. 广东省广州市黄埔区; empty when the list does not know the code")
    in_guangzhou = serializers.BooleanField()
    district = serializers.CharField(help_text="the district of Guangzhou (黄埔区); empty at city level or outside")
    warning = serializers.CharField(allow_null=True, help_text="for whoever verifies the enterprise; not a refusal")


class EnterpriseSerializer(serializers.ModelSerializer):
    """企业 the user's own enterprise. `credit_code` is set at registration and never changes; it may be
    typed with spaces, dashes or full-width characters (the service normalises and checks it)."""

    credit_code = serializers.CharField(label=_("统一社会信用代码"), max_length=60)
    member_role = serializers.SerializerMethodField(help_text="owner 法人/负责人 or agent 经办人")
    credit_code_division = serializers.SerializerMethodField(
        help_text="staff only (null for enterprise users): the division in the credit code and a warning when it "
        "is outside Guangzhou, unknown, withdrawn or not the registered district"
    )

    verification_state_label = serializers.CharField(source="get_verification_state_display", read_only=True)
    facts = serializers.SerializerMethodField(
        help_text="each eligibility fact with how it was established: verified by the bureau or by imported "
        "department data, or the enterprise's own statement"
    )
    pending_fact_change = serializers.SerializerMethodField(
        help_text="the request to change facts waiting for the bureau (null when none)"
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            *[f for f in ENTERPRISE_FIELDS if f != "name"],
            "member_role",
            "credit_code_division",
            "verification_state",
            "verification_state_label",
            "verified_via",
            "verified_at",
            "facts",
            "pending_fact_change",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "created_at",
            "updated_at",
            "member_role",
            "credit_code_division",
            "verification_state",
            "verified_via",
            "verified_at",
        ]

    @extend_schema_field(FactRowSerializer(many=True))
    def get_facts(self, enterprise):
        return FactRowSerializer(fact_rows(enterprise), many=True).data

    @extend_schema_field(FactChangeSerializer(allow_null=True))
    def get_pending_fact_change(self, enterprise):
        pending = enterprise.fact_changes.filter(state=FactChangeRequest.State.PENDING).first()
        return FactChangeSerializer(pending, context=self.context).data if pending else None

    def get_member_role(self, enterprise) -> str | None:
        membership = getattr(self.context.get("request").user, "membership", None)
        return membership.member_role if membership and membership.enterprise_id == enterprise.pk else None

    @extend_schema_field(CreditCodeDivisionSerializer(allow_null=True))
    def get_credit_code_division(self, enterprise):
        user = self.context.get("request").user
        verifier = user.is_authenticated and user.has_role(Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
        return credit_code_division(enterprise) if verifier else None


class EnterpriseRegisterSerializer(ClaimDocumentsMixin, EnterpriseSerializer):
    """登记企业 (multipart): the profile, the business licence and, unless the claimant is the legal
    representative, the power of attorney; the enterprise is unverified until the bureau verifies it."""

    class Meta(EnterpriseSerializer.Meta):
        fields = [
            *EnterpriseSerializer.Meta.fields,
            "business_licence",
            "authorization",
            "claimant_is_legal_representative",
        ]


class EnterpriseUpdateSerializer(serializers.ModelSerializer):
    """Partial. Eligibility facts (and, once verified, the name and the legal representative) are not
    changed here but requested, with `evidence` (multipart), from the bureau."""

    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        write_only=True,
        help_text="证明材料 for a change of eligibility facts (files)",
    )
    change_note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, write_only=True, help_text="变更说明 of the facts' change"
    )

    class Meta:
        model = Enterprise
        fields = [*ENTERPRISE_FIELDS, "evidence", "change_note"]


class ClaimsMixin(serializers.Serializer):
    contract_numbers = serializers.SerializerMethodField()
    invoice_numbers = serializers.SerializerMethodField()

    @staticmethod
    def _claims(app: Application, kind: str) -> list[str]:
        return sorted(c.value for c in app.claims.all() if c.kind == kind)  # prefetched: no query per row

    def get_contract_numbers(self, app) -> list[str]:
        return self._claims(app, "contract")

    def get_invoice_numbers(self, app) -> list[str]:
        return self._claims(app, "invoice")


class ApplicationSerializer(ClaimsMixin, serializers.ModelSerializer):
    """申报 as listed: state in plain words (`state_label`), the stored estimate, the deadline."""

    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    estimate_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "enterprise",
            "programme",
            "programme_name",
            "state",
            "state_label",
            "title",
            "project_key",
            "description",
            "contract_numbers",
            "invoice_numbers",
            "inputs",
            "estimate_amount",
            "estimate",
            "window",
            "declared_at",
            "submitted_at",
            "decided_at",
            "due_date",
            "created_at",
            "updated_at",
            "period_end",
            "basis_date",
        ]
        read_only_fields = fields


class ApplicationListSerializer(ApplicationSerializer):
    """申报 as listed by GET /api/v1/applications/ (keyset pages): the columns of the list, without the
    calculator's step-by-step explanation (`estimate`: see the detail). The list is built from
    `.values()` rows by `application_list_rows`, which gives exactly what this serializer gives (tested)."""

    class Meta(ApplicationSerializer.Meta):
        fields = [f for f in ApplicationSerializer.Meta.fields if f != "estimate"]
        read_only_fields = fields


# The list's output fields and the .values() column each is read from (one query, no model objects).
LIST_COLUMNS = {
    "id": "id",
    "reference": "reference",
    "enterprise": "enterprise_id",
    "programme": "programme__code",
    "programme_name": "programme__name_zh",
    "state": "state",
    "title": "title",
    "project_key": "project_key",
    "description": "description",
    "inputs": "inputs",
    "estimate_amount": "estimate_amount",
    "window": "window_id",
    "declared_at": "declared_at",
    "submitted_at": "submitted_at",
    "decided_at": "decided_at",
    "due_date": "due_date",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "period_end": "period_end",
    "basis_date": "basis_date",
}


def _instant(value, tz) -> str | None:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, 'Z' for UTC), without its
    per-call time-zone lookups."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def application_list_values(qs: QuerySet[Application]) -> QuerySet:
    """The list's columns as `.values()` rows; on PostgreSQL each row also carries its contract and
    invoice numbers (an array subquery each), so that a page is one query."""
    if connection.vendor == "postgresql":
        # written out: compiling two ArraySubquery expressions costs more than running them
        app, claim = Application._meta.db_table, ProjectClaim._meta.db_table
        qs = qs.annotate(
            **{
                f"claims_{kind}": RawSQL(  # noqa: S611 - table names from the models, kind a parameter
                    f'ARRAY(SELECT c."value" FROM "{claim}" c WHERE c."application_id" = "{app}"."id" '  # noqa: S608
                    'AND c."kind" = %s)',
                    (kind,),
                    output_field=ArrayField(models.CharField()),
                )
                for kind in ("contract", "invoice")
            }
        )
        return qs.values(*LIST_COLUMNS.values(), "claims_contract", "claims_invoice")
    return qs.values(*LIST_COLUMNS.values())


def application_list_rows(rows: list[dict]) -> list[dict]:
    """The list's rows (ApplicationListSerializer's shape) from `application_list_values` rows; where
    they carry no claims (SQLite), the page's contract and invoice numbers are read in one query."""
    claims: dict[int, dict[str, list[str]]] = {
        row["id"]: {"contract": row.get("claims_contract") or [], "invoice": row.get("claims_invoice") or []}
        for row in rows
    }
    if claims and "claims_contract" not in rows[0]:
        for app_id, kind, value in ProjectClaim.objects.filter(
            application_id__in=list(claims), kind__in=("contract", "invoice")
        ).values_list("application_id", "kind", "value"):
            claims[app_id][kind].append(value)
    labels = {value: str(label) for value, label in State.choices}
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        own = claims[row["id"]]
        amount, due = row["estimate_amount"], row["due_date"]
        out.append(
            {
                "id": row["id"],
                "reference": row["reference"],
                "enterprise": row["enterprise_id"],
                "programme": row["programme__code"],
                "programme_name": row["programme__name_zh"],
                "state": row["state"],
                "state_label": labels.get(row["state"], row["state"]),
                "title": row["title"],
                "project_key": row["project_key"],
                "description": row["description"],
                "contract_numbers": sorted(own["contract"]),
                "invoice_numbers": sorted(own["invoice"]),
                "inputs": row["inputs"],
                "estimate_amount": None if amount is None else f"{amount:.2f}",
                "window": row["window_id"],
                "declared_at": _instant(row["declared_at"], tz),
                "submitted_at": _instant(row["submitted_at"], tz),
                "decided_at": _instant(row["decided_at"], tz),
                "due_date": None if due is None else due.isoformat(),
                "created_at": _instant(row["created_at"], tz),
                "updated_at": _instant(row["updated_at"], tz),
                "period_end": None if row["period_end"] is None else row["period_end"].isoformat(),
                "basis_date": None if row["basis_date"] is None else row["basis_date"].isoformat(),
            }
        )
    return out


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "material",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "superseded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse("api-application-attachment-download", args=[attachment.application_id, attachment.pk])


class SupplementItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    to_state_label = serializers.SerializerMethodField()
    supplement_items = serializers.SerializerMethodField(
        help_text="For a return for supplement (action request_supplement): the items asked for."
    )

    class Meta:
        model = ApplicationEvent
        fields = [
            "id",
            "created_at",
            "action",
            "from_state",
            "to_state",
            "to_state_label",
            "message",
            "data",
            "supplement_items",
        ]
        read_only_fields = fields

    @extend_schema_field(SupplementItemSerializer(many=True))
    def get_supplement_items(self, event) -> list[dict]:
        return SupplementItemSerializer(getattr(event, "supplement_items", []), many=True).data

    def get_to_state_label(self, event) -> str:
        return str(State(event.to_state).label) if event.to_state in State.values else ""


class SupplementRequestSerializer(serializers.Serializer):
    items = SupplementItemSerializer(many=True)
    due_date = serializers.DateField(allow_null=True)
    message = serializers.CharField()
    requested_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application with its current files, its timeline and any open supplement request."""

    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    supplement_request = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "preapproval",
            "attachments",
            "timeline",
            "supplement_request",
            "input_sources",  # 快申快享 / 免申即享: where each pre-filled input came from
            "payment_promised_on",  # 承诺兑付日期, fixed at submission
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, app):
        return AttachmentSerializer(current_attachments(app), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, app):
        return EventSerializer(application_timeline(app, actor=self.context["request"].user), many=True).data

    @extend_schema_field(SupplementRequestSerializer(allow_null=True))
    def get_supplement_request(self, app):
        view = supplement_request_view(app)
        return SupplementRequestSerializer(view).data if view else None


@extend_schema_field(OpenApiTypes.OBJECT)
class InputsField(serializers.DictField):
    """The programme's declared inputs by name; amounts preferably as decimal strings ("1200000.00")."""


class ApplicationWriteSerializer(serializers.Serializer):
    """Create (with `programme`) or update a draft. Partial: only the fields sent change. Errors of a
    programme input come back under ``inputs.<name>``."""

    programme = serializers.CharField(required=False, help_text="programme code, e.g. hp-compute-voucher (create)")
    title = serializers.CharField(required=False, allow_blank=True)
    project_key = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    contract_numbers = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    invoice_numbers = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    period_end = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="申报事项所属期间截止日 YYYY-MM-DD: the end of the period the facts cover (上年度 revenue, costs "
        "incurred); the basis date. Required in a claim window (清算批次) after the policy expired.",
    )
    inputs = InputsField(required=False)
    preapproval = id_field(
        required=False,
        allow_null=True,
        help_text="事前同意 id: an approved pre-approval of the enterprise for this programme, "
        "given before the event (programmes that require one, e.g. th-events); null "
        "clears it",
    )

    def service_data(self) -> dict:
        return (
            {k: v for k, v in self.initial_data.items() if k in self.fields and k != "programme"}
            if hasattr(self.initial_data, "items")
            else {}
        )


class AttachmentUploadSerializer(serializers.Serializer):
    material = serializers.CharField(help_text="a material code of the programme (or of an open supplement item)")
    file = serializers.FileField(
        error_messages={"required": _("请选择要上传的文件。"), "empty": _("文件为空，请重新选择。")}
    )
    replaces = id_field(required=False, allow_null=True, help_text="id of a current attachment this file replaces")


class SubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(
        help_text="承诺: the applicant declares the information and files true, accurate and complete"
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ResubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="answer per supplement item code",
    )
