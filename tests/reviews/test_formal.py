"""形式审查 and 审核分工: completeness, one-time notice of every missing item, deadlines in working
days, and who may act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.models import ProjectClaim, SupplementRequest
from applications.workflow import State
from reviews.models import ReviewAssignment
from reviews.services import assignments, formal

from .conftest import assign_to, at, attach, make_app, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def incomplete(catalogue, clock, enterprise_a, owner_a):
    clock.set(at(2025, 9, 26, 9))  # Friday before National Day
    return make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        inputs={"annual_listed_trading": "5000000"},
        materials=["business_license", "credit_commitment", "contract"],
    )


def test_claiming_starts_formal_review_with_its_deadline_in_working_days(incomplete, clock, reviewer):
    clock.set(at(2025, 9, 28, 9))  # a make-up working day
    a = assignments.reviewer_claim(actor=reviewer, application=incomplete)
    assert a.reviewer == reviewer and a.claimed
    incomplete.refresh_from_db()
    assert incomplete.state == State.FORMAL_REVIEW
    # 5 working days after Fri 26 Sep: Sun 28 (make-up), Mon 29, Tue 30, Thu 9 Oct, Fri 10 Oct.
    assert incomplete.due_date == dt.date(2025, 10, 10)
    assert formal.formal_review_due(incomplete) == dt.date(2025, 10, 10)


def test_a_second_reviewer_cannot_claim(incomplete, reviewer, reviewer_other):
    assignments.reviewer_claim(actor=reviewer, application=incomplete)
    with pytest.raises(ValidationError):
        assignments.reviewer_claim(actor=reviewer_other, application=incomplete)
    assert ReviewAssignment.objects.get(application=incomplete).reviewer == reviewer


def test_only_reviewers_claim_and_only_administrators_assign(incomplete, reviewer, bureau_admin, owner_a, expert):
    before = snapshot(incomplete)
    for actor in (owner_a, expert, bureau_admin):
        with pytest.raises(PermissionDenied):
            assignments.reviewer_claim(actor=actor, application=incomplete)
    for actor in (owner_a, expert, reviewer):
        with pytest.raises(PermissionDenied):
            assignments.reviewer_assign(actor=actor, application=incomplete, reviewer=reviewer)
    with pytest.raises(ValidationError):
        assignments.reviewer_assign(actor=bureau_admin, application=incomplete, reviewer=expert)
    assert snapshot(incomplete) == before and not ReviewAssignment.objects.exists()


def test_the_return_must_list_every_missing_item_at_once(incomplete, clock, reviewer):
    assign_to(incomplete, reviewer)
    formal.formal_review_start(actor=reviewer, application=incomplete)
    before = snapshot(incomplete)
    with pytest.raises(ValidationError) as exc:
        formal.formal_review_return(
            actor=reviewer, application=incomplete, items=[{"code": "invoice"}], note="请一次性补正所列材料。"
        )
    assert exc.value.message_dict["items"] == [
        "以下缺失材料未列入补正通知，须一次性告知全部补正内容：数据交易所出具的场内交易证明"
    ]
    with pytest.raises(ValidationError):
        formal.formal_review_return(actor=reviewer, application=incomplete, items=[], note="请一次性补正所列材料。")
    with pytest.raises(ValidationError) as exc:
        formal.formal_review_return(
            actor=reviewer,
            application=incomplete,
            items=[{"code": "exchange_certificate"}, {"code": "invoice"}, {"label": "合同金额与发票不符"}],
            note="请一次性补正所列材料。",
        )
    assert "须写明补正要求" in str(exc.value)
    assert snapshot(incomplete) == before

    clock.set(at(2025, 9, 30, 11))
    sr = formal.formal_review_return(
        actor=reviewer,
        application=incomplete,
        items=[
            {"code": "exchange_certificate"},
            {"code": "invoice"},
            {"label": "合同金额与发票不符", "note": "请说明差额原因"},
        ],
        note="请一次性补正所列材料。",
    )
    assert [(i.code, i.label) for i in sr.items.all()] == [
        ("exchange_certificate", "数据交易所出具的场内交易证明"),
        ("invoice", "发票"),
        ("other-3", "合同金额与发票不符"),
    ]
    # Due 5 working days after the return (Tue 30 Sep): 9, 10, 11 (make-up), 13, 14 Oct.
    assert sr.due_date == dt.date(2025, 10, 14) and sr.review_due_date == dt.date(2025, 10, 10)


def test_a_later_return_may_only_repeat_items_already_notified(incomplete, clock, reviewer, owner_a):
    from applications.services import application_resubmit

    assign_to(incomplete, reviewer)
    formal.formal_review_start(actor=reviewer, application=incomplete)
    formal.formal_review_return(
        actor=reviewer,
        application=incomplete,
        items=[{"code": "exchange_certificate"}, {"code": "invoice"}],
        note="请一次性补正所列材料。",
    )
    attach(incomplete, "exchange_certificate")
    attach(incomplete, "invoice")
    ProjectClaim.objects.create(application=incomplete, kind=ProjectClaim.Kind.CONTRACT, value="HT-2025-009")
    application_resubmit(actor=owner_a, application=incomplete, answers={})
    assert SupplementRequest.objects.get(application=incomplete).answered_at is not None
    before = snapshot(incomplete)
    with pytest.raises(ValidationError) as exc:
        formal.formal_review_return(
            actor=reviewer,
            application=incomplete,
            items=[{"code": "exchange_certificate"}, {"code": "contract", "note": "合同未盖章"}],
            note="请一次性补正所列材料。",
        )
    assert "已一次性告知过补正内容" in str(exc.value)
    assert snapshot(incomplete) == before
    formal.formal_review_return(
        actor=reviewer, application=incomplete, items=[{"code": "exchange_certificate"}], note="请一次性补正所列材料。"
    )
    assert SupplementRequest.objects.filter(application=incomplete).count() == 2
    assert SupplementRequest.objects.filter(application=incomplete, answered_at__isnull=True).count() == 1


def test_passing_an_incomplete_application_is_refused(incomplete, reviewer):
    assign_to(incomplete, reviewer)
    formal.formal_review_start(actor=reviewer, application=incomplete)
    before = snapshot(incomplete)
    with pytest.raises(ValidationError) as exc:
        formal.formal_review_pass(actor=reviewer, application=incomplete, note="材料齐全，符合申报条件。")
    assert "材料不齐全" in str(exc.value) and "发票" in str(exc.value)
    assert snapshot(incomplete) == before


def test_only_the_assigned_reviewer_or_an_administrator_acts(
    incomplete, reviewer, reviewer_other, bureau_admin, owner_a, expert
):
    before = snapshot(incomplete)
    with pytest.raises(PermissionDenied) as exc:  # not assigned to anyone yet
        formal.formal_review_start(actor=reviewer, application=incomplete)
    assert "尚未分配审核人员" in str(exc.value)
    assign_to(incomplete, reviewer)
    for actor in (reviewer_other, owner_a, expert):
        with pytest.raises(PermissionDenied):
            formal.formal_review_start(actor=actor, application=incomplete)
    assert snapshot(incomplete) == before
    formal.formal_review_start(actor=bureau_admin, application=incomplete)
    incomplete.refresh_from_db()
    assert incomplete.state == State.FORMAL_REVIEW


def test_an_impossible_transition_is_refused_with_a_clear_message(incomplete, reviewer):
    assign_to(incomplete, reviewer)
    before = snapshot(incomplete)
    with pytest.raises(ValidationError) as exc:  # still "submitted": formal review has not started
        formal.formal_review_pass(actor=reviewer, application=incomplete, note="材料齐全，符合申报条件。")
    assert "当前状态为“已提交，待形式审查”，不能执行" in str(exc.value)
    assert snapshot(incomplete) == before


def test_bulk_actions_report_each_application(
    catalogue, clock, enterprise_a, enterprise_b, reviewer, reviewer_other, bureau_admin
):
    programme = catalogue["hp-scenario-voucher"]
    complete = make_app(enterprise_a, programme, inputs={"requested_amount": "300000"})
    partial = make_app(enterprise_b, programme, inputs={"requested_amount": "300000"}, materials=["business_license"])
    standard = make_app(enterprise_a, catalogue["hp-data-trading"])
    theirs = make_app(enterprise_b, programme, inputs={"requested_amount": "100000"})
    assignments.reviewer_claim(actor=reviewer_other, application=theirs)
    results = assignments.reviewers_claim_many(
        actor=reviewer, application_ids=[complete.pk, partial.pk, standard.pk, theirs.pk]
    )
    assert [r.ok for r in results] == [True, True, True, False]
    results = assignments.send_to_experts_many(
        actor=reviewer,
        application_ids=[complete.pk, partial.pk, standard.pk, theirs.pk],
        note="材料齐全，提交专家评审。",
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert "材料不齐全" in results[1].message and "常规审核" in results[2].message
    assert "其他审核人员" in results[3].message
    for app, state in (
        (complete, State.EXPERT_REVIEW),
        (partial, State.FORMAL_REVIEW),
        (standard, State.FORMAL_REVIEW),
        (theirs, State.FORMAL_REVIEW),
    ):
        app.refresh_from_db()
        assert app.state == state
    results = assignments.reviewers_assign_many(actor=bureau_admin, application_ids=[theirs.pk], reviewer=reviewer)
    assert results[0].ok and ReviewAssignment.objects.get(application=theirs).reviewer == reviewer


def test_the_workspace_shows_each_item_beside_its_answer_and_files(incomplete, clock, reviewer, owner_a, client_for):
    from applications.services import application_resubmit

    assign_to(incomplete, reviewer)
    formal.formal_review_start(actor=reviewer, application=incomplete)
    formal.formal_review_return(
        actor=reviewer,
        application=incomplete,
        items=[
            {"code": "exchange_certificate"},
            {"code": "invoice"},
            {"label": "合同金额与发票不符", "note": "请说明差额原因"},
        ],
        note="请一次性补正所列材料。",
    )
    url = f"/review/applications/{incomplete.pk}/"
    assert "尚未补正。" in client_for(reviewer).get(url).content.decode()

    clock.set(at(2025, 10, 9, 10))
    attach(incomplete, "exchange_certificate")
    attach(incomplete, "invoice")
    ProjectClaim.objects.create(application=incomplete, kind=ProjectClaim.Kind.CONTRACT, value="HT-2025-0931")
    application_resubmit(actor=owner_a, application=incomplete, answers={"other-3": "差额为运费，见补充说明"})
    page = client_for(reviewer).get(url).content.decode()
    items = page.split('class="supplement-items"')[1].split("</ol>")[0].split("<li>")[1:]
    assert len(items) == 3
    assert "数据交易所出具的场内交易证明" in items[0] and "exchange_certificate.pdf" in items[0]
    assert "发票" in items[1] and "invoice.pdf" in items[1] and "exchange_certificate.pdf" not in items[1]
    assert "合同金额与发票不符" in items[2] and "差额为运费，见补充说明" in items[2] and ".pdf" not in items[2]
    assert "尚未补正。" not in page
