"""Each review path end to end through the services: standard (formal review with a return for
supplement → bureau decision → public notice → final) and competitive (formal review → experts →
ranking and decision → public notice → final)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.models import ApplicationEvent, SupplementRequest
from applications.workflow import State
from portal.models import AuditEvent
from reviews.models import Decision, ExpertAssignment, PublicNotice
from reviews.services import approvals, assignments, formal, notices
from reviews.services import experts as panel
from tests.approvals import approve, collective, walk_pending
from vouchers.models import Award

from .conftest import at, make_app, make_pool, make_window

pytestmark = pytest.mark.django_db


def test_standard_path_end_to_end(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, django_capture_on_commit_callbacks, mailoutbox
):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    clock.set(at(2026, 3, 9, 9))  # Monday
    app = make_app(
        enterprise_a,
        programme,
        inputs={"annual_listed_trading": "5000000"},
        materials=["business_license", "credit_commitment", "contract"],
        claims=[("contract", "SZJY-2026-001")],
    )

    clock.set(at(2026, 3, 10, 9))
    assignments.reviewer_claim(actor=reviewer, application=app)
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    assert app.due_date == dt.date(2026, 3, 16)  # 5 working days after Monday 9 March

    with django_capture_on_commit_callbacks(execute=True):
        sr = formal.formal_review_return(
            actor=reviewer,
            application=app,
            note="请补齐材料",
            items=[{"code": "exchange_certificate", "note": "须加盖交易所公章"}, {"code": "invoice"}],
        )
    app.refresh_from_db()
    assert app.state == State.SUPPLEMENT_REQUESTED
    assert sr.due_date == app.due_date == dt.date(2026, 3, 17)  # 5 working days after the return
    assert [i.code for i in sr.items.all()] == ["exchange_certificate", "invoice"]
    event = app.events.get(action="request_supplement")
    assert event.data == {"supplement_request": sr.pk}  # the request's rows are the one record
    assert [(i.code, i.label, i.note) for i in sr.items.all()] == [
        ("exchange_certificate", "数据交易所出具的场内交易证明", "须加盖交易所公章"),
        ("invoice", "发票", ""),
    ]
    assert any("补正" in m.subject for m in mailoutbox)

    # The applicant answers through the applicant side's service (files uploaded since the return).
    from applications.services import application_resubmit

    from .conftest import attach

    clock.set(at(2026, 3, 12, 15))
    attach(app, "exchange_certificate")
    attach(app, "invoice")
    application_resubmit(actor=owner_a, application=app, answers={"invoice": "已补交增值税专用发票"})
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW

    formal.formal_review_pass(actor=reviewer, application=app, note="材料齐全，符合申报条件。")
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW
    sr.refresh_from_db()
    assert sr.answered_at is not None  # the return and its answer: one history

    with django_capture_on_commit_callbacks(execute=True):
        decision = approve(actor=reviewer, application=app, amount="150000.00")
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE
    assert decision.outcome == Decision.Outcome.APPROVE and decision.amount == Decimal("150000.00")
    assert decision.explanation and decision.max_amount == Decimal("150000.00")
    award = Award.objects.get(application=app)
    assert award.status == Award.Status.RESERVED and award.amount == Decimal("150000.00")

    clock.set(at(2026, 3, 13, 10))  # Friday
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[app.pk])
    assert notice.ends_on == dt.date(2026, 3, 24)  # 7 working days after Friday 13 March
    app.refresh_from_db()
    assert app.state == State.IN_PUBLIC_NOTICE

    clock.set(at(2026, 3, 24, 23, 50))
    assert notices.public_notices_close_due() == {"finalized": [], "waiting_objections": []}
    clock.set(at(2026, 3, 25, 0, 5))
    result = notices.public_notices_close_due()
    assert result["finalized"] == [app.pk]
    app.refresh_from_db()
    award.refresh_from_db()
    notice.refresh_from_db()
    assert app.state == State.APPROVED and award.status == Award.Status.COMMITTED
    assert notice.status == PublicNotice.Status.CLOSED
    # Idempotent: running the task again changes nothing.
    assert notices.public_notices_close_due() == {"finalized": [], "waiting_objections": []}
    finalize = app.events.get(action="finalize")
    assert finalize.actor is None
    actions = list(app.events.order_by("created_at", "id").values_list("action", flat=True))
    assert actions == [
        "submit",
        "start_formal_review",
        "request_supplement",
        "resubmit",
        "pass_formal_review",
        "decision_propose",
        "proposal_approve",
        "approve",
        "publish_notice",
        "finalize",
    ]
    assert AuditEvent.objects.filter(action="application.finalize", target_id=str(app.pk)).exists()


def test_competitive_path_end_to_end(
    catalogue, clock, enterprise_a, enterprise_b, owner_a, owner_b, reviewer, bureau_admin, experts
):
    programme = catalogue["hp-vertical-model-compute"]
    make_pool(programme, 2026)
    window = make_window(programme)
    clock.set(at(2026, 3, 9, 9))
    a = make_app(enterprise_a, programme, inputs={"compute_spend": "2000000"}, window=window)
    b = make_app(enterprise_b, programme, inputs={"compute_spend": "1000000"}, window=window)
    results = assignments.reviewers_assign_many(actor=bureau_admin, application_ids=[a.pk, b.pk], reviewer=reviewer)
    assert all(r.ok for r in results)
    results = assignments.send_to_experts_many(
        actor=reviewer, application_ids=[a.pk, b.pk], note="材料齐全，提交专家评审。"
    )
    assert all(r.ok for r in results), results
    for app in (a, b):
        app.refresh_from_db()
        assert app.state == State.EXPERT_REVIEW
    for app in (a, b):
        made = panel.experts_assign(actor=bureau_admin, application=app, experts=experts[:3])
        assert len(made) == 3
    marks = {a.pk: [(35, 25, 25), (30, 28, 27), (38, 26, 20)], b.pk: [(20, 20, 20), (25, 15, 10), (22, 18, 20)]}
    for app in (a, b):
        for assignment, (x, y, z) in zip(
            ExpertAssignment.objects.filter(application=app).order_by("pk"), marks[app.pk], strict=True
        ):
            panel.expert_declare(actor=assignment.expert, assignment=assignment, conflict=False)
            panel.expert_scores_submit(
                actor=assignment.expert,
                assignment=assignment,
                scores={"innovation": x, "ecosystem": y, "compute_effect": z},
                comments={"innovation": "创新性较强"},
                comment="同意支持",
            )
        panel.expert_review_finish(actor=reviewer, application=app)
        app.refresh_from_db()
        assert app.state == State.BUREAU_REVIEW

    from reviews.selectors import batch_ranking, panel_summary

    summary = panel_summary(a)
    assert summary["mean"] == Decimal("84.67") and summary["spread"] == Decimal("0.47")
    ranking = batch_ranking(window=window)
    assert [r["application"].pk for r in ranking["rows"]] == [a.pk, b.pk]
    assert ranking["rows"][0]["rank_award"] == Decimal("600000.00")

    results = approvals.batch_propose(
        actor=bureau_admin, window=window, application_ids=[a.pk, b.pk], mode="rank", comment="按评审排名择优支持。"
    )
    assert all(r.ok for r in results), results
    walk_pending([a, b])
    with pytest.raises(ValidationError) as exc:  # 集体决策 first
        notices.notice_publish(actor=bureau_admin, window=window, on=dt.date(2026, 3, 20))
    assert "须先记录集体决策" in str(exc.value)
    collective(actor=bureau_admin, applications=[a, b])
    notice = notices.notice_publish(actor=bureau_admin, window=window, on=dt.date(2026, 3, 20))
    assert notice.entries.count() == 2 and notice.window == window
    clock.set(at(2026, 4, 1, 1))
    notices.public_notices_close_due()
    for app in (a, b):
        app.refresh_from_db()
        assert app.state == State.APPROVED
    assert sorted(Award.objects.filter(status=Award.Status.COMMITTED).values_list("amount", flat=True)) == [
        Decimal("300000.00"),
        Decimal("600000.00"),
    ]


def test_supplement_request_is_stored_once(catalogue, clock, enterprise_a, reviewer):
    programme = catalogue["hp-data-trading"]
    app = make_app(enterprise_a, programme, materials=["business_license"])
    assignments.reviewer_claim(actor=reviewer, application=app)
    formal.formal_review_return(
        actor=reviewer,
        application=app,
        items=[
            {"code": "credit_commitment"},
            {"code": "exchange_certificate"},
            {"code": "contract"},
            {"code": "invoice"},
        ],
        note="请一次性补正所列材料。",
    )
    assert SupplementRequest.objects.count() == 1
    assert ApplicationEvent.objects.filter(application=app, action="request_supplement").count() == 1
