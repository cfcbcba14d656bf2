"""/api/v1/reviews/…: the queue, assignments, formal review, experts and scores, decisions, notices
and objections; refusals are 400/403/404 with Chinese messages and change nothing."""

from __future__ import annotations

import pytest

from applications.workflow import State
from reviews.models import Decision, ExpertScore, Objection, PublicNotice
from reviews.services import experts as panel
from tests.approvals import approve

from .conftest import assign_to, at, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(catalogue, clock, enterprise_a, owner_a):
    make_pool(catalogue["hp-data-trading"], 2026)
    return make_app(enterprise_a, catalogue["hp-data-trading"], inputs={"annual_listed_trading": "5000000"})


def test_queue_and_claim(app, reviewer, owner_a, expert, api_for):
    api = api_for(reviewer)
    body = api.get("/api/v1/reviews/queue/").json()
    assert body["count"] == 1 and body["results"][0]["reference"] == app.reference
    assert body["results"][0]["reviewer"] is None and body["results"][0]["deadline"]
    r = api.post("/api/v1/reviews/assignments/claim/", {"application_ids": [app.pk]}, format="json")
    assert r.status_code == 200 and r.json()["ok"] == 1
    assert api.get("/api/v1/reviews/queue/?scope=mine").json()["results"][0]["mine"] is True
    for user in (owner_a, expert):
        assert api_for(user).get("/api/v1/reviews/queue/").status_code == 403
    assert api_for(None).get("/api/v1/reviews/queue/").status_code in (401, 403)


def test_assign_is_for_administrators(app, reviewer, bureau_admin, api_for):
    r = api_for(reviewer).post(
        "/api/v1/reviews/assignments/", {"application_ids": [app.pk], "reviewer": reviewer.pk}, format="json"
    )
    assert r.status_code == 403
    r = api_for(bureau_admin).post(
        "/api/v1/reviews/assignments/", {"application_ids": [app.pk], "reviewer": bureau_admin.pk}, format="json"
    )
    assert r.status_code == 400 and "审核人员" in r.json()["reviewer"][0]
    r = api_for(bureau_admin).post(
        "/api/v1/reviews/assignments/", {"application_ids": [app.pk], "reviewer": reviewer.pk}, format="json"
    )
    assert r.status_code == 200 and r.json()["results"][0]["ok"]


def test_formal_review_return_through_the_api(app, reviewer, reviewer_other, api_for):
    assign_to(app, reviewer)
    url = f"/api/v1/reviews/applications/{app.pk}/formal-review/"
    assert api_for(reviewer).post(url, {"action": "start"}, format="json").json()["state"] == "formal_review"
    before = snapshot(app)
    assert (
        api_for(reviewer_other)
        .post(url, {"action": "return", "items": [{"code": "invoice"}]}, format="json")
        .status_code
        == 403
    )
    assert snapshot(app) == before
    r = api_for(reviewer).post(url, {"action": "pass"}, format="json")
    assert r.status_code == 400 and r.json()["note"] == ["请填写形式审查意见。"]  # the comment is required
    assert snapshot(app) == before
    r = api_for(reviewer).post(url, {"action": "pass", "note": "材料齐全。"}, format="json")
    assert r.status_code == 200  # complete: all materials present
    assert r.json()["state"] == "bureau_review"
    assert app.events.get(action="pass_formal_review").message == "材料齐全。"


