from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    """政策找企业 policy finds the enterprise: 一企一档 enterprise facts, matching and push."""

    name = "proactive"
    verbose_name = _("政策找企业")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (rerun matching when parameters or windows change)
