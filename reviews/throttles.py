"""Limits on what anyone may send without an account: objections during a public notice, through
the page or the API, counted together per client address in the cache (Redis in production)."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle


class ObjectionThrottle(AnonRateThrottle):
    """At most 30 objections an hour from one address (signed-in users are not limited)."""

    scope = "objection"
    rate = "30/hour"


def objection_allowed(request) -> bool:
    """For the page form: counts this attempt like the API does and says whether it may go on."""
    return ObjectionThrottle().allow_request(request, None)
