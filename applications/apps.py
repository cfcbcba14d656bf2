from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vouchers.application_states import ApplicationStates, application_states_give

from .workflow import BUDGET_GROUPS, State


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("企业与申报")

    def ready(self) -> None:
        # vouchers' budget pages count applications by state without naming them (imports point one way)
        application_states_give(ApplicationStates(choices=tuple(State.choices), groups=BUDGET_GROUPS,
                                                  awaiting_decision=State.BUREAU_REVIEW))
