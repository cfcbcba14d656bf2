"""The approval chain on the pages and in the API: the proposals awaiting me (and approving several at
once), the read-only chains with the authorised leaders, the decision workspace's chain and steps,
the queue's bulk pass to experts with its comment, and the chains edited in the Django admin
(audited; a chain without a second pair of eyes is refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.workflow import State
from portal.models import AuditEvent, Role
from reviews.models import ApprovalChain, DecisionProposal

from ..approvals import leader, propose
from ..factories import UserFactory
from .conftest import assign_to, make_app, make_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(catalogue, clock, enterprise_a, owner_a, reviewer):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    made = []
    for turnover in ("5000000", "4000000"):
        app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": turnover})
        assign_to(app, reviewer)
        made.append(propose(actor=reviewer, application=app, amount=str(int(turnover) * 3 // 100)))
    return made


def test_the_approvals_page_lists_what_awaits_me(proposals, reviewer, bureau_admin, client_for):
    mine = client_for(bureau_admin).get("/review/approvals/").content.decode()
    assert all(p.application.reference in mine for p in proposals) and "待复核" in mine
    assert all(
        p.application.reference not in client_for(reviewer).get("/review/approvals/").content.decode()
        for p in proposals
    )  # the proposer holds no further step
    proposed = client_for(reviewer).get("/review/approvals/?scope=proposed").content.decode()
    assert all(p.application.reference in proposed for p in proposals)


def test_several_approved_at_once_on_the_page(proposals, bureau_admin, client_for):
    page = client_for(bureau_admin)
    r = page.post("/review/approvals/approve/", {"ids": [p.pk for p in proposals], "comment": ""}, follow=True)
    assert "请填写审批意见" in r.content.decode()
    assert DecisionProposal.objects.filter(status="pending").count() == 2
    r = page.post("/review/approvals/approve/", {"ids": [p.pk for p in proposals], "comment": "同意。"}, follow=True)
    first, second = (p.application for p in proposals)
    # each is checked again at its last step: the first award used the enterprise's yearly cap, so the
    # second (proposed before it) is refused with the reason and stays pending, to be sent back
    assert [str(m) for m in r.context["messages"]] == [
        f"{first.reference}：已同意，决定生效",
        f"{second.reference}：申报企业核定金额 120,000.00 元超过测算上限 50,000.00 元，不能核定。",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.APPROVED_PENDING_NOTICE and second.state == State.BUREAU_REVIEW
    assert DecisionProposal.objects.get(pk=proposals[1].pk).status == DecisionProposal.Status.PENDING


def test_a_step_sent_back_from_the_workspace(proposals, bureau_admin, client_for):
    p = proposals[0]
    page = client_for(bureau_admin)
    r = page.post(f"/review/proposals/{p.pk}/return/", {"reason": ""}, follow=True)
    assert "退回须说明理由" in r.content.decode()
    r = page.post(f"/review/proposals/{p.pk}/return/", {"reason": "请补充核查记录。"}, follow=True)
    assert "已退回拟办意见" in r.content.decode() and "请补充核查记录。" in r.content.decode()
    p.refresh_from_db()
    assert p.status == DecisionProposal.Status.RETURNED


def test_the_chains_page_and_api_are_read_only(proposals, reviewer, owner_a, client_for, api_for):
    chief = leader(title="分管副局长")
    page = client_for(reviewer).get("/review/approval-chains/").content.decode()
    assert "常规审批（50万元及以下）" in page and "分管领导" in page and str(chief) in page
    assert "管理后台修改" not in page  # only system administrators edit them
    body = api_for(reviewer).get("/api/v1/reviews/approval-chains/").json()
    assert [[s["role"] for s in c["steps"]] for c in body["chains"]] == [
        ["handler", "checker"],
        ["handler", "checker", "leader"],
    ]
    assert body["chains"][0]["amount_up_to"] == "500000.00" and body["leaders"][0]["title"] == "分管副局长"
    assert client_for(owner_a).get("/review/approval-chains/").status_code == 403
    assert api_for(owner_a).get("/api/v1/reviews/approval-chains/").status_code == 403


def test_the_queue_passes_to_experts_with_one_comment(catalogue, clock, enterprise_a, owner_a, reviewer, client_for):
    programme = catalogue["hp-vertical-model-compute"]
    app = make_app(enterprise_a, programme, state=State.FORMAL_REVIEW, inputs={"compute_spend": "2000000"})
    assign_to(app, reviewer)
    page = client_for(reviewer)
    r = page.post("/review/bulk/", {"action": "send_to_experts", "ids": [app.pk], "note": ""}, follow=True)
    assert "请填写形式审查意见" in r.content.decode()
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    page.post("/review/bulk/", {"action": "send_to_experts", "ids": [app.pk], "note": "材料齐全。"})
    app.refresh_from_db()
    assert app.state == State.EXPERT_REVIEW and app.events.get(action="send_to_experts").message == "材料齐全。"


@pytest.fixture
def sysadmin(db):
    return UserFactory(role=Role.SYSADMIN, email="root@example.cn", is_staff=True, is_superuser=True)


def _chain_form(**extra) -> dict:
    data = {
        "name": "专项审批",
        "programme": "",
        "amount_above": "",
        "amount_up_to": "",
        "active": "on",
        "note": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "2",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "1",
        "steps-0-role": "handler",
        "steps-0-holder": "reviewing_staff",
        "steps-1-position": "2",
        "steps-1-role": "checker",
        "steps-1-holder": "bureau_admin",
    }
    data.update(extra)
    return data


def test_chains_are_edited_in_the_admin_with_an_audit_row(catalogue, sysadmin, client_for, settings):
    settings.PORTAL_REQUIRE_STAFF_OTP = False
    admin = client_for(sysadmin)
    count = ApprovalChain.objects.count()
    bad = admin.post(
        "/admin/reviews/approvalchain/add/", _chain_form(**{"steps-0-role": "checker", "steps-1-role": "checker"})
    )
    assert bad.status_code == 200 and "四眼原则" in bad.content.decode()
    assert ApprovalChain.objects.count() == count
    ok = admin.post("/admin/reviews/approvalchain/add/", _chain_form())
    assert ok.status_code == 302, ok.content.decode()[:2000]
    chain = ApprovalChain.objects.get(name="专项审批")
    assert [s.role for s in chain.steps.all()] == ["handler", "checker"]
    row = AuditEvent.objects.get(action="review.approval_chain_save", target_id=str(chain.pk))
    assert row.actor == sysadmin and row.after["steps"] == [
        [1, "handler", "reviewing_staff"],
        [2, "checker", "bureau_admin"],
    ]


def _older_proposals_held_by(someone, *, like: DecisionProposal, count: int) -> None:
    """`count` pending proposals older than `like`, each of its own copy of `like`'s application, whose
    first step `someone` has held already (so that `someone` may hold none of their next steps)."""
    from applications.models import Application

    template = like.application
    apps = []
    for i in range(count):
        copy = Application.objects.get(pk=template.pk)
        copy.pk, copy.reference = None, f"{template.reference}-c{i:04d}"
        apps.append(copy)
    apps = Application.objects.bulk_create(apps)
    steps = list(like.steps.order_by("position"))
    made = DecisionProposal.objects.bulk_create(
        [
            DecisionProposal(
                application=a,
                outcome=like.outcome,
                amount=like.amount,
                max_amount=like.max_amount,
                chain=like.chain,
                from_state=like.from_state,
                proposed_by=someone,
                proposed_at=like.proposed_at - dt.timedelta(days=1, seconds=i),
            )
            for i, a in enumerate(apps)
        ]
    )
    for step in steps:
        step.__class__.objects.bulk_create(
            [
                step.__class__(
                    proposal=p,
                    position=step.position,
                    role=step.role,
                    holder=step.holder,
                    acted_by=someone if step.acted_by_id else None,
                    acted_at=step.acted_at,
                    verdict=step.verdict,
                    comment=step.comment,
                )
                for p in made
            ]
        )


def test_proposals_awaiting_me_are_not_hidden_behind_older_ones_held_by_others(
    proposals, bureau_admin, api_for, client_for
):
    """Five hundred older pending proposals the administrator already holds a step of (proposed by
    them) came first in a list cut at 500 before "may I hold the next step" was asked: the two the
    administrator may approve were hidden, on the page and in the API. All are looked at now, and
    the list is shown a page at a time."""
    _older_proposals_held_by(bureau_admin, like=proposals[0], count=500)
    assert DecisionProposal.objects.filter(status="pending").count() == 502
    body = api_for(bureau_admin).get("/api/v1/reviews/proposals/").json()
    assert body["count"] == 2
    assert sorted(p["id"] for p in body["results"]) == sorted(p.pk for p in proposals)
    page = client_for(bureau_admin).get("/review/approvals/").content.decode()
    assert all(p.application.reference in page for p in proposals)
    # "proposed by me" is all 500, a page at a time, the pager linking on with the tab kept
    mine = client_for(bureau_admin).get("/review/approvals/?scope=proposed")
    assert len(mine.context["rows"]) == 50 and mine.context["page"].paginator.count == 500
    assert "?scope=proposed&amp;page=2" in mine.content.decode()
