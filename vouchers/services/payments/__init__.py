"""拨付 paying awards: the tranche schedule of each award, acceptance reports (验收) that make a later
tranche due, payment batches (拨付批次) prepared by one administrator and approved by another, and the
bank's result of each line — paid (a ledger disbursement, `tranche_disburse`) or failed (the tranche is
due again). Nothing is half-recorded: every service checks all its input first and writes in one
transaction.

When a tranche is due (平台口径): the first tranche of every schedule when the award becomes final (核定
生效, the award committed); each later tranche of a staged programme (分阶段拨付) when the bureau approves
the enterprise's acceptance report for it. A schedule comes from the approval letter's tranches
(reviews calls `award_schedules_create` when the award becomes final); without them a programme paid in
one sum has one tranche of the whole amount, and a staged programme waits for an administrator to set
its schedule (`award_schedule_set`).

Modules: schedules (tranches and acceptance), batches (batches and their results). Callers import
from here."""

from __future__ import annotations

from .batches import (
    LineResult,
    batch_approve,
    batch_cancel,
    batch_export_record,
    batch_lines_for_results,
    batch_prepare,
    batch_results_record,
    result_problems,
)
from .schedules import (
    MAX_LINES,
    acceptance_decide,
    acceptance_submit,
    award_schedule_set,
    award_schedules_create,
    award_tranches_cancel,
    payable_award,
)

__all__ = [
    "LineResult",
    "MAX_LINES",
    "acceptance_decide",
    "acceptance_submit",
    "award_schedule_set",
    "award_schedules_create",
    "award_tranches_cancel",
    "batch_approve",
    "batch_cancel",
    "batch_export_record",
    "batch_lines_for_results",
    "batch_prepare",
    "batch_results_record",
    "payable_award",
    "result_problems",
]
