"""The standing cast as a full scenario, for the permission matrix, the API fuzzing and the fault tests.

`cast_build()` makes, through the real services wherever they exist (ORM otherwise):

- enterprise A with its owner and an agent, and applications of A in many states: a draft with its
  files, submitted (unassigned), in formal review, returned for supplement, in substantive (bureau)
  review, in expert review (a panel without the cast's expert), in public notice with an objection,
  approved (award committed, approval letter with its PDF, a voucher with a pending redemption);
- enterprise B with its owner and an application in expert review on which the cast's expert sits
  (so the expert is "assigned elsewhere" for everything of A);
- an assigned reviewer (of A's applications) and an unassigned one, the bureau administrator, and a
  compute provider's user (linked to a provider of the catalogue); all the staff are Huangpu's (所属区域
  huangpu, the district of hp2025, under which everything of A is), besides a Tianhe reviewer and a
  Tianhe bureau administrator (reviewer_th, admin_th: th2024's district), for whom every Huangpu object
  is another district's;
- a two-party application of B (th-scenario-demo) naming A as the buyer, A's confirmation pending;
- an invitation of A (with the raw token of its link), an inbox message of A's owner, a budget pool,
  and an API token for every user;
- four eyes (`_four_eyes`): A's decision (a decline) proposed by the assigned reviewer, waiting for 复核 by an
  administrator; an approved application of A's under the competitive programme with its collective
  decision (集体决策) and signed minutes;
- A's money after the decision (`_payments`): a verified receiving account and a change waiting, a staged
  award with a draft payment batch and an acceptance report waiting, a paid award partly clawed back;
- 实名核验 (`_verification`): enterprise C registered by its claimant with the licence, unverified, its
  claim in the bureau's queue; a contested claim on A's code by an outsider; A's request to change a
  fact (industry) with its evidence, waiting.

Every object the matrix needs is an attribute of the returned `Cast`; `cast.users` maps each role of
the matrix (anonymous included, as None) to its user.

The package: base.py (roles, programmes, `Cast`, the application helpers), build.py (`cast_build`),
and the parts it calls: reviews.py (letters, four eyes), money.py (voucher, payments), enterprises.py
(proactive, verification, pre-approval, two-party, invitation)."""

from __future__ import annotations

from applications.workflow import State

from .base import COMPETITIVE, DRAFT, PDF, ROLES, STANDARD, Cast, _draft, _maximum, _submitted, attachment_of
from .build import cast_build

__all__ = [
    "COMPETITIVE",
    "DRAFT",
    "PDF",
    "ROLES",
    "STANDARD",
    "Cast",
    "State",
    "_draft",
    "_maximum",
    "_submitted",
    "attachment_of",
    "cast_build",
]
