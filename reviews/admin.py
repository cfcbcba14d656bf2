"""Admin of the review records. Decisions, notices and objections change only through the review
services (the workflow and its audit trail), so they are read-only here; expert relations
(利益关联) are maintained here by administrators."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.audit import client_ip
from portal.models import Role

from .letters.services import letter_retry
from .models import (
    Decision,
    ExpertAssignment,
    ExpertRelation,
    Letter,
    Objection,
    PartyConfirmation,
    PublicNotice,
    PublicNoticeEntry,
    ReviewAssignment,
    SupplementRequest,
)
from .services.experts import expert_conflicts_revoke


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertRelation)
class ExpertRelationAdmin(admin.ModelAdmin):
    list_display = ("expert", "enterprise", "note", "declared_by", "created_at")
    search_fields = ("expert__full_name", "expert__email", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("declared_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "expert":
            from portal.models import User

            kwargs["queryset"] = User.objects.filter(role=Role.EXPERT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.declared_by = request.user
        super().save_model(request, obj, form, change)
        # a link registered after assignment revokes the expert's places on its panels
        expert_conflicts_revoke(expert=obj.expert, actor=request.user)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("application", "reviewer", "assigned_by", "assigned_at", "claimed")
    list_filter = ("claimed",)


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("application", "expert", "status", "declared_at", "submitted_at", "total")
    list_filter = ("status",)


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ("application", "requested_by", "created_at", "due_date", "answered_at")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "amount", "max_amount", "decided_on", "decided_by", "current")
    list_filter = ("outcome", "current")


class PublicNoticeEntryInline(admin.TabularInline):
    model = PublicNoticeEntry
    extra = 0
    can_delete = False
    readonly_fields = ("application", "line", "enterprise_name", "programme_name", "amount", "status")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "programme", "starts_on", "ends_on", "workdays", "status")
    list_filter = ("status",)
    inlines = [PublicNoticeEntryInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("notice", "application", "objector_name", "submitted_at", "due_date", "status")
    list_filter = ("status",)


@admin.register(PartyConfirmation)
class PartyConfirmationAdmin(ReadOnlyAdmin):
    """合作方确认: given by the party in its own account (reviews.services.parties), read-only here."""

    list_display = ("application", "line", "enterprise", "confirmed_by", "confirmed_at")
    list_filter = ("line",)
    search_fields = ("application__reference", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("application", "enterprise", "confirmed_by")


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    """正式文书: read-only; failed letters (生成失败) are found by the status filter and sent back to
    generation with the action (the service checks the actor and audits it)."""

    list_display = ("number", "kind", "status", "addressee_name", "line", "issued_on", "attempts",
                    "last_error_short")
    list_filter = ("status", "kind")
    search_fields = ("number", "addressee_name", "addressee_credit_code", "code")
    raw_id_fields = ("application", "enterprise")
    actions = ["retry_failed"]

    @admin.display(description=_("最近错误"))
    def last_error_short(self, obj: Letter) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("重新生成选中的生成失败文书"))
    def retry_failed(self, request, queryset):
        done = 0
        for letter in queryset.filter(status=Letter.Status.FAILED):
            try:
                letter_retry(actor=request.user, letter=letter, ip=client_ip(request))
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{letter.number}: {exc}", messages.ERROR)
        self.message_user(request, _("已重新提交 %(n)s 份文书的生成。") % {"n": done})
