"""reviews' tables: the review records (assignments, expert scores, decisions,
public notices and objections), the approval chains of the decisions and the official letters."""

from .approvals import (  # noqa: E402,F401
    ApprovalChain,
    ApprovalChainStep,
    ApprovalStepRole,
    AuthorisedApprover,
    CollectiveDecision,
    DecisionProposal,
    ProposalStep,
)
from .letters import Letter, LetterIssuer, LetterSeries  # noqa: E402,F401
from .parties import PartyConfirmation  # noqa: E402,F401
from .ratings import ServiceRating  # noqa: E402,F401
from .review import (  # noqa: E402,F401
    Decision,
    ExpertAssignment,
    ExpertRelation,
    ExpertScore,
    Objection,
    PublicNotice,
    PublicNoticeEntry,
    ReviewAssignment,
)
