from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("政策、资金与算力券")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Policy, Programme
        from .site_selectors import site_units_forget

        for model in (Policy, Programme):  # the footer's units (site_selectors.site_units) are read from these
            post_save.connect(site_units_forget, sender=model, dispatch_uid=f"site-units-{model.__name__}-save")
            post_delete.connect(site_units_forget, sender=model, dispatch_uid=f"site-units-{model.__name__}-delete")
