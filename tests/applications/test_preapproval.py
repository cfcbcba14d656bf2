"""th-events in two steps (培育措施 10: 事前经天河区科工信局同意支持): a pre-approval requested before the
event and decided by the bureau, then the claim after the event, which names an approval dated
before it. A claim without one, with an approval dated on or after the event, before the event, or on
an approval another claim holds, is refused with the reason, and nothing changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationEvent, Enterprise, PreApproval
from applications.selectors_preapproval import preapproval_options
from applications.services import application_create, application_save_draft, application_submit, attachment_add
from applications.services_preapproval import (
    preapproval_choose,
    preapproval_decide,
    preapproval_request,
    preapproval_withdraw,
)
from portal.models import AuditEvent, Notification
from vouchers.models import ApplicationWindow

from ..reviews.conftest import Clock, at
from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(reviewer_th):
    """th-events is th2024's: Tianhe's bureau decides its pre-approvals (所属区域)."""
    return reviewer_th


@pytest.fixture
def bureau_admin(bureau_admin_th):
    return bureau_admin_th


EVENT_DAY = dt.date(2026, 4, 18)
CLAIM = {
    "title": "2026 天河人工智能大模型产业峰会",
    "description": "峰会及分论坛。",
    "invoice_numbers": "26442000000099990001",
    "inputs": {"event_cost": "600000.00"},
}


@pytest.fixture
def clock():
    c = Clock(at(2026, 3, 10))
    with mock.patch.object(timezone, "now", c):
        yield c


@pytest.fixture
def events(catalogue, clock, enterprise_a, enterprise_b):
    """th-events with a window open the whole year; A and B are Tianhe enterprises (the clause's 区内)."""
    Enterprise.objects.update(registered_district="tianhe", tax_district="tianhe", stats_district="tianhe")
    programme = catalogue["th-events"]
    ApplicationWindow.objects.create(
        programme=programme, name="2026年", opens_at=at(2026, 1, 5), closes_at=at(2026, 12, 20)
    )
    return programme


def request_event(owner, programme, *, day: dt.date = EVENT_DAY, **kw) -> PreApproval:
    data = {
        "event_name": "天河人工智能大模型产业峰会",
        "event_date": day,
        "venue": "天河区体育西路",
        "plan": "主论坛、三场分论坛，约 800 人。",
        "budget": "800000.00",
        **kw,
    }
    return preapproval_request(actor=owner, programme=programme, **data)


@pytest.fixture
def approved(events, owner_a, bureau_admin, clock):
    p = request_event(owner_a, events)
    clock.set(at(2026, 3, 12))
    return preapproval_decide(actor=bureau_admin, preapproval=p, approve=True, reason="同意支持。")


def claim(owner, programme, preapproval=None, *, n: int = 1) -> Application:
    """A complete claim (files uploaded), naming the pre-approval when given."""
    data = {**CLAIM, "invoice_numbers": f"2644200000009999{n:04d}"}
    if preapproval is not None:
        data["preapproval"] = preapproval.pk
    app = application_create(actor=owner, programme=programme, data=data).application
    for material in programme.materials:
        attachment_add(
            actor=owner, application=app, material=material["code"], upload=upload(f"{material['code']}.pdf", PDF)
        )
    app.refresh_from_db()
    return app


def refused_with(owner, app, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        application_submit(actor=owner, application=app, declaration=True)
    assert any(words in m for m in exc.value.messages), exc.value.messages
    app.refresh_from_db()
    assert app.state == "draft" and app.submitted_at is None and app.declared_at is None
    assert not ApplicationEvent.objects.filter(application=app, action="submit").exists()
    assert not AuditEvent.objects.filter(action="application.submit", target_id=str(app.pk)).exists()


# ---------------------------------------------------------------- the catalogue


def test_th_events_asks_for_the_bureau_not_for_a_self_declaration(catalogue):
    programme = catalogue["th-events"]
    assert programme.spec["requires_preapproval"] is True
    assert [m["name"] for m in programme.inputs] == ["event_cost"]
    assert "preapproval_document" not in {m["code"] for m in programme.materials}


# ---------------------------------------------------------------- the whole journey


def test_request_approve_then_claim_after_the_event(
    events, owner_a, agent_a, bureau_admin, clock, django_capture_on_commit_callbacks
):
    from portal.models import Role
    from tests.factories import UserFactory

    huangpu_admin = UserFactory(role=Role.BUREAU_ADMIN, district="huangpu")
    with django_capture_on_commit_callbacks(execute=True):
        p = request_event(owner_a, events)
    assert p.reference == "SQ2026-000001" and p.state == "pending" and p.budget == Decimal("800000.00")
    # the district's administrators are told (th-events: Tianhe's), not another district's
    assert Notification.objects.filter(recipient=bureau_admin, subject__contains=p.reference).exists()
    assert not Notification.objects.filter(recipient=huangpu_admin).exists()

    clock.set(at(2026, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        preapproval_decide(actor=bureau_admin, preapproval=p, approve=True)
    p.refresh_from_db()
    assert (p.state, p.decided_on, p.decided_by) == ("approved", dt.date(2026, 3, 12), bureau_admin)
    told = Notification.objects.filter(kind="decision", subject__contains=p.reference)
    assert {n.recipient for n in told} == {owner_a, agent_a}

    clock.set(at(2026, 4, 20))  # after the event
    app = claim(agent_a, events, p)
    assert app.preapproval == p and app.estimate["eligible"] is True
    assert app.estimate_amount == Decimal("300000.00")
    application_submit(actor=agent_a, application=app, declaration=True)
    app.refresh_from_db()
    assert app.state == "submitted" and app.preapproval_id == p.pk
    assert app.basis_date == dt.date(2026, 4, 18)  # the claim is judged on the event's date
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"preapproval.request", "preapproval.approve", "application.submit"} <= actions
    request_row = AuditEvent.objects.get(action="preapproval.request")
    assert request_row.target_id == str(p.pk) and request_row.after["event_date"] == "2026-04-18"


def test_references_are_their_own_series(events, owner_a, owner_b):
    first = request_event(owner_a, events)
    app = application_create(actor=owner_a, programme=events).application
    second = request_event(owner_b, events, day=dt.date(2026, 5, 1))
    assert (first.reference, second.reference) == ("SQ2026-000001", "SQ2026-000002")
    assert app.reference.startswith("GZAI-2026-")


# ---------------------------------------------------------------- the claim refused, with the reason


def test_a_claim_without_pre_approval_is_refused(events, owner_a, clock):
    clock.set(at(2026, 4, 20))
    app = claim(owner_a, events)
    assert app.estimate["eligible"] is False and app.estimate_amount == Decimal("0.00")
    assert any("无事前同意" in r for r in app.estimate["reasons"])
    refused_with(owner_a, app, "无事前同意")


def test_an_approval_dated_on_the_event_day_is_no_prior_consent(approved, owner_a, clock):
    PreApproval.objects.filter(pk=approved.pk).update(decided_on=approved.event_date)
    clock.set(at(2026, 4, 20))
    app = claim(owner_a, approved.programme, approved)
    assert app.estimate["eligible"] is False
    refused_with(owner_a, app, "同意日期不早于活动日期")


def test_an_approval_dated_after_the_event_is_no_prior_consent(approved, owner_a, clock):
    PreApproval.objects.filter(pk=approved.pk).update(decided_on=dt.date(2026, 4, 19))
    clock.set(at(2026, 4, 20))
    refused_with(owner_a, claim(owner_a, approved.programme, approved), "同意日期不早于活动日期")


def test_a_claim_before_the_event_is_refused(approved, owner_a, clock):
    clock.set(at(2026, 4, 17))  # the day before
    app = claim(owner_a, approved.programme, approved)
    assert app.estimate["eligible"] is True  # the consent is there; the event is not held yet
    refused_with(owner_a, app, "活动尚未举办")
    clock.set(at(2026, 4, 18, 18))  # on the day of the event
    application_submit(actor=owner_a, application=app, declaration=True)
    assert Application.objects.get(pk=app.pk).state == "submitted"


def test_a_refused_or_pending_request_backs_no_claim(events, owner_a, reviewer, clock):
    pending = request_event(owner_a, events)
    refused = request_event(owner_a, events, day=dt.date(2026, 4, 25))
    preapproval_decide(actor=reviewer, preapproval=refused, approve=False, reason="方案不完整。")
    clock.set(at(2026, 4, 26))
    for p in (pending, refused):
        saved = application_save_draft(actor=owner_a, application=claim(owner_a, events), data={"preapproval": p.pk})
        assert "未获同意" in saved.errors["preapproval"] and saved.application.preapproval_id is None


def test_one_pre_approval_backs_one_live_claim(approved, owner_a, agent_a, clock):
    clock.set(at(2026, 4, 20))
    first = claim(owner_a, approved.programme, approved, n=1)
    second = claim(agent_a, approved.programme, approved, n=2)  # both drafts may name it
    application_submit(actor=owner_a, application=first, declaration=True)
    refused_with(agent_a, second, "已被其他申报使用")
    third = application_create(actor=owner_a, programme=approved.programme).application
    assert preapproval_options(third) == []  # no longer offered to a new claim
    assert [pk for pk, _label in preapproval_options(second)] == [str(approved.pk)]  # the one it names: shown
    with pytest.raises(ValidationError) as exc:  # and no longer withdrawn
        preapproval_withdraw(actor=owner_a, preapproval=approved)
    assert first.reference in exc.value.messages[0]


def test_another_enterprises_pre_approval_cannot_be_named(approved, owner_b, events, api_for, clock):
    clock.set(at(2026, 4, 20))
    b_app = claim(owner_b, events)
    response = api_for(owner_b).patch(f"/api/v1/applications/{b_app.pk}/", {"preapproval": approved.pk}, format="json")
    assert response.status_code == 404
    b_app.refresh_from_db()
    assert b_app.preapproval_id is None
    with pytest.raises(Http404):
        preapproval_choose(actor=owner_b, application=b_app, value=approved.pk)
    # nor seen, nor withdrawn
    c = api_for(owner_b)
    assert c.get(f"/api/v1/preapprovals/{approved.pk}/").status_code == 404
    assert c.post(f"/api/v1/preapprovals/{approved.pk}/withdraw/", {}, format="json").status_code == 404
    assert c.get("/api/v1/preapprovals/").json()["count"] == 0
    approved.refresh_from_db()
    assert approved.state == "approved"
    assert not AuditEvent.objects.filter(action="preapproval.withdraw").exists()


# ---------------------------------------------------------------- the request


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("event_date", dt.date(2026, 3, 10), "活动举办前"),  # today: not before the event
        ("event_date", dt.date(2026, 3, 1), "活动举办前"),
        ("event_date", dt.date(2027, 3, 1), "政策有效期"),
        ("budget", "0", "大于零"),
        ("budget", "-5", "大于零"),
        ("budget", "1.234", "两位小数"),
        ("budget", "abc", "有效的金额"),
        ("plan", "  ", "请填写"),
    ],
)
def test_a_request_is_checked(events, owner_a, field, value, words):
    with pytest.raises(ValidationError) as exc:
        request_event(owner_a, events, **{field: value})
    assert words in exc.value.message_dict[field][0]
    assert not PreApproval.objects.exists() and not AuditEvent.objects.filter(action="preapproval.request").exists()


def test_only_programmes_that_ask_for_it_and_only_enterprises(events, catalogue, owner_a, reviewer):
    with pytest.raises(ValidationError) as exc:
        request_event(owner_a, catalogue["hp-compute-voucher"])
    assert "无需事前同意" in exc.value.message_dict["programme"][0]
    with pytest.raises(PermissionDenied):
        request_event(reviewer, events)
    assert not PreApproval.objects.exists()


def test_withdraw_a_pending_request(events, owner_a, owner_b):
    p = request_event(owner_a, events)
    with pytest.raises(PermissionDenied):
        preapproval_withdraw(actor=owner_b, preapproval=p)
    preapproval_withdraw(actor=owner_a, preapproval=p, reason="活动取消")
    p.refresh_from_db()
    assert p.state == "withdrawn"
    assert AuditEvent.objects.get(action="preapproval.withdraw").note == "活动取消"
    with pytest.raises(ValidationError):
        preapproval_withdraw(actor=owner_a, preapproval=p)


# ---------------------------------------------------------------- pages and API


def test_pages_request_list_and_choose_when_claiming(events, owner_a, bureau_admin, client_for, clock):
    c = client_for(owner_a)
    assert "申请事前同意" in c.get(reverse("applications:preapproval_list")).content.decode()
    response = c.post(
        reverse("applications:preapproval_request"),
        {
            "programme": "th-events",
            "event_name": "天河大模型开发者大会",
            "event_date": "2026-04-18",
            "venue": "天河区",
            "plan": "大会议程。",
            "budget": "500000",
        },
    )
    p = PreApproval.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "applications:preapproval_detail", args=[p.pk]
    )
    assert p.reference in c.get(reverse("applications:preapproval_list")).content.decode()
    refused = c.post(
        reverse("applications:preapproval_request"),
        {
            "programme": "th-events",
            "event_name": "x",
            "event_date": "2026-03-01",
            "venue": "天河区",
            "plan": "x",
            "budget": "1",
        },
    )
    assert refused.status_code == 400 and "活动举办前" in refused.content.decode()

    clock.set(at(2026, 3, 12))
    preapproval_decide(actor=bureau_admin, preapproval=p, approve=True)
    clock.set(at(2026, 4, 20))
    c = client_for(owner_a)  # a new session: the first one has expired meanwhile
    app = application_create(actor=owner_a, programme=events).application
    page = c.get(reverse("applications:edit", args=[app.pk])).content.decode()
    assert 'name="preapproval"' in page and p.reference in page
    response = c.post(reverse("applications:autosave", args=[app.pk]), {"preapproval": str(p.pk)})
    assert response.status_code == 200 and response.json()["errors"] == {}
    app.refresh_from_db()
    assert app.preapproval == p
    assert p.reference in c.get(reverse("applications:detail", args=[app.pk])).content.decode()