def test_decision_api(app, reviewer, reviewer_other, expert, bureau_admin, api_for):
    app.state = State.BUREAU_REVIEW
    app.save()
    assign_to(app, reviewer)
    url = f"/api/v1/reviews/applications/{app.pk}/decision/"
    ctx = api_for(reviewer).get(url).json()
    assert ctx["max_amount"] == "150000.00" and ctx["steps"] and ctx["conflicts"] == []
    assert ctx["proposal"] is None and ctx["proposals"] == []
    before = snapshot(app)
    comment = "符合条件，拟全额支持。"
    r = api_for(reviewer).post(url, {"outcome": "approve", "amount": "150000.01", "comment": comment}, format="json")
    assert r.status_code == 400 and "超过测算上限" in r.json()["amount"][0]
    r = api_for(reviewer).post(url, {"outcome": "approve", "amount": "120000", "comment": comment}, format="json")
    assert r.status_code == 400 and "须说明理由" in r.json()["reason"][0]
    r = api_for(reviewer).post(url, {"outcome": "approve", "amount": "150000"}, format="json")
    assert r.status_code == 400 and r.json()["comment"] == ["请填写经办意见。"]
    assert (
        api_for(reviewer_other)
        .post(url, {"outcome": "approve", "amount": "150000", "comment": comment}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(expert)
        .post(url, {"outcome": "approve", "amount": "150000", "comment": comment}, format="json")
        .status_code
        == 403
    )
    assert snapshot(app) == before
    r = api_for(reviewer).post(url, {"outcome": "approve", "amount": "150000", "comment": comment}, format="json")
    assert r.status_code == 201 and r.json()["outcome"] == "approve" and r.json()["status"] == "pending"
    pid = r.json()["id"]
    assert [(s["role"], s["comment"]) for s in r.json()["steps"]] == [("handler", comment), ("checker", "")]
    again = {"outcome": "decline", "reason": "再次决定", "comment": "拟不予支持"}
    r = api_for(reviewer).post(url, again, format="json")
    assert r.status_code == 400 and "已有审批中的拟办意见" in r.json()["non_field_errors"][0]
    assert not Decision.objects.filter(application=app).exists()

    step = f"/api/v1/reviews/proposals/{pid}/approve/"
    assert api_for(reviewer).post(step, {"comment": "同意。"}, format="json").status_code == 403
    assert api_for(reviewer_other).post(step, {"comment": "同意。"}, format="json").status_code == 403
    r = api_for(bureau_admin).post(step, {"comment": ""}, format="json")
    assert r.status_code == 400 and "审批意见" in r.json()["comment"][0]
    r = api_for(bureau_admin).post(step, {"comment": "同意。"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["decision"]
    ctx = api_for(reviewer).get(url).json()
    assert ctx["decision"]["amount"] == "150000.00" and ctx["proposal"] is None
    assert [s["acted_by"]["id"] for s in ctx["proposals"][0]["steps"]] == [reviewer.pk, bureau_admin.pk]
    again = {"outcome": "decline", "reason": "再次决定", "comment": "拟不予支持"}
    r = api_for(reviewer).post(url, again, format="json")
    assert r.status_code == 400 and "不能执行" in r.json()["non_field_errors"][0]
    assert Decision.objects.filter(application=app).count() == 1


def test_a_step_sends_the_proposal_back_through_the_api(app, reviewer, bureau_admin, api_for):
    app.state = State.BUREAU_REVIEW
    app.save()
    assign_to(app, reviewer)
    url = f"/api/v1/reviews/applications/{app.pk}/decision/"
    pid = (
        api_for(reviewer)
        .post(
            url,
            {"outcome": "approve", "amount": "100000", "reason": "部分交易额不符合条件", "comment": "拟核减支持。"},
            format="json",
        )
        .json()["id"]
    )
    back = f"/api/v1/reviews/proposals/{pid}/return/"
    assert api_for(bureau_admin).post(back, {"reason": ""}, format="json").status_code == 400
    r = api_for(bureau_admin).post(back, {"reason": "核减依据不足，请补充说明。"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    check = r.json()["steps"][1]
    assert (check["verdict"], check["comment"]) == ("returned", "核减依据不足，请补充说明。")
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW and not Decision.objects.filter(application=app).exists()
    assert (
        api_for(bureau_admin)
        .post(f"/api/v1/reviews/proposals/{pid}/approve/", {"comment": "同意"}, format="json")
        .status_code
        == 400
    )  # closed
    # proposed again, this time in full
    r = api_for(reviewer).post(
        url, {"outcome": "approve", "amount": "150000", "comment": "拟全额支持。"}, format="json"
    )
    assert r.status_code == 201


def test_expert_api(catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, experts, api_for):
    app = make_app(
        enterprise_a,
        catalogue["hp-vertical-model-compute"],
        state=State.EXPERT_REVIEW,
        inputs={"compute_spend": "2000000"},
    )
    assign_to(app, reviewer)
    r = api_for(bureau_admin).post(
        f"/api/v1/reviews/applications/{app.pk}/experts/", {"expert_ids": [e.pk for e in experts[:2]]}, format="json"
    )
    assert r.status_code == 400 and "至少须指派 3 名" in r.json()["experts"][0]
    r = api_for(bureau_admin).post(
        f"/api/v1/reviews/applications/{app.pk}/experts/", {"expert_ids": [e.pk for e in experts[:3]]}, format="json"
    )
    assert r.status_code == 201
    mine = api_for(experts[0]).get("/api/v1/reviews/expert-assignments/").json()
    assert len(mine) == 1
    aid = mine[0]["id"]
    assert api_for(experts[1]).get(f"/api/v1/reviews/expert-assignments/{aid}/").status_code == 404
    assert api_for(reviewer).get("/api/v1/reviews/expert-assignments/").status_code == 403
    e0 = api_for(experts[0])
    assert (
        e0.post(
            f"/api/v1/reviews/expert-assignments/{aid}/declaration/", {"conflict": False}, format="json"
        ).status_code
        == 200
    )
    r = e0.post(
        f"/api/v1/reviews/expert-assignments/{aid}/scores/",
        {"scores": {"innovation": "50", "ecosystem": "20", "compute_effect": "20"}},
        format="json",
    )
    assert r.status_code == 400 and "0 至 40 分" in r.json()["score_innovation"][0]
    assert not ExpertScore.objects.exists()
    r = e0.post(
        f"/api/v1/reviews/expert-assignments/{aid}/scores/",
        {"scores": {"innovation": "30", "ecosystem": "20", "compute_effect": "20"}},
        format="json",
    )
    assert r.status_code == 200 and r.json()["total"] == "70.00"
    detail = e0.get(f"/api/v1/reviews/expert-assignments/{aid}/").json()
    assert "contact_phone" not in str(detail) and detail["my_scores"]
    others = [a for a in panel.ExpertAssignment.objects.filter(application=app) if a.expert_id != experts[0].pk]
    for a in others:  # not others' assignments, nor their scores
        assert e0.get(f"/api/v1/reviews/expert-assignments/{a.pk}/").status_code == 404
    panel_view = api_for(reviewer).get(f"/api/v1/reviews/applications/{app.pk}/experts/").json()
    assert panel_view["submitted"] == 1 and panel_view["mean"] == "70.00"
    assert api_for(experts[0]).get(f"/api/v1/reviews/applications/{app.pk}/experts/").status_code == 403


def test_notices_and_objections_api(app, clock, reviewer, bureau_admin, owner_a, api_for):
    app.state = State.BUREAU_REVIEW
    app.save()
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    assert (
        api_for(reviewer).post("/api/v1/reviews/notices/", {"application_ids": [app.pk]}, format="json").status_code
        == 403
    )
    r = api_for(bureau_admin).post(
        "/api/v1/reviews/notices/", {"application_ids": [app.pk], "workdays": 7}, format="json"
    )
    assert r.status_code == 201
    nid = r.json()["id"]
    anonymous = api_for(None)
    assert anonymous.get("/api/v1/reviews/notices/").json()["count"] == 1
    detail = anonymous.get(f"/api/v1/reviews/notices/{nid}/").json()
    assert detail["entries"][0]["amount"] == "150000.00" and detail["accepting_objections"]
    objection = {
        "application": app.pk,
        "objector_kind": "person",
        "objector_name": "王五",
        "contact_phone": "13700000000",
        "content": "异议内容：交易额存在重复计算。",
    }
    r = anonymous.post(f"/api/v1/reviews/notices/{nid}/objections/", objection, format="json")
    assert r.status_code == 201
    oid = r.json()["id"]
    assert api_for(owner_a).get("/api/v1/reviews/objections/").status_code == 403
    assert api_for(reviewer).get("/api/v1/reviews/objections/").status_code == 403
    listed = api_for(bureau_admin).get("/api/v1/reviews/objections/").json()
    assert listed["results"][0]["contact_phone"] == "13700000000"
    assert (
        api_for(reviewer)
        .post(f"/api/v1/reviews/objections/{oid}/resolve/", {"upheld": True, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    r = api_for(bureau_admin).post(
        f"/api/v1/reviews/objections/{oid}/resolve/",
        {"upheld": True, "reason": "经核实交易额重复计算。"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    app.refresh_from_db()
    assert app.state == State.DECLINED
    clock.set(at(2026, 6, 1, 9))
    r = anonymous.post(f"/api/v1/reviews/notices/{nid}/objections/", objection, format="json")
    assert r.status_code == 400 and "不再受理异议" in r.json()["non_field_errors"][0]
    assert Objection.objects.count() == 1
    assert PublicNotice.objects.count() == 1


def test_the_schema_documents_the_review_endpoints(client_for, bureau_admin):
    schema = client_for(bureau_admin).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/reviews/queue/",
        "/api/v1/reviews/applications/{id}/decision/",
        "/api/v1/reviews/expert-assignments/{id}/scores/",
        "/api/v1/reviews/notices/{id}/objections/",
        "/api/v1/reviews/objections/{id}/resolve/",
        "/api/v1/reviews/assignments/",
    ):
        assert path in schema, path
