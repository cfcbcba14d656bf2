"""Every model of the portal's apps appears in the Django admin. Models whose app registers no
admin of its own get a read-only one here: their rows change only through the services (which
audit them), so the admin shows them for inspection and search, never for editing."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.db import models

from .admin_forms import ModelAdmin

PORTAL_APPS = ("portal", "applications", "vouchers", "reviews")
SHOWN_FIELD_TYPES = (
    models.CharField,
    models.DecimalField,
    models.IntegerField,
    models.DateField,
    models.BooleanField,
    models.ForeignKey,
)


class ReadOnlyModelAdmin(ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _admin_for(model) -> type[ModelAdmin]:
    fields = [f for f in model._meta.concrete_fields if isinstance(f, SHOWN_FIELD_TYPES)]
    display = ["__str__"] + [f.name for f in fields if not isinstance(f, models.ForeignKey)][:6]
    chars = [f.name for f in fields if isinstance(f, models.CharField)][:4]
    fks = [f.name for f in fields if isinstance(f, models.ForeignKey)]
    attrs = {
        "list_display": display,
        "search_fields": chars,
        "raw_id_fields": fks,
        "list_select_related": bool(fks),
        "__module__": __name__,
    }
    return type(f"{model.__name__}ReadOnlyAdmin", (ReadOnlyModelAdmin,), attrs)


def register_remaining(site: admin.AdminSite = admin.site) -> list[str]:
    added = []
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models():
            if model not in site._registry:
                site.register(model, _admin_for(model))
                added.append(model._meta.label)
    return added
