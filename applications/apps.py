from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vouchers.application_terms import ApplicationTerms, application_terms_give

from .workflow import BUDGET_GROUPS, State


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("企业与申报")

    def ready(self) -> None:
        from .models import ProjectClaim  # models are loaded only once the registry is ready

        # vouchers counts applications by state and checks claimed invoices without naming either
        # (imports point one way: applications → vouchers)
        application_terms_give(
            ApplicationTerms(
                states=tuple(State.choices),
                budget_groups=BUDGET_GROUPS,
                awaiting_decision=State.BUREAU_REVIEW,
                invoice_claim=ProjectClaim.Kind.INVOICE,
            )
        )
