from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_display import named_column, yuan_column
from portal.admin_forms import ModelAdmin, TabularInline
from portal.admin_readonly import ReadOnlyModelAdmin
from portal.admin_values import json_labels_add
from portal.audit_labels import audit_actions_add

from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    District,
    EligibilityFact,
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    FactRecord,
    Invitation,
    ProjectClaim,
    SupplementItem,
    SupplementRequest,
)
from .uscc import credit_code_division, normalize, uscc_error
from .workflow import EventAction, State

# the workflow's transitions as the audit trail names them (application.<transition>, and the
# 免申即享 confirmations written by the proactive app as proactive.<transition>)
audit_actions_add(
    {f"{area}.{action.value}": action.label for action in EventAction for area in ("application", "proactive")}
)
json_labels_add(dict(EligibilityFact.choices))


def material_name(attachment: Attachment) -> str:
    """A material code by its name: the programme's checklist, else the supplement request's item."""
    code = attachment.material
    for material in attachment.application.programme.materials or []:
        if str(material.get("code")) == code:
            return str(material.get("label_zh") or code)
    if code == "other":
        return str(_("其他材料"))
    items = SupplementItem.objects.filter(request__application_id=attachment.application_id, code=code)
    return items.values_list("label", flat=True).first() or code


class MemberInline(TabularInline):
    model = EnterpriseMember
    extra = 0
    raw_id_fields = ("user",)


