"""Writes on enterprises and applications. Each service owns its transaction, checks the actor,
writes the audit event in the same transaction and enqueues follow-up work on commit.

The package's modules: transitions (the one transition service, locks, timeline), enterprises,
guards, drafts, attachments, submission. Callers import from here."""

from __future__ import annotations

from .attachments import attachment_add, attachment_remove
from .auto import application_auto_confirm, application_file_auto
from .drafts import DraftSaved, application_create, application_save_draft, reference_next, refresh_estimate
from .enterprises import ENTERPRISE_FIELDS, enterprise_register
from .guards import require_applicant, require_applicant_of, require_editable
from .submission import application_resubmit, application_submit, application_withdraw, submission_problems
from .supplements import supplement_request_answer, supplement_request_record
from .transitions import (
    KEEP,
    TransitionRefused,
    actor_kinds,
    application_lock,
    application_lock_for_change,
    application_transition,
    applications_lock,
    timeline_add,
    transition_check,
)

__all__ = [
    "supplement_request_answer",
    "supplement_request_record",
    "DraftSaved",
    "ENTERPRISE_FIELDS",
    "KEEP",
    "TransitionRefused",
    "actor_kinds",
    "application_auto_confirm",
    "application_file_auto",
    "application_create",
    "application_lock",
    "application_lock_for_change",
    "application_resubmit",
    "application_save_draft",
    "application_submit",
    "application_transition",
    "application_withdraw",
    "applications_lock",
    "attachment_add",
    "attachment_remove",
    "enterprise_register",
    "reference_next",
    "refresh_estimate",
    "require_applicant",
    "require_applicant_of",
    "require_editable",
    "submission_problems",
    "timeline_add",
    "transition_check",
]
