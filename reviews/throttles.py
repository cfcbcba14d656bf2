"""Limits on what anyone may send during a public notice: objections, through the page or the API,
counted together per client address in the cache (Redis in production), signed in or not."""

from __future__ import annotations

from portal.throttles import AddressRateThrottle, allowed


class ObjectionThrottle(AddressRateThrottle):
    """At most 30 objections an hour from one address, whoever sends them."""

    scope = "objection"
    rate = "30/hour"


def objection_allowed(request) -> bool:
    """For the page form: counts this attempt like the API does and says whether it may go on."""
    return allowed(ObjectionThrottle, request)
