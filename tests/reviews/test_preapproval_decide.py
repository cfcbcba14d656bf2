"""The bureau decides th-events' pre-approvals (事前经天河区科工信局同意): a reviewer or administrator,
before the event, with a reason when refusing; enterprise users cannot, and a refusal changes
nothing. The review workspace shows the approval a claim rests on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import PreApproval
from applications.services_preapproval import preapproval_decide
from applications.workflow import State
from portal.models import AuditEvent, Notification

from .conftest import at, make_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(reviewer_th):
    """th-events is th2024's: Tianhe's bureau works it (所属区域); the conftest's staff are Huangpu's."""
    return reviewer_th


@pytest.fixture
def bureau_admin(bureau_admin_th):
    return bureau_admin_th


EVENT_DAY = dt.date(2026, 4, 18)


@pytest.fixture
def pending(catalogue, clock, enterprise_a, owner_a, agent_a) -> PreApproval:
    """A's request (made directly: the request itself is tested with the applicant's journey)."""
    return PreApproval.objects.create(
        reference="SQ2026-000007",
        enterprise=enterprise_a,
        programme=catalogue["th-events"],
        event_name="天河人工智能大模型产业峰会",
        event_date=EVENT_DAY,
        venue="天河区体育西路",
        plan="主论坛、三场分论坛。",
        budget=Decimal("800000.00"),
        requested_by=owner_a,
    )


def unchanged(p: PreApproval) -> None:
    p.refresh_from_db()
    assert (p.state, p.decided_on, p.decided_by_id, p.reason) == ("pending", None, None, "")
    assert not AuditEvent.objects.filter(action__startswith="preapproval.").exists()


def test_an_administrator_approves_before_the_event(
    pending, bureau_admin, owner_a, agent_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        preapproval_decide(actor=bureau_admin, preapproval=pending, approve=True, reason="同意支持。")
    pending.refresh_from_db()
    assert (pending.state, pending.decided_on, pending.decided_by) == ("approved", dt.date(2026, 3, 10), bureau_admin)
    assert pending.decided_on < pending.event_date and pending.reason == "同意支持。"
    row = AuditEvent.objects.get(action="preapproval.approve")
    assert row.target_id == str(pending.pk) and row.actor == bureau_admin and row.after["decided_on"] == "2026-03-10"
    told = Notification.objects.filter(kind="decision", subject__contains=pending.reference)
    assert {n.recipient for n in told} == {owner_a, agent_a} and all("已获同意" in n.subject for n in told)


def test_the_huangpu_bureau_neither_sees_nor_decides_it(pending, client_for, api_for):
    """所属区域: a Tianhe pre-approval is another district's matter for Huangpu's staff (404, refused)."""
    from portal.models import Role
    from tests.factories import UserFactory

    for role in (Role.REVIEWER, Role.BUREAU_ADMIN):
        huangpu = UserFactory(role=role, district="huangpu")
        with pytest.raises(PermissionDenied, match="其他区域"):
            preapproval_decide(actor=huangpu, preapproval=pending, approve=True)
        assert client_for(huangpu).get(reverse("reviews:preapproval_decide", args=[pending.pk])).status_code == 404
        assert pending.reference not in client_for(huangpu).get(reverse("reviews:preapproval_queue")).content.decode()
        assert (
            api_for(huangpu)
            .post(f"/api/v1/preapprovals/{pending.pk}/decide/", {"approve": True}, format="json")
            .status_code
            == 404
        )
    unchanged(pending)


def test_a_reviewer_refuses_with_a_reason(pending, reviewer):
    preapproval_decide(actor=reviewer, preapproval=pending, approve=False, reason="活动方案未说明规模。")
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by, pending.reason) == ("refused", reviewer, "活动方案未说明规模。")
    assert AuditEvent.objects.get(action="preapproval.refuse").note == "活动方案未说明规模。"


def test_a_refusal_without_a_reason_is_refused(pending, reviewer):
    with pytest.raises(ValidationError) as exc:
        preapproval_decide(actor=reviewer, preapproval=pending, approve=False, reason="  ")
    assert "须说明理由" in exc.value.message_dict["reason"][0]
    unchanged(pending)


@pytest.mark.parametrize("who", ["owner_a", "agent_a", "owner_b", "expert", "provider_user"])
def test_only_the_bureau_decides(pending, request, who):
    with pytest.raises(PermissionDenied):
        preapproval_decide(actor=request.getfixturevalue(who), preapproval=pending, approve=True)
    unchanged(pending)


@pytest.mark.parametrize("day", [EVENT_DAY, EVENT_DAY + dt.timedelta(days=3)])
def test_no_decision_on_or_after_the_event_day(pending, bureau_admin, clock, day):
    clock.set(at(day.year, day.month, day.day, 9))
    with pytest.raises(ValidationError) as exc:
        preapproval_decide(actor=bureau_admin, preapproval=pending, approve=True)
    assert "活动举办前" in exc.value.messages[0]
    unchanged(pending)


def test_a_decision_is_made_once(pending, bureau_admin, reviewer):
    preapproval_decide(actor=bureau_admin, preapproval=pending, approve=True)
    with pytest.raises(ValidationError):
        preapproval_decide(actor=reviewer, preapproval=pending, approve=False, reason="改变主意")
    pending.refresh_from_db()
    assert pending.state == "approved" and AuditEvent.objects.filter(action__startswith="preapproval.").count() == 1


# ---------------------------------------------------------------- pages and API


def test_queue_and_decision_page(pending, reviewer, owner_a, client_for):
    c = client_for(reviewer)
    page = c.get(reverse("reviews:preapproval_queue")).content.decode()
    assert pending.reference in page and "事前同意审核" in page
    url = reverse("reviews:preapproval_decide", args=[pending.pk])
    assert pending.event_name in c.get(url).content.decode()
    refused = c.post(url, {"decision": "refuse", "reason": ""})
    assert refused.status_code == 400 and "须说明理由" in refused.content.decode()
    unchanged(pending)
    assert c.post(url, {"decision": "approve", "reason": ""}).status_code == 302
    pending.refresh_from_db()
    assert pending.state == "approved" and pending.decided_by == reviewer
    assert client_for(owner_a).get(reverse("reviews:preapproval_queue")).status_code == 403
    assert client_for(owner_a).post(url, {"decision": "approve"}).status_code == 403


def test_api_decide(pending, reviewer, owner_a, owner_b, api_for):
    url = f"/api/v1/preapprovals/{pending.pk}/decide/"
    assert api_for(owner_a).post(url, {"approve": True}, format="json").status_code == 403
    assert api_for(owner_b).post(url, {"approve": True}, format="json").status_code == 404
    response = api_for(reviewer).post(url, {"approve": False}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    unchanged(pending)
    response = api_for(reviewer).post(url, {"approve": True, "reason": "同意"}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["decided_on"]) == ("approved", "2026-03-10")
    listing = api_for(reviewer).get("/api/v1/preapprovals/", {"state": "approved"}).json()
    assert [p["reference"] for p in listing["results"]] == [pending.reference]


def test_the_review_workspace_shows_the_approval_the_claim_rests_on(
    pending, bureau_admin, reviewer, enterprise_a, client_for, clock
):
    preapproval_decide(actor=bureau_admin, preapproval=pending, approve=True)
    clock.set(at(2026, 4, 20))
    app = make_app(enterprise_a, pending.programme, inputs={"event_cost": "600000.00"})
    type(app).objects.filter(pk=app.pk).update(preapproval=pending)
    page = client_for(reviewer).get(reverse("reviews:application", args=[app.pk])).content.decode()
    assert pending.reference in page and "同意日期 2026-03-10" in page
    type(app).objects.filter(pk=app.pk).update(state=State.BUREAU_REVIEW)
    page = client_for(bureau_admin).get(reverse("reviews:decision", args=[app.pk])).content.decode()
    assert pending.reference in page
    unlinked = make_app(enterprise_a, pending.programme, inputs={"event_cost": "600000.00"})
    page = client_for(reviewer).get(reverse("reviews:application", args=[unlinked.pk])).content.decode()
    assert "未关联事前同意" in page
