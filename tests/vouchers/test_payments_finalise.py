"""When an award becomes final (公示期满, reviews.notice_finalize) its payment schedule is made from the
approval letter, carrying the letter's number into the purpose of the payment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.workflow import State
from reviews.models import Letter
from reviews.selectors import decision_estimate
from reviews.services import notices
from tests.approvals import approve, collective
from tests.reviews.conftest import assign_to, make_app, make_pool
from vouchers.models import Award

pytestmark = pytest.mark.django_db


def finalise(app, reviewer, admin) -> None:
    approve(actor=reviewer, application=app, amount=str(decision_estimate(app).amount))
    if app.programme.review_path == "competitive":
        collective(actor=admin, applications=[app])  # 集体决策 before the notice
    notice = notices.notice_publish(actor=admin, application_ids=[app.pk])
    type(notice).objects.filter(pk=notice.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=20), ends_on=timezone.localdate() - dt.timedelta(days=2)
    )
    notices.notice_finalize(application=app, actor=admin)


def test_a_final_award_is_due_with_the_letter_number(catalogue, enterprise_a, owner_a, reviewer, bureau_admin):
    programme = catalogue["hp-model-genai-filing"]
    make_pool(programme, timezone.localdate().year)
    app = make_app(
        enterprise_a,
        programme,
        state=State.BUREAU_REVIEW,
        inputs={"first_national_genai_filing": True, "demonstration_scenario": True},
    )
    assign_to(app, reviewer)
    finalise(app, reviewer, bureau_admin)
    letter = Letter.objects.get(application=app, kind="approval")
    [tranche] = Award.objects.get(application=app).tranches.all()
    assert (tranche.status, tranche.amount, tranche.document_number) == ("due", letter.amount, letter.number)


def test_a_staged_award_without_letter_tranches_waits_for_its_schedule(
    catalogue, enterprise_a, owner_a, reviewer, bureau_admin
):
    programme = catalogue["hp-transformation-center"]
    make_pool(programme, timezone.localdate().year)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"investment": "5000000"})
    assign_to(app, reviewer)
    finalise(app, reviewer, bureau_admin)
    award = Award.objects.get(application=app)
    assert award.status == "committed" and not award.tranches.exists()
