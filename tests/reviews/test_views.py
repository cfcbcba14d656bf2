"""The review pages as the cast uses them: each page for the right people, the wrong member of the
cast refused with nothing changed, and the public notice open to anonymous visitors."""

from __future__ import annotations

import pytest

from applications.models import SupplementRequest
from applications.workflow import State
from reviews.models import Decision, ExpertAssignment, Objection, ReviewAssignment
from reviews.services import experts as panel
from reviews.services import notices
from tests.approvals import approve

from .conftest import assign_to, at, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(catalogue, clock, enterprise_a, owner_a):
    make_pool(catalogue["hp-data-trading"], 2026)
    return make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        inputs={"annual_listed_trading": "5000000"},
        materials=["business_license", "credit_commitment", "contract"],
    )


STAFF_PAGES = ["/review/", "/review/overdue/", "/review/batches/"]


def test_staff_pages_for_reviewers_and_administrators(app, reviewer, bureau_admin, client_for):
    for user in (reviewer, bureau_admin):
        c = client_for(user)
        for url in [*STAFF_PAGES, f"/review/applications/{app.pk}/", f"/review/applications/{app.pk}/decision/"]:
            assert c.get(url).status_code == 200, (user, url)
    assert client_for(bureau_admin).get("/review/notices/").status_code == 200