def test_api_request_list_and_name_it_in_a_draft(events, owner_a, bureau_admin, api_for, clock):
    c = api_for(owner_a)
    response = c.post(
        "/api/v1/preapprovals/",
        {
            "programme": "th-events",
            "event_name": "天河大模型开发者大会",
            "event_date": "2026-04-18",
            "venue": "天河区",
            "plan": "大会议程。",
            "budget": "500000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "SQ2026-000001" and body["state"] == "pending" and body["budget"] == "500000.00"
    assert c.get("/api/v1/preapprovals/").json()["count"] == 1
    bad = c.post(
        "/api/v1/preapprovals/",
        {
            "programme": "hp-compute-voucher",
            "event_name": "x",
            "event_date": "2026-04-18",
            "venue": "x",
            "plan": "x",
            "budget": "1.00",
        },
        format="json",
    )
    assert bad.status_code == 400 and "programme" in bad.json()

    clock.set(at(2026, 3, 12))
    preapproval_decide(actor=bureau_admin, preapproval=body["id"], approve=True)
    clock.set(at(2026, 4, 20))
    created = c.post(
        "/api/v1/applications/",
        {"programme": "th-events", **CLAIM, "preapproval": body["id"], "invoice_numbers": ["26442000000099990001"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["preapproval"] == body["id"] and created.json()["estimate"]["eligible"] is True
    cleared = c.patch(f"/api/v1/applications/{created.json()['id']}/", {"preapproval": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["preapproval"] is None
    row = AuditEvent.objects.filter(action="application.save_draft", target_id=str(created.json()["id"])).latest("id")
    assert (row.before["preapproval"], row.after["preapproval"]) == (body["id"], None)
