"""Reads of the review workflow, scoped to the actor. Staff see applications through
applications.selectors; experts see only the applications assigned to them; the public sees only
public notices (enterprise name, programme, amount).

Modules: queue (and deadlines), application, experts (and panels), decision, batches, notices.
Callers import from here."""

from __future__ import annotations

from .application import current_decision, review_application_get, supplement_history
from .batches import batch_ranking
from .decision import (
    LIVE_AWARD,
    ZERO,
    claim_filter,
    confirmed_lines,
    conflicts_json,
    decision_context,
    decision_estimate,
    line_enterprises,
    line_label,
    project_conflicts,
)
from .experts import (
    SCORE_PLACES,
    conflict_refusal,
    expert_assignment_get,
    expert_assignments_for,
    expert_conflicts,
    expert_view_of,
    panel_means,
    panel_summary,
    related_enterprise_ids,
)
from .notices import (
    PENDING_READ,
    notice_get_for_staff,
    notice_public_entries,
    notice_rows_for_staff,
    notices_for_staff,
    notices_with_open_objections,
    objection_get,
    objections_for,
    pending_notice_groups,
    public_notice_get,
    public_notices,
)
from .queue import (
    FORMAL_CLOCK_STATES,
    QUEUE_VALUES,
    QueueFilters,
    calendar_for_queue,
    deadline_of,
    overdue_for,
    queue_for,
    queue_rows,
    queue_values,
    require_staff_reviewer,
    stage_deadline,
    with_deadline_fields,
)

__all__ = [
    "claim_filter",
    "FORMAL_CLOCK_STATES",
    "LIVE_AWARD",
    "PENDING_READ",
    "QUEUE_VALUES",
    "QueueFilters",
    "SCORE_PLACES",
    "ZERO",
    "batch_ranking",
    "calendar_for_queue",
    "confirmed_lines",
    "conflict_refusal",
    "conflicts_json",
    "current_decision",
    "deadline_of",
    "decision_context",
    "decision_estimate",
    "expert_assignment_get",
    "expert_assignments_for",
    "expert_conflicts",
    "expert_view_of",
    "line_enterprises",
    "line_label",
    "notice_get_for_staff",
    "notice_rows_for_staff",
    "notice_public_entries",
    "notices_for_staff",
    "notices_with_open_objections",
    "objection_get",
    "objections_for",
    "overdue_for",
    "panel_means",
    "panel_summary",
    "pending_notice_groups",
    "project_conflicts",
    "public_notice_get",
    "public_notices",
    "queue_for",
    "queue_rows",
    "queue_values",
    "stage_deadline",
    "related_enterprise_ids",
    "require_staff_reviewer",
    "review_application_get",
    "supplement_history",
    "with_deadline_fields",
]
