"""The anonymous policy calculator (政策计算器: the estimate API and page) is limited per client
address, generously: a person filling the form, or an office behind one address, never meets the
limit; a script estimating in bulk does."""

from __future__ import annotations

from portal.throttles import AddressRateThrottle


class EstimateThrottle(AddressRateThrottle):
    """At most 1,200 estimates an hour from one address (the page and the API together)."""

    scope = "estimate"
    rate = "1200/hour"
