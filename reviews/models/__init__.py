"""reviews' tables: the review records (assignments, expert scores, supplement requests, decisions,
public notices and objections) and the official letters."""

from .letters import Letter, LetterSeries  # noqa: E402,F401
from .parties import PartyConfirmation  # noqa: E402,F401
from .review import (  # noqa: E402,F401
    Decision,
    ExpertAssignment,
    ExpertRelation,
    ExpertScore,
    Objection,
    PublicNotice,
    PublicNoticeEntry,
    ReviewAssignment,
    SupplementItem,
    SupplementRequest,
)
