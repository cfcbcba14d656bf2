from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_display import named_column, yuan_column
from portal.admin_readonly import ReadOnlyModelAdmin

from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    Enterprise,
    EnterpriseMember,
    Invitation,
    ProjectClaim,
    SupplementRequest,
)
from .uscc import credit_code_division, normalize, uscc_error
from .workflow import State


class MemberInline(admin.TabularInline):
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
class EnterpriseAdmin(admin.ModelAdmin):
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
class EnterpriseMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "enterprise", "member_role", "created_at")
    raw_id_fields = ("user", "enterprise")


class ClaimInline(admin.TabularInline):
    model = ProjectClaim
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("material", "original_name", "content_type", "size", "uploaded_at", "superseded_at")
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ("created_at", "actor", "action", "from_state", "to_state", "message")
    readonly_fields = fields
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
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
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "application", "action", "from_state_name", "to_state_name")
    list_filter = ("action",)
    from_state_name = named_column("from_state", _("原状态"), dict(State.choices))
    to_state_name = named_column("to_state", _("新状态"), dict(State.choices))
    raw_id_fields = ("application", "actor")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
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
