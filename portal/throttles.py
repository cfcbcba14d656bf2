"""Limits counted per client address (the one address of portal.middleware.client_address, read
through portal.audit.client_ip), for everyone alike: signed in or not, one address has one count."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from .audit import client_ip


class AddressRateThrottle(SimpleRateThrottle):
    """A DRF throttle whose key is the client's address, never the account: a subclass names its
    `scope` and its `rate` ("30/hour")."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


def allowed(throttle_class: type[AddressRateThrottle], request) -> bool:
    """For a page (not an API view): count this attempt like the API does and say whether it may go on."""
    return throttle_class().allow_request(request, None)
