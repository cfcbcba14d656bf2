"""The cast's review outcomes after the decision: the approval letter and the four eyes' proposal and
collective decision."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from portal.models import User
from tests.approvals import propose

from .base import PDF, _submitted, _upload


def _four_eyes(o: dict, users: dict, *, owner_a, standard, competitive, window) -> None:
    """四眼: A's decision (a decline) proposed by the assigned reviewer and waiting for 复核 (an administrator);
    A's approved application of the competitive programme awaiting its notice (made directly: the
    panel's path is the cast's a_expert) with its collective decision (集体决策) and signed minutes."""
    from reviews.services import assignments, formal
    from reviews.services.collective import collective_decision_record

    reviewer, admin = users["reviewer"], users["admin"]
    o["a_proposed"] = _submitted(standard, owner_a, n=9)
    assignments.reviewer_assign(actor=admin, application=o["a_proposed"], reviewer=reviewer)
    formal.formal_review_pass(actor=reviewer, application=o["a_proposed"], note="材料齐全，符合申报条件。")
    # A's earlier vouchers exhaust its 500,000 of the period: the reviewer proposes to decline
    o["proposal"] = propose(
        actor=reviewer,
        application=o["a_proposed"],
        outcome="decline",
        reason="政策有效期内已获算力券支持累计达50万元上限。",
        comment="拟不予支持。",
    )
    o["a_proposed"].refresh_from_db()
    now = timezone.now()
    o["a_competitive_approved"] = Application.objects.create(
        reference=f"GZAI-{timezone.localdate().year}-900009",
        enterprise=o["enterprise_a"],
        programme=competitive,
        window=window,
        state=State.APPROVED_PENDING_NOTICE,
        title="工业质检垂直大模型",
        created_by=owner_a,
        submitted_at=now,
        declared_at=now,
        declared_by=owner_a,
        inputs={"compute_spend": "2000000"},
    )
    o["collective_decision"] = collective_decision_record(
        actor=admin,
        programme=competitive,
        application_ids=[o["a_competitive_approved"].pk],
        meeting_name="2026年第5次局务会议",
        meeting_date=timezone.localdate(),
        attendees="张局长（主持）\n李副局长",
        minutes="审议拟支持名单，同意予以支持。",
        upload=_upload("minutes.pdf"),
    )


def _letters(o: dict, admin: User, *, render: bool) -> None:
    from reviews.letters.services import letter_create, letter_generate_now
    from reviews.models import Letter

    with transaction.atomic():
        letter = letter_create(application=o["a_approved"], kind=Letter.Kind.APPROVAL, actor=admin)
    if render:
        letter = letter_generate_now(letter_id=letter.pk)
    else:  # a stand-in PDF, stored like the real one
        letter.pdf.save(f"{letter.year}/{letter.pk:08d}-{letter.code}.pdf", ContentFile(PDF), save=False)
        Letter.objects.filter(pk=letter.pk).update(
            pdf=letter.pdf.name,
            sha256=hashlib.sha256(PDF).hexdigest(),
            size=len(PDF),
            status=Letter.Status.READY,
            generated_at=timezone.now(),
        )
        letter.refresh_from_db()
    o["letter"] = letter
    with transaction.atomic():
        o["letter_supplement"] = letter_create(application=o["a_supplement"], kind=Letter.Kind.SUPPLEMENT, actor=admin)
