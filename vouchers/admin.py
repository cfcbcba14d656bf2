from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_display import coded_filter, named_column, yuan_column
from portal.admin_forms import ModelAdmin, TabularInline
from portal.admin_values import json_labels_add
from portal.audit import client_ip

from .calculator import LINE_LABELS
from .calculator.spec import CAP_LABELS
from .display import PARAM_LABELS, note_for_readers, param_label, param_text
from .lifecycle import window_check
from .models import ApplicationWindow, Award, BudgetPool, LedgerEntry, ParameterValue, Policy, Programme
from .services.catalogue import parameter_set, window_open

# the parameters' names in the JSON columns the admin shows (an award's parameters and explanation)
json_labels_add(lambda key: PARAM_LABELS.get(key) or CAP_LABELS.get(key))


def _catalogue_label(key: str) -> str | None:
    """An input's or a review criterion's name in the catalogue (scores and inputs in audit rows)."""
    for inputs, criteria in Programme.objects.values_list("inputs", "criteria"):
        for item in [*(inputs or []), *(criteria or [])]:
            if isinstance(item, dict) and key in (item.get("name"), item.get("code")):
                return item.get("label_zh")
    return None


json_labels_add(_catalogue_label)


@admin.register(Policy)
class PolicyAdmin(ModelAdmin):
    list_display = ("title", "document_number", "status", "valid_from", "valid_to")  # the code stays internal


class _ReadOnlyInline(TabularInline):
    """Shown for reference; changes go through the ParameterValue / ApplicationWindow pages, whose
    saves call the audited services."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParameterInline(_ReadOnlyInline):
    model = ParameterValue
    fields = ("name_label", "value_text", "effective_from", "clause", "note_text")
    readonly_fields = fields
    name_label = named_column("name", _("参数"), param_label)

    @admin.display(description=_("参数值"))
    def value_text(self, obj) -> str:
        return param_text(obj.name, obj.value)

    @admin.display(description=_("说明"))
    def note_text(self, obj) -> str:
        return note_for_readers(obj.note) or "—"


class WindowInline(_ReadOnlyInline):
    model = ApplicationWindow
    fields = ("name", "opens_at", "closes_at")


@admin.register(Programme)
class ProgrammeAdmin(ModelAdmin):
    list_display = ("name_zh", "policy", "kind", "review_path", "is_voucher")
    list_filter = ("policy", "kind", "review_path")
    search_fields = ("code", "name_zh")
    inlines = [ParameterInline, WindowInline]


class ParameterValueForm(forms.ModelForm):
    """Field checks for a friendly form; parameter_set (called on save) remains the authority."""

    class Meta:
        model = ParameterValue
        fields = ("programme", "name", "value", "effective_from", "clause", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "clause" in self.fields:
            self.fields["clause"].required = True

    def clean(self):
        data = super().clean()
        programme = data.get("programme") or (self.instance.programme if self.instance.pk else None)
        name = data.get("name") or self.instance.name
        if programme and name and not programme.parameters.filter(name=name).exists():
            self.add_error(
                "name" if "name" in self.fields else None,
                _("项目 %(code)s 没有参数 %(name)s。") % {"code": programme.code, "name": name},
            )
        if data.get("value") is not None and data["value"] < 0:
            self.add_error("value", _("参数值不能为负数。"))
        return data


@admin.register(ParameterValue)
class ParameterValueAdmin(ModelAdmin):
    """A parameter from a date (annual guideline): saved through parameter_set, audited. Existing rows
    keep their programme, name and date; dated values are never deleted (awards cite them)."""

    form = ParameterValueForm
    list_display = ("programme", "name_label", "value_text", "effective_from", "created_by")
    list_filter = ("programme__policy", "programme", coded_filter("name", _("参数"), param_label))
    name_label = named_column("name", _("参数"), param_label)

    @admin.display(description=_("参数值"), ordering="value")
    def value_text(self, obj) -> str:
        return param_text(obj.name, obj.value)

    def get_fields(self, request, obj=None):
        # an existing row keeps its programme, parameter and date: the parameter shown by its name
        return (
            ("programme", "name_label", "value", "effective_from", "clause", "note")
            if obj
            else super().get_fields(request, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        return ("programme", "name_label", "effective_from") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        row = parameter_set(
            actor=request.user,
            programme=obj.programme,
            name=obj.name,
            value=obj.value,
            effective_from=obj.effective_from,
            clause=obj.clause,
            note=obj.note,
            ip=client_ip(request),
        )
        obj.pk = row.pk
        obj._state.adding = False


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(ModelAdmin):
    """Windows are opened through window_open (audited); an opened window is not edited here."""

    list_display = ("programme", "name", "kind", "opens_at", "closes_at")
    list_filter = ("kind", "programme")

    def get_readonly_fields(self, request, obj=None):
        return ("programme", "name", "kind", "opens_at", "closes_at") if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class Checked(form):  # the window rules of vouchers.lifecycle, as field errors
            def clean(self):
                data = super().clean()
                data["kind"] = data.get("kind") or ApplicationWindow.Kind.ORDINARY
                if data.get("programme") and data.get("opens_at") and data.get("closes_at"):
                    window_check(
                        programme=data["programme"],
                        kind=data.get("kind") or "ordinary",
                        opens_at=data["opens_at"],
                        closes_at=data["closes_at"],
                    )
                return data

        Checked.base_fields["kind"].required = False  # ordinary unless a claim window is chosen
        return Checked

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        window = window_open(
            actor=request.user,
            programme=obj.programme,
            name=obj.name,
            opens_at=obj.opens_at,
            closes_at=obj.closes_at,
            kind=obj.kind,
        )
        obj.pk = window.pk
        obj._state.adding = False


@admin.register(BudgetPool)
class BudgetPoolAdmin(ModelAdmin):
    list_display = ("programme", "fiscal_year", "amount_yuan", "reserved_yuan", "committed_yuan", "disbursed_yuan")
    list_filter = ("fiscal_year", "programme__policy")
    readonly_fields = ("reserved_yuan", "committed_yuan", "disbursed_yuan")
    amount_yuan = yuan_column("amount", _("预算额度"))
    reserved_yuan = yuan_column("reserved", _("已预留"))
    committed_yuan = yuan_column("committed", _("已核定"))
    disbursed_yuan = yuan_column("disbursed", _("已拨付"))


@admin.register(Award)
class AwardAdmin(ModelAdmin):
    list_display = (
        "application",
        "line_name",
        "enterprise",
        "programme",
        "amount_yuan",
        "disbursed_yuan",
        "status",
        "decided_on",
    )
    line_name = named_column("line", _("奖励对象"), {**LINE_LABELS, "": _("申报单位")})
    amount_yuan = yuan_column("amount", _("核定金额"))
    disbursed_yuan = yuan_column("disbursed", _("已拨付"))
    list_filter = ("status", "programme", "fiscal_year")
    raw_id_fields = ("application", "enterprise", "pool")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ModelAdmin):
    list_display = ("created_at", "pool", "award", "kind", "amount_yuan", "reference")
    amount_yuan = yuan_column("amount", _("金额"))
    list_filter = ("kind", "pool__fiscal_year")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
