"""Probe (issue 12): 从高不重复 keeps the highest award of one project *of one enterprise*. Another
enterprise's claim on the same contract never declines an award already approved; the clash is
flagged to the bureau (the decision page, the refusal), and no applicant sees another enterprise's
name, application reference or amount (pages, API, notifications, letters)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.workflow import State
from portal.models import Notification
from reviews.models import Decision, Letter
from reviews.selectors import decision_context, project_conflicts
from tests.approvals import approve, decline
from tests.reviews.conftest import assign_to, clock, make_app, make_pool  # noqa: F401
from vouchers.models import Award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

CONTRACT = ("contract", "HT-2026-777")


@pytest.fixture
def clash(catalogue, clock, enterprise_a, owner_a, enterprise_b, owner_b, reviewer):  # noqa: F811
    """A's lower award (hp-data-asset-entry) and B's higher claim (hp-data-trading) on one contract."""
    asset, trading = catalogue["hp-data-asset-entry"], catalogue["hp-data-trading"]
    make_pool(asset, 2026)
    make_pool(trading, 2026)
    a = make_app(
        enterprise_a,
        asset,
        state=State.BUREAU_REVIEW,
        claims=[CONTRACT],
        inputs={"booked_value": "800000", "service_fees": "100000", "first_booking": True},
    )
    b = make_app(
        enterprise_b, trading, state=State.BUREAU_REVIEW, claims=[CONTRACT], inputs={"annual_listed_trading": "5000000"}
    )
    for app in (a, b):
        assign_to(app, reviewer)
    return a, b


def _seen_by(user, app) -> str:
    """Everything the applicant can read about their application: the page, the API, the inbox, letters."""
    page = Client()
    page.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    api = APIClient()
    api.force_authenticate(user)
    parts = [
        page.get(reverse("applications:detail", args=[app.pk])).content.decode(),
        api.get(f"/api/v1/applications/{app.pk}/").content.decode(),
        page.get(reverse("inbox")).content.decode(),
    ]
    parts += [f"{n.subject} {n.body}" for n in Notification.objects.filter(recipient=user)]
    parts += [str(letter.context) for letter in Letter.objects.filter(application=app)]
    return "\n".join(parts)


def test_another_enterprises_higher_claim_does_not_decline_an_approved_award(clash, reviewer, owner_a):
    a, b = clash
    approve(actor=reviewer, application=a, amount="30000")
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=b, amount="150000")
    assert "另一企业" in str(exc.value)  # the bureau is told why
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == State.APPROVED_PENDING_NOTICE and b.state == State.BUREAU_REVIEW
    assert Award.objects.get(application=a).status == Award.Status.RESERVED
    assert not Award.objects.filter(application=b).exists()
    assert Decision.objects.get(application=a, current=True).outcome != Decision.Outcome.DECLINE


def test_a_lower_claim_of_another_enterprise_is_sent_to_the_bureau_not_declined_as_superseded(clash, reviewer):
    a, b = clash
    approve(actor=reviewer, application=b, amount="150000")
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=a, amount="30000")
    assert "另一企业" in str(exc.value) and "核查" in str(exc.value)
    assert Award.objects.get(application=b).status == Award.Status.RESERVED
    a.refresh_from_db()
    assert a.state == State.BUREAU_REVIEW


def test_the_clash_is_flagged_to_the_bureau(clash, reviewer):
    a, b = clash
    rows = project_conflicts(b)
    assert [(r["id"], r["cross_enterprise"]) for r in rows] == [(a.pk, True)]
    assert decision_context(b)["conflicts"][0]["cross_enterprise"]
    page = Client()
    page.force_login(reviewer, backend="portal.backends.EmailOrUsernameBackend")
    html = page.get(reverse("reviews:decision", args=[b.pk])).content.decode()
    assert "其他企业" in html and a.reference in html


def test_no_applicant_sees_another_enterprises_name_reference_or_amount(
    clash, reviewer, owner_a, owner_b, django_capture_on_commit_callbacks
):
    a, b = clash
    # B is approved first (A's claim only pending), then the bureau declines A
    with django_capture_on_commit_callbacks(execute=True):
        approve(actor=reviewer, application=b, amount="150000")
        with pytest.raises(ValidationError):
            approve(actor=reviewer, application=a, amount="30000")
        decline(actor=reviewer, application=a, reason="同一合同已由其他单位申报，经核查不予支持")
    seen_by_a = _seen_by(owner_a, a)
    seen_by_b = _seen_by(owner_b, b)
    for text, other in ((seen_by_a, b), (seen_by_b, a)):
        assert other.enterprise.name not in text
        assert other.reference not in text
    assert "150,000" not in seen_by_a and "150000" not in seen_by_a
    assert "30,000" not in seen_by_b and "30000" not in seen_by_b


def test_within_one_enterprise_the_higher_award_still_supersedes(
    catalogue,
    clock,  # noqa: F811
    enterprise_a,
    owner_a,
    reviewer,
):
    asset, trading = catalogue["hp-data-asset-entry"], catalogue["hp-data-trading"]
    make_pool(asset, 2026)
    make_pool(trading, 2026)
    low = make_app(
        enterprise_a,
        asset,
        state=State.BUREAU_REVIEW,
        claims=[CONTRACT],
        inputs={"booked_value": "800000", "service_fees": "100000", "first_booking": True},
    )
    high = make_app(
        enterprise_a, trading, state=State.BUREAU_REVIEW, claims=[CONTRACT], inputs={"annual_listed_trading": "5000000"}
    )
    for app in (low, high):
        assign_to(app, reviewer)
    assert not project_conflicts(high)[0]["cross_enterprise"]
    approve(actor=reviewer, application=low, amount="30000")
    approve(actor=reviewer, application=high, amount="150000")
    low.refresh_from_db()
    assert low.state == State.DECLINED
