"""The permission matrix: for every URL pattern of the project, who may do what.

Each entry is a list of cases; a case names the URL's arguments (objects of the standing cast,
tests/cast/: everything belongs to enterprise A unless it says otherwise), the data sent (valid
data for the state-changing requests, so that a refusal is a refusal of the actor and not of the
input) and, per method, the expected outcome for every member of the cast:

    "anon:login A:ok STAFF:ok *:404"

roles: anon owner_a agent_a owner_b reviewer (assigned to A's applications) reviewer_other
(unassigned) expert (sits on B's panel only) admin (bureau administrator) provider — the staff are
Huangpu's, the district of everything of A — and reviewer_th admin_th (the Tianhe bureau); aliases A
(A's owner and agent), ENT (A and B), REV (both Huangpu reviewers), STAFF (both Huangpu reviewers and
the administrator), TH (the Tianhe reviewer and administrator), USERS (everyone signed in); `*` = the
roles not named before it.
outcomes: ok (allowed: 2xx, 3xx elsewhere than a login page, or 400/409/422 when the input is
refused), login (sent to sign in), 401, 403, 404, 405, no (any refusal).

The entries are kept by area, one module each (portal, vouchers, payments, applications, reviews,
experts, letters, proactive); cases.py holds the notation's helpers and shared expectations,
bodies.py the request bodies. A pattern added to the project without an entry in one of them fails
the matrix test with its name."""

from __future__ import annotations

from .applications import APPLICATIONS
from .cases import Case
from .experts import EXPERTS
from .letters import LETTERS
from .payments import PAYMENTS
from .portal import PORTAL
from .proactive import PROACTIVE
from .reviews import REVIEWS
from .vouchers import VOUCHERS

AREAS: tuple[dict[str, list[Case]], ...] = (
    PORTAL,
    VOUCHERS,
    PAYMENTS,
    APPLICATIONS,
    REVIEWS,
    EXPERTS,
    LETTERS,
    PROACTIVE,
)

MATRIX: dict[str, list[Case]] = {}
for _area in AREAS:
    # one entry per pattern: a pattern in two areas would silently keep only the later one
    _twice = sorted(set(MATRIX) & set(_area))
    if _twice:
        raise ValueError(f"patterns with an entry in two areas of the matrix: {', '.join(_twice)}")
    MATRIX.update(_area)

__all__ = ["MATRIX", "Case"]
