from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .admin_display import coded_filter, named_column
from .admin_forms import LabelledFormsMixin, ModelAdmin
from .admin_values import machine_text
from .audit import SYSTEM_ACTOR, client_ip
from .audit_labels import audit_action_label, audit_target_label
from .models import AuditEvent, CalendarDay, CalendarYear, Notification, User
from .services_calendar import (
    arrangement_check,
    calendar_arrangement_set,
    calendar_correction_delete,
    calendar_correction_set,
    parse_day_lines,
)
from .workdays import official_is_workday


class PasswordSummaryWidget(ReadOnlyPasswordHashWidget):
    """The stored password's summary (algorithm, masked salt and hash) as the machine data it is: a
    masked salt such as "Ri****" is no word of any language (portal.admin_values.machine_text)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for entry in context.get("summary", []):
            if entry.get("value"):
                entry["value"] = machine_text(entry["value"])
        return context


class UserChangeForm(BaseUserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordSummaryWidget(self.fields["password"].widget.attrs)


@admin.register(User)
class UserAdmin(LabelledFormsMixin, BaseUserAdmin):
    # 所属区域: a reviewer, expert or bureau administrator must have one (User.clean)
    list_display = ("email", "full_name", "role", "district", "is_active", "email_confirmed_at", "last_login")
    list_filter = ("role", "district", "is_active")
    search_fields = ("email", "full_name", "username", "phone")
    ordering = ("email",)
    form = UserChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email", "phone", "role", "district", "email_confirmed_at")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "full_name", "role", "district", "password1", "password2"),
            },
        ),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("created_at", "actor_name", "action_name", "target_name", "target_id", "ip_address")
    list_filter = (
        coded_filter("action", _("操作"), audit_action_label),
        coded_filter("target_type", _("对象类型"), audit_target_label),
    )
    search_fields = ("actor_label", "target_id", "action", "note")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "actor_name", "action_name", "target_name", "target_id", "ip_address")
    fields += ("before", "after", "note")
    readonly_fields = ("actor_name", "action_name", "target_name")
    actor_name = named_column("actor_label", _("操作人"), {SYSTEM_ACTOR: _("系统")})
    action_name = named_column("action", _("操作"), audit_action_label)
    target_name = named_column("target_type", _("对象类型"), audit_target_label)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "subject", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("subject", "recipient__email")
    raw_id_fields = ("recipient",)


class CalendarYearForm(forms.ModelForm):
    rest_days = forms.CharField(
        label=_("休息日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "每行一个日期或日期范围及节日名称，如“2027-02-05..2027-02-11 春节”；须列出调休放假的日期，"
            "法定节假日可不列。"
        ),
    )
    workdays = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个日期及节日名称，如“2027-02-20 春节”。"),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "document", "confirmed", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            rows = list(self.instance.days.order_by("date").values_list("date", "is_workday", "note"))
            self.initial["rest_days"] = "\n".join(f"{d} {n}".strip() for d, w, n in rows if not w)
            self.initial["workdays"] = "\n".join(f"{d} {n}".strip() for d, w, n in rows if w)
            self.fields["year"].disabled = True

    def clean(self):
        data = super().clean()
        try:
            data["rest_list"] = parse_day_lines(data.get("rest_days", ""), "rest_days")
            data["work_list"] = parse_day_lines(data.get("workdays", ""), "workdays")
            if data.get("year"):
                arrangement_check(
                    year=data["year"],
                    rest_days=data["rest_list"],
                    workdays=data["work_list"],
                    document=data.get("document", ""),
                )
        except ValidationError as error:
            raise ValidationError(error.message_dict) from None
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(ModelAdmin):
    """年度放假安排: the State Council's yearly arrangement, entered from its notice; saving it confirms
    the year and recomputes every open deadline (portal.services_calendar). Withdraw an entry by
    unticking 已确认 (the year becomes provisional again), never by deleting it."""

    form = CalendarYearForm
    list_display = ("year", "confirmed", "document", "rest_count", "work_count", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")
    fields = ("year", "document", "confirmed", "rest_days", "workdays", "note", "entered_by", "entered_at")

    @admin.display(description=_("休息日"))
    def rest_count(self, obj):
        return obj.days.filter(is_workday=False).count()

    @admin.display(description=_("调休上班日"))
    def work_count(self, obj):
        return obj.days.filter(is_workday=True).count()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        entry = calendar_arrangement_set(
            actor=request.user,
            year=obj.year,
            rest_days=data["rest_list"],
            workdays=data["work_list"],
            document=data["document"],
            note=data.get("note", ""),
            confirmed=data["confirmed"],
            ip=client_ip(request),
        )
        obj.pk, obj._state.adding = entry.pk, False
        obj.entered_by, obj.entered_at = entry.entered_by, entry.entered_at


@admin.register(CalendarDay)
class CalendarDayAdmin(ModelAdmin):
    """工作日历调整: administrators' corrections of single days, which win over everything else; the
    days of the yearly arrangements are listed too (edited with their year). Every review deadline
    (portal.workdays) follows them."""

    list_display = ("date", "weekday", "is_workday", "source", "official", "note")
    list_filter = ("source", "is_workday")
    search_fields = ("note",)
    date_hierarchy = "date"
    fields = ("date", "is_workday", "note")

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    @admin.display(description=_("官方日历"))
    def official(self, obj):
        return _("工作日") if official_is_workday(obj.date) else _("休息日")

    def get_readonly_fields(self, request, obj=None):
        return ("date",) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.source == CalendarDay.Source.ADMINISTRATOR
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.source == CalendarDay.Source.ADMINISTRATOR
        )

    def save_model(self, request, obj, form, change):
        row = calendar_correction_set(
            actor=request.user, date=obj.date, is_workday=obj.is_workday, note=obj.note, ip=client_ip(request)
        )
        obj.pk, obj._state.adding, obj.source = row.pk, False, row.source

    def delete_model(self, request, obj):
        if obj.source == CalendarDay.Source.ADMINISTRATOR:
            calendar_correction_delete(actor=request.user, date=obj.date, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset.filter(source=CalendarDay.Source.ADMINISTRATOR):
            self.delete_model(request, obj)
