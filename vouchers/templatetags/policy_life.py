"""{{ policy|policy_life }}: the state of a policy in its life (vouchers.lifecycle.policy_state)."""

from __future__ import annotations

from django import template

from ..lifecycle import PolicyState, policy_state

register = template.Library()


@register.filter
def policy_life(policy) -> PolicyState:
    return policy_state(policy)
