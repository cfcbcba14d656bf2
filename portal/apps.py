from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("账户与审计")

    def ready(self) -> None:
        from . import checks, dbtypes, signals  # noqa: F401
        from .admin_names import name_boolean_icons, name_third_party_apps
        from .admin_readonly import register_remaining
        from .admin_values import readable_json_fields

        dbtypes.connect()
        register_remaining()
        name_third_party_apps()
        name_boolean_icons()
        readable_json_fields()
        from .outbox import outbox_warm

        outbox_warm()  # the in-process task registry, loaded off the request path
