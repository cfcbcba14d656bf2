"""What vouchers knows of applications' states, given by applications when it starts
(applications.apps): the states with their labels in workflow order, how the budget overview groups
them into columns, and which state is the batch awaiting the bureau's decision. vouchers imports
nothing of applications and copies none of its state names; it reads applications' rows only
through the relation applications declares on Programme (Programme.applications)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Label = str | Promise


@dataclass(frozen=True)
class ApplicationStates:
    choices: tuple[tuple[str, Label], ...]  # every state and its label, in workflow order
    groups: tuple[tuple[str, Label, tuple[str, ...]], ...]  # the budget overview's columns: key, label, states
    awaiting_decision: str  # 实质审核中: the batch the oversubscription remedies are computed on


_given: list[ApplicationStates] = []


def application_states_give(states: ApplicationStates) -> None:
    """Called once by applications at start-up (AppConfig.ready)."""
    _given[:] = [states]


def application_states() -> ApplicationStates:
    if not _given:
        raise ImproperlyConfigured("applications has not given vouchers its states (applications.apps.ready)")
    return _given[0]
