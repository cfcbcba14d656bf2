"""Probe (issue 12, four eyes): one reviewer could claim an application, pass its formal review with
no comment and set a reduced amount alone — the award reserved, the application approved and sent
to public notice by one person. Tried as the reviewer would, through the API and the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.workflow import State
from reviews.models import Decision
from tests.reviews.conftest import clock, make_app, make_pool  # noqa: F401
from vouchers.models import Award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def submitted(catalogue, clock, enterprise_a, owner_a):  # noqa: F811
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    return make_app(enterprise_a, programme, inputs={"annual_listed_trading": "5000000"})


def test_one_reviewer_alone_cannot_pass_without_a_comment_nor_decide_an_amount(submitted, reviewer, api_for):
    app = submitted
    api = api_for(reviewer)
    assert (
        api.post("/api/v1/reviews/assignments/claim/", {"application_ids": [app.pk]}, format="json").json()["ok"] == 1
    )
    formal = f"/api/v1/reviews/applications/{app.pk}/formal-review/"

    # a formal review pass with no comment is refused, nothing changes
    r = api.post(formal, {"action": "pass"}, format="json")
    assert r.status_code == 400, r.content
    assert "形式审查意见" in r.content.decode()
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    r = api.post(formal, {"action": "pass", "note": "材料齐全，符合申报条件。"}, format="json")
    assert r.status_code == 200, r.content
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW

    # the reviewer proposes a reduced amount: nothing takes effect on one person's word
    r = api.post(
        f"/api/v1/reviews/applications/{app.pk}/decision/",
        {"outcome": "approve", "amount": "100000", "reason": "部分交易额不符合条件", "comment": "拟核减支持。"},
        format="json",
    )
    assert r.status_code == 201, r.content
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW
    assert not Decision.objects.filter(application=app).exists()
    assert not Award.objects.filter(application=app).exists()
    body = r.json()
    assert body["status"] == "pending" and body["amount"] == "100000.00"
    assert [s["role"] for s in body["steps"]] == ["handler", "checker"]
    assert body["steps"][0]["acted_by"]["id"] == reviewer.pk and body["steps"][1]["acted_by"] is None

    # and the same reviewer cannot take the next step (复核) of the decision
    r = api.post(f"/api/v1/reviews/proposals/{body['id']}/approve/", {"comment": "同意。"}, format="json")
    assert r.status_code == 403, r.content
    assert "同一人不能办理同一决定的两个环节" in r.content.decode()
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW and not Award.objects.filter(application=app).exists()


def test_the_lone_reviewer_on_the_pages_only_proposes(submitted, reviewer, client_for):
    app = submitted
    page = client_for(reviewer)
    page.post(reverse("reviews:claim", args=[app.pk]))
    page.post(reverse("reviews:formal_pass", args=[app.pk]), {"note": ""})
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    page.post(reverse("reviews:formal_pass", args=[app.pk]), {"note": "材料齐全。"})
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW
    page.post(
        reverse("reviews:decision", args=[app.pk]),
        {"outcome": "approve", "amount": "100000", "reason": "部分交易额不符合条件", "comment": "拟核减。"},
    )
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW
    assert Award.objects.filter(application=app).count() == 0
    assert Decision.objects.filter(application=app, amount=Decimal("100000")).count() == 0