def test_staff_pages_refuse_the_rest_of_the_cast(app, owner_a, owner_b, expert, provider_user, client_for):
    for user in (owner_a, owner_b, expert, provider_user):
        c = client_for(user)
        for url in [
            *STAFF_PAGES,
            f"/review/applications/{app.pk}/",
            f"/review/applications/{app.pk}/decision/",
            "/review/notices/",
        ]:
            assert c.get(url).status_code == 403, (user, url)
    anonymous = client_for(None).get("/review/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_reviewers_cannot_open_administrator_pages(reviewer, client_for):
    assert client_for(reviewer).get("/review/notices/").status_code == 403


def test_claim_then_return_for_supplement_through_the_pages(
    app, reviewer, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    c = client_for(reviewer)
    assert c.post(f"/review/applications/{app.pk}/claim/").status_code == 302
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    page = c.get(f"/review/applications/{app.pk}/").content.decode()
    assert "缺失" in page and "退回补正（一次性告知）" in page
    form = c.get(f"/review/applications/{app.pk}/formal/return/")
    assert form.status_code == 200 and 'name="m_exchange_certificate"' in form.content.decode()
    # Leaving a missing material out is refused with the reason on the page.
    bad = c.post(f"/review/applications/{app.pk}/formal/return/", {"m_invoice": "on"})
    assert bad.status_code == 400 and "须一次性告知全部补正内容" in bad.content.decode()
    assert not SupplementRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok = c.post(
            f"/review/applications/{app.pk}/formal/return/",
            {
                "m_invoice": "on",
                "m_exchange_certificate": "on",
                "n_exchange_certificate": "须加盖公章",
                "note": "请补正",
            },
        )
    assert ok.status_code == 302
    app.refresh_from_db()
    assert app.state == State.SUPPLEMENT_REQUESTED
    assert [m.to for m in mailoutbox if "补正" in m.subject] == [["owner-a@example.cn"]]


def test_another_reviewer_is_refused_and_nothing_changes(app, reviewer, reviewer_other, client_for):
    assign_to(app, reviewer)
    c = client_for(reviewer_other)
    before = snapshot(app)
    assert c.post(f"/review/applications/{app.pk}/formal/start/").status_code == 403
    assert snapshot(app) == before
    from reviews.services import formal

    formal.formal_review_start(actor=reviewer, application=app)
    before = snapshot(app)
    assert c.post(f"/review/applications/{app.pk}/formal/pass/").status_code == 403
    assert (
        c.post(
            f"/review/applications/{app.pk}/formal/return/", {"m_invoice": "on", "m_exchange_certificate": "on"}
        ).status_code
        == 403
    )
    assert c.post(f"/review/applications/{app.pk}/decline/", {"reason": "不符合"}).status_code == 403
    assert snapshot(app) == before
    # Claiming an application someone already has is refused with a message.
    response = c.post(f"/review/applications/{app.pk}/claim/", follow=True)
    assert "不能重复认领" in response.content.decode()
    assert ReviewAssignment.objects.get(application=app).reviewer == reviewer


def test_assigning_is_for_administrators(app, reviewer, reviewer_other, bureau_admin, client_for):
    assert (
        client_for(reviewer).post(f"/review/applications/{app.pk}/assign/", {"reviewer": reviewer.pk}).status_code
        == 403
    )
    assert not ReviewAssignment.objects.exists()
    assert (
        client_for(bureau_admin)
        .post(f"/review/applications/{app.pk}/assign/", {"reviewer": reviewer_other.pk})
        .status_code
        == 302
    )
    assert ReviewAssignment.objects.get(application=app).reviewer == reviewer_other


def test_bulk_claim_from_the_queue(app, catalogue, enterprise_b, reviewer, client_for):
    other = make_app(enterprise_b, catalogue["hp-data-trading"])
    response = client_for(reviewer).post("/review/bulk/", {"action": "claim", "ids": [app.pk, other.pk]}, follow=True)
    assert response.status_code == 200
    assert set(ReviewAssignment.objects.values_list("application_id", flat=True)) == {app.pk, other.pk}


def test_bulk_assign_needs_a_reviewer(app, bureau_admin, client_for):
    response = client_for(bureau_admin).post("/review/bulk/", {"action": "assign", "ids": [app.pk]}, follow=True)
    assert "批量分配须选择审核人员" in response.content.decode()
    assert not ReviewAssignment.objects.exists()


def test_decision_page_refuses_above_the_maximum(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, client_for
):
    make_pool(catalogue["hp-data-trading"], 2026)
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.BUREAU_REVIEW,
        inputs={"annual_listed_trading": "5000000"},
    )
    assign_to(app, reviewer)
    c = client_for(reviewer)
    page = c.get(f"/review/applications/{app.pk}/decision/").content.decode()
    assert "150,000.00" in page and "计算过程" in page and "经办 → 复核" in page
    bad = c.post(
        f"/review/applications/{app.pk}/decision/", {"outcome": "approve", "amount": "200000", "comment": "拟支持。"}
    )
    assert bad.status_code == 400 and "超过测算上限" in bad.content.decode()
    bad = c.post(f"/review/applications/{app.pk}/decision/", {"outcome": "approve", "amount": "150000"})
    assert bad.status_code == 400 and "请填写经办意见" in bad.content.decode()
    assert not Decision.objects.exists()
    ok = c.post(
        f"/review/applications/{app.pk}/decision/",
        {"outcome": "approve", "amount": "150000", "comment": "符合条件，拟全额支持。"},
    )
    assert ok.status_code == 302
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW  # proposed: waits for 复核
    page = c.get(f"/review/applications/{app.pk}/decision/").content.decode()
    assert "拟办意见（审批中）" in page and "符合条件，拟全额支持。" in page and "待复核" in page
    assert "proposal_approve" not in page and "/approve/" not in page  # the proposer holds no further step

    checker = client_for(bureau_admin)
    listed = checker.get("/review/approvals/").content.decode()
    assert app.reference in listed
    page = checker.get(f"/review/applications/{app.pk}/decision/").content.decode()
    assert "/approve/" in page and "退回拟办意见" in page
    proposal = app.decision_proposals.get()
    refused = c.post(f"/review/proposals/{proposal.pk}/approve/", {"comment": "同意。"})
    assert refused.status_code == 403 and "同一人不能办理同一决定的两个环节" in refused.content.decode()
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW
    assert checker.post(f"/review/proposals/{proposal.pk}/approve/", {"comment": "同意。"}).status_code == 302
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE
    page = c.get(f"/review/applications/{app.pk}/decision/").content.decode()
    assert "已生效" in page and "同意。" in page


def test_expert_pages(catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, experts, client_for):
    app = make_app(
        enterprise_a,
        catalogue["hp-vertical-model-compute"],
        state=State.EXPERT_REVIEW,
        inputs={"compute_spend": "2000000"},
    )
    assign_to(app, reviewer)
    made = panel.experts_assign(actor=bureau_admin, application=app, experts=experts[:3])
    mine, other = made[0], made[1]
    c = client_for(experts[0])
    assert "广州甲智能科技有限公司" in c.get("/expert/").content.decode()
    page = c.get(f"/expert/{mine.pk}/").content.decode()
    assert "利益冲突声明" in page and "020-12345678" not in page
    att = app.attachments.first()
    assert c.get(f"/expert/{mine.pk}/attachments/{att.pk}/").status_code == 404  # not before declaring
    assert c.post(f"/expert/{mine.pk}/declare/", {"conflict": "no"}).status_code == 302
    assert c.get(f"/expert/{mine.pk}/attachments/{att.pk}/").status_code == 200
    bad = c.post(
        f"/expert/{mine.pk}/scores/", {"score_innovation": "45", "score_ecosystem": "20", "score_compute_effect": "20"}
    )
    assert bad.status_code == 400 and "评分不能超过满分 40 分" in bad.content.decode()
    ok = c.post(
        f"/expert/{mine.pk}/scores/",
        {"score_innovation": "38", "score_ecosystem": "20", "score_compute_effect": "20", "comment": "可行"},
    )
    assert ok.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ExpertAssignment.Status.SUBMITTED
    # Another expert's assignment, and the pages for anyone but experts, are refused.
    assert c.get(f"/expert/{other.pk}/").status_code == 404
    assert c.post(f"/expert/{other.pk}/declare/", {"conflict": "no"}).status_code == 404
    for user in (reviewer, owner_a, bureau_admin):
        assert client_for(user).get(f"/expert/{mine.pk}/").status_code == 403
    other.refresh_from_db()
    assert other.status == ExpertAssignment.Status.PENDING


def test_public_notice_and_objection_without_login(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, client_for
):
    make_pool(catalogue["hp-data-trading"], 2026)
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.BUREAU_REVIEW,
        inputs={"annual_listed_trading": "5000000"},
    )
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    admin = client_for(bureau_admin)
    response = admin.post("/review/notices/publish/", {"ids": [app.pk], "workdays": "7", "title": ""})
    assert response.status_code == 302
    notice = app.notice_entries.get().notice
    anonymous = client_for(None)
    page = anonymous.get(f"/notices/{notice.pk}/").content.decode()
    assert "广州甲智能科技有限公司" in page and "150,000.00" in page and "提出异议" in page
    assert "020-12345678" not in page
    bad = anonymous.post(
        f"/notices/{notice.pk}/",
        {"application": app.pk, "objector_kind": "person", "objector_name": "", "contact_phone": "138", "content": "x"},
    )
    assert bad.status_code == 400 and not Objection.objects.exists()
    ok = anonymous.post(
        f"/notices/{notice.pk}/",
        {
            "application": app.pk,
            "objector_kind": "enterprise",
            "objector_name": "广州丙科技有限公司",
            "contact_phone": "020-88888888",
            "content": "该企业交易额含关联交易，请核查。",
        },
    )
    assert ok.status_code == 302
    objection = Objection.objects.get()
    assert "020-88888888" not in anonymous.get(f"/notices/{notice.pk}/").content.decode()
    assert "020-88888888" in admin.get(f"/review/notices/{notice.pk}/").content.decode()
    assert client_for(reviewer).get(f"/review/objections/{objection.pk}/").status_code == 403
    assert client_for(owner_a).get(f"/review/notices/{notice.pk}/").status_code == 403
    response = admin.post(f"/review/objections/{objection.pk}/", {"upheld": "dismissed", "reason": "经核查不成立"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    clock.set(at(2026, 4, 1, 9))
    assert "公示期已结束，不再受理异议" in anonymous.get(f"/notices/{notice.pk}/").content.decode()
    late = anonymous.post(
        f"/notices/{notice.pk}/",
        {
            "application": app.pk,
            "objector_kind": "person",
            "objector_name": "李四",
            "contact_phone": "13900000000",
            "content": "逾期提出的异议内容不少于十个字。",
        },
    )
    assert late.status_code == 400 and Objection.objects.count() == 1
    assert notices.public_notices_close_due()["finalized"] == [app.pk]
    assert anonymous.get("/notices/").status_code == 200


def test_objections_from_one_address_are_limited_page_and_api_together(
    catalogue, clock, enterprise_a, reviewer, bureau_admin, client_for, api_for
):
    make_pool(catalogue["hp-data-trading"], 2026)
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.BUREAU_REVIEW,
        inputs={"annual_listed_trading": "5000000"},
    )
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    client_for(bureau_admin).post("/review/notices/publish/", {"ids": [app.pk], "workdays": "7", "title": ""})
    notice = app.notice_entries.get().notice
    body = {
        "application": app.pk,
        "objector_kind": "person",
        "objector_name": "王五",
        "contact_phone": "13900000001",
        "content": "同一地址反复提交的异议内容。",
    }
    page, api = client_for(None), api_for(None)
    address = {"REMOTE_ADDR": "203.0.113.77"}
    for n in range(30):  # the page and the API count together
        r = (
            page.post(f"/notices/{notice.pk}/", body, **address)
            if n % 2
            else api.post(f"/api/v1/reviews/notices/{notice.pk}/objections/", body, format="json", **address)
        )
        assert r.status_code in (201, 302), (n, r.status_code)
    assert Objection.objects.count() == 30
    refused = page.post(f"/notices/{notice.pk}/", body, **address)
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert "同一地址反复提交的异议内容。" in refused.content.decode()  # what was typed is kept
    assert (
        api.post(f"/api/v1/reviews/notices/{notice.pk}/objections/", body, format="json", **address).status_code == 429
    )
    assert Objection.objects.count() == 30
    other = page.post(f"/notices/{notice.pk}/", body, REMOTE_ADDR="203.0.113.78")
    assert other.status_code == 302 and Objection.objects.count() == 31