class EnterpriseAdminForm(forms.ModelForm):
    """The credit code must pass the GB 32100-2015 check, unless the administrator records why a
    legacy code that fails it is accepted (校验位例外原因)."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=60)  # normalised in clean()

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "credit_code_override_reason",
            "registered_district",
            "tax_district",
            "stats_district",
            "industry",
            "is_above_scale",
            "is_startup",
            "has_independent_accounts",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
        ]

    def clean(self):
        data = super().clean()
        code = normalize(data.get("credit_code") or "")
        data["credit_code"] = code
        problem = uscc_error(code)
        if problem and not (data.get("credit_code_override_reason") or "").strip():
            self.add_error("credit_code", problem)
        if not problem:
            data["credit_code_override_reason"] = ""
        return data


@admin.register(Enterprise)
class EnterpriseAdmin(ModelAdmin):
    form = EnterpriseAdminForm
    list_display = (
        "name",
        "credit_code",
        "division_warning",
        "verification_state",
        "registered_district",
        "industry",
        "is_above_scale",
        "is_startup",
    )
    list_filter = ("verification_state", "registered_district", "industry", "is_above_scale", "is_startup")
    search_fields = ("name", "credit_code")
    readonly_fields = ("division",)
    inlines = [MemberInline]

    # The division in the credit code, for whoever verifies the enterprise: a warning, never a refusal.
    @admin.display(description=_("区划提示"))
    def division_warning(self, obj):
        division = credit_code_division(obj)
        return (division or {}).get("warning") or "—"

    @admin.display(description=_("登记机关行政区划"))
    def division(self, obj):
        division = credit_code_division(obj) if obj is not None and obj.pk else None
        if division is None:
            return "—"
        return format_html(
            "{} ({})<br><strong>{}</strong>", division["name"] or "—", division["code"], division["warning"] or ""
        )


@admin.register(EnterpriseMember)
class EnterpriseMemberAdmin(ModelAdmin):
    list_display = ("user", "enterprise", "member_role", "created_at")
    raw_id_fields = ("user", "enterprise")


class ClaimInline(TabularInline):
    model = ProjectClaim
    extra = 0


class AttachmentInline(TabularInline):
    model = Attachment
    extra = 0
    fields = ("material_label", "original_name", "content_type", "size", "uploaded_at", "superseded_at")
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("材料类别"))
    def material_label(self, obj: Attachment) -> str:
        return material_name(obj)


class EventInline(TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ("created_at", "actor", "action", "from_state_name", "to_state_name", "message")
    readonly_fields = fields
    can_delete = False
    from_state_name = named_column("from_state", _("原状态"), dict(State.choices))
    to_state_name = named_column("to_state", _("新状态"), dict(State.choices))


@admin.register(Application)
class ApplicationAdmin(ModelAdmin):
    """States change only through the workflow service; the admin shows them read-only."""

    list_display = ("reference", "enterprise", "programme", "state", "estimate_yuan", "submitted_at")
    estimate_yuan = yuan_column("estimate_amount", _("测算金额"))
    list_filter = ("state", "programme__policy", "programme")
    search_fields = ("reference", "title", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "programme", "window", "created_by", "declared_by")
    readonly_fields = ("state", "submitted_at", "decided_at", "declared_at", "declared_by")
    inlines = [ClaimInline, AttachmentInline, EventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # applications are made by enterprises through the applicant's services


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ModelAdmin):
    list_display = ("created_at", "application", "action", "from_state_name", "to_state_name")
    list_filter = ("action",)
    from_state_name = named_column("from_state", _("原状态"), dict(State.choices))
    to_state_name = named_column("to_state", _("新状态"), dict(State.choices))
    raw_id_fields = ("application", "actor")


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    """Invitations are created and accepted by the owner and the invitee; the admin only shows them."""

    list_display = ("email", "enterprise", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("accepted_at", "revoked_at")
    search_fields = ("email", "enterprise__name", "enterprise__credit_code")
    readonly_fields = (
        "enterprise",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyModelAdmin):
    list_display = ("application", "requested_by", "created_at", "due_date", "answered_at")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyModelAdmin):
    list_display = ("original_name", "application", "material_label", "content_type", "size", "uploaded_at")
    list_select_related = ("application__programme",)
    search_fields = ("original_name", "application__reference", "sha256")
    raw_id_fields = ("application", "uploaded_by")
    fields = ("application", "material_label", "file", "original_name", "content_type", "size", "sha256")
    fields += ("uploaded_by", "uploaded_at", "superseded_at")
    readonly_fields = ("material_label",)

    @admin.display(description=_("材料类别"), ordering="material")
    def material_label(self, obj: Attachment) -> str:
        return material_name(obj)


@admin.register(SupplementItem)
class SupplementItemAdmin(ReadOnlyModelAdmin):
    """补正事项: the item's code is the material's, named by its label beside it."""

    list_display = ("label", "request", "note", "position")
    search_fields = ("label", "note")
    fields = ("request", "label", "note", "position")


@admin.register(FactRecord)
class FactRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("__str__", "enterprise", "fact", "value_name", "source", "recorded_at", "recorded_by")
    list_filter = ("fact", "source")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise", "recorded_by", "fact_import", "fact_change")
    fields = ("enterprise", "fact", "value_name", "source", "recorded_at", "recorded_by", "fact_import")
    fields += ("fact_change",)
    readonly_fields = ("value_name",)

    @admin.display(description=_("核验值"), ordering="value")
    def value_name(self, obj: FactRecord) -> str:
        return obj.value_label()


@admin.register(EnterpriseClaim)
class EnterpriseClaimAdmin(ReadOnlyModelAdmin):
    """认领: decided on the verification pages (audited); shown here for inspection."""

    list_display = ("name", "enterprise", "claimant", "kind", "state", "district_name", "created_at")
    list_filter = ("kind", "state")
    search_fields = ("name", "enterprise__name", "enterprise__credit_code", "claimant__email")
    raw_id_fields = ("enterprise", "claimant", "decided_by")
    fields = ("enterprise", "claimant", "kind", "state", "name", "legal_representative", "district_name")
    fields += ("claimant_is_legal_representative", "statement", "asserted_by", "created_at", "decided_by")
    fields += ("decided_at", "reason")
    readonly_fields = ("district_name",)
    district_name = named_column("registered_district", _("注册地"), dict(District.choices))
