"""Admin of the review records. Decisions, proposals, notices and objections change only through the
review services (the workflow and its audit trail), so they are read-only here; expert relations
(利益关联), the approval chains (审批链) and the authorised leaders (分管领导) are maintained here by
system administrators, each change audited."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_display import yuan_column
from portal.admin_forms import LabelledInlineFormSet, ModelAdmin, TabularInline
from portal.admin_values import json_values_add
from portal.audit import audit_record, client_ip
from portal.models import Role, User

from .letters.services import letter_retry
from .models import (
    ApprovalChain,
    ApprovalChainStep,
    ApprovalStepRole,
    AuthorisedApprover,
    CollectiveDecision,
    Decision,
    DecisionProposal,
    ExpertAssignment,
    ExpertRelation,
    ExpertScore,
    Letter,
    LetterIssuer,
    Objection,
    PartyConfirmation,
    ProposalStep,
    PublicNotice,
    PublicNoticeEntry,
    ReviewAssignment,
)
from .services.experts import expert_conflicts_revoke

# how a letter says the award is paid (reviews.letters.content)
json_values_add("payment_mode", {"voucher": _("发放算力券"), "staged": _("分期拨付"), "lump": _("一次性拨付")})


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertRelation)
class ExpertRelationAdmin(ModelAdmin):
    list_display = ("expert", "enterprise", "note", "declared_by", "created_at")
    search_fields = ("expert__full_name", "expert__email", "enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("declared_by", "created_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "expert":
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


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "amount_yuan", "max_amount_yuan", "decided_on", "decided_by", "current")
    amount_yuan = yuan_column("amount", _("核定金额"))
    max_amount_yuan = yuan_column("max_amount", _("测算上限"))
    list_filter = ("outcome", "current")


class PublicNoticeEntryInline(TabularInline):
    model = PublicNoticeEntry
    extra = 0
    can_delete = False
    readonly_fields = ("application", "line", "enterprise_name", "programme_name", "amount_yuan", "status")
    amount_yuan = yuan_column("amount", _("拟支持金额"))

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

    list_display = ("number", "kind", "status", "addressee_name", "line", "issued_on", "attempts", "last_error_short")
    list_filter = ("status", "kind")
    search_fields = ("number", "addressee_name", "addressee_credit_code", "code")
    raw_id_fields = ("application", "preapproval", "clawback", "programme", "enterprise")
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


@admin.register(LetterIssuer)
class LetterIssuerAdmin(ModelAdmin):
    """发文机关设置: each authority's series words and repayment account, read when a letter is issued
    (a letter already issued keeps what it printed). Changes are audited."""

    list_display = ("authority", "series_words", "repayment_account_name", "repayment_bank", "repayment_account_number")
    search_fields = ("authority",)

    def save_model(self, request, obj, form, change):
        before = {k: form.initial.get(k) for k in form.changed_data} if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="letter.issuer_save",
            target=obj,
            ip=client_ip(request),
            before=before,
            after={k: form.cleaned_data.get(k) for k in form.changed_data},
        )


# ---------------------------------------------------------------- 四眼原则 approval chains


class ApprovalStepFormSet(LabelledInlineFormSet):
    def clean(self):
        super().clean()
        kept = sorted(
            (f.cleaned_data["position"], f.cleaned_data["role"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        )
        if len(kept) < 2 or kept[0][1] != ApprovalStepRole.HANDLER:
            raise ValidationError(_("审批链须以“经办”开始，并至少还有一个由他人办理的环节（四眼原则）。"))


class ApprovalChainStepInline(TabularInline):
    model = ApprovalChainStep
    formset = ApprovalStepFormSet
    extra = 0
    min_num = 2


def _chain_json(chain: ApprovalChain) -> dict:
    return {
        "name": chain.name,
        "programme": chain.programme_id,
        "amount_above": chain.amount_above,
        "amount_up_to": chain.amount_up_to,
        "active": chain.active,
        "steps": [[s.position, s.role, s.holder] for s in chain.steps.order_by("position")],
    }


@admin.register(ApprovalChain)
class ApprovalChainAdmin(ModelAdmin):
    """审批链: edited here by system administrators; a proposal keeps the steps it was made with."""

    list_display = ("name", "programme", "amount_above_yuan", "amount_up_to_yuan", "active", "updated_at")
    amount_above_yuan = yuan_column("amount_above", _("金额高于"))
    amount_up_to_yuan = yuan_column("amount_up_to", _("金额不超过"))
    list_filter = ("active",)
    inlines = [ApprovalChainStepInline]

    def save_related(self, request, form, formsets, change):
        before = _chain_json(form.instance) if change else None
        super().save_related(request, form, formsets, change)
        audit_record(
            actor=request.user,
            action="review.approval_chain_save",
            target=form.instance,
            ip=client_ip(request),
            before=before,
            after=_chain_json(form.instance),
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            action="review.approval_chain_delete",
            target=obj,
            ip=client_ip(request),
            before=_chain_json(obj),
        )
        super().delete_model(request, obj)


@admin.register(AuthorisedApprover)
class AuthorisedApproverAdmin(ModelAdmin):
    """分管领导 authorised to hold the leader's step of a chain (staff accounts only)."""

    list_display = ("user", "title", "active", "granted_by", "granted_at")
    list_filter = ("active",)
    readonly_fields = ("granted_by", "granted_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role__in=[Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="review.authorised_approver_save",
            target=obj,
            ip=client_ip(request),
            after={"user": obj.user_id, "title": obj.title, "active": obj.active},
        )


class ProposalStepInline(TabularInline):
    model = ProposalStep
    extra = 0
    can_delete = False
    readonly_fields = ("position", "role", "holder", "acted_by", "acted_at", "verdict", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DecisionProposal)
class DecisionProposalAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "amount_yuan", "status", "chain", "proposed_by", "proposed_at")
    amount_yuan = yuan_column("amount", _("拟核定金额"))
    list_filter = ("status", "outcome")
    inlines = [ProposalStepInline]


@admin.register(CollectiveDecision)
class CollectiveDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting_name", "meeting_date", "programme", "recorded_by", "recorded_at")


@admin.register(ExpertScore)
class ExpertScoreAdmin(ReadOnlyAdmin):
    """专家评分: the criterion by its name (the label the expert scored against), never its code."""

    list_display = ("label", "assignment", "score", "max_score")
    search_fields = ("label",)
    raw_id_fields = ("assignment",)
    fields = ("assignment", "label", "score", "max_score", "comment")
