"""复核 a whole published 免申 batch at once: the second administrator approves the next step of every
pending money decision the batch proposed, with one comment (四眼原则: each step is checked as if alone
by reviews.services.approvals, so the proposer is still refused). Up to REVIEW_IN_REQUEST_MAX proposals
are approved in the request; a bigger batch is handed to a Celery task whose progress the batch page and
the API show, as publishing is (services_auto). Each approval is its own transaction: a task stopped
half-way leaves the approved ones approved, and running it again approves the rest."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.models import User
from portal.permissions import may_run_auto_awards, require, require_district
from reviews.models import DecisionProposal
from reviews.services.approvals import proposals_approve_many
from reviews.services.assignments import BulkResult

from .models import AutoAwardBatch
from .services_auto import background_queue, background_run, progress_key

REVIEW_IN_REQUEST_MAX = 100
CHUNK = 50  # proposals approved between two progress reports


def pending_review(batch_id: int) -> QuerySet[DecisionProposal]:
    """The batch's money decisions still waiting for a step, oldest first."""
    return DecisionProposal.objects.filter(
        application__auto_candidate__batch_id=batch_id, status=DecisionProposal.Status.PENDING
    ).order_by("pk")


def _review_check(actor, batch: AutoAwardBatch, comment: str) -> list[int]:
    require(may_run_auto_awards(actor), _("只有主管部门管理员可以复核免申即享批次。"))
    require_district(actor, batch.programme.policy.district)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("请填写审批意见（如“同意”）。")})
    if batch.state != AutoAwardBatch.State.PUBLISHED:
        raise ValidationError(_("只有已发布、待审批的批次可以整批复核。"))
    ids = list(pending_review(batch.pk).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("该批次没有待审批的拟办意见。"))
    if pending_review(batch.pk).filter(proposed_by=actor).exists():
        raise ValidationError(_("该批次的拟办意见由您提出，须由另一位管理员复核（四眼原则）。"))
    return ids


def auto_batch_review_request(
    *, actor, batch: AutoAwardBatch, comment: str, ip: str | None = None
) -> list[BulkResult] | None:
    """整批复核 as the page and the API ask for it: the results now for a small batch, None when a task
    was queued for a big one (a second request meanwhile is refused)."""
    ids = _review_check(actor, batch, comment)
    if len(ids) <= REVIEW_IN_REQUEST_MAX:
        return proposals_approve_many(actor=actor, proposal_ids=ids, comment=comment, ip=ip)
    background_queue(batch.pk, "review", len(ids), actor_id=actor.pk, comment=comment, ip=ip)
    return None


def auto_batch_review_run(*, batch_id: int, actor_id: int, comment: str, ip: str | None = None) -> int:
    """The Celery task's work: approve the next step of every proposal of the batch still pending, a chunk
    at a time, keeping the progress for the page. Returns the number approved."""
    ids = list(pending_review(batch_id).values_list("pk", flat=True))
    if not ids:
        cache.delete(progress_key(batch_id))
        return 0
    actor = User.objects.get(pk=actor_id)

    def work(progress) -> int:
        approved = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            approved += sum(
                r.ok for r in proposals_approve_many(actor=actor, proposal_ids=chunk, comment=comment, ip=ip)
            )
            progress(start + len(chunk))
        return approved

    return background_run(batch_id, "review", len(ids), work)
