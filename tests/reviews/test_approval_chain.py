"""四眼原则: every money decision is proposed by one person (经办) and approved by others along an
approval chain chosen by programme and amount (复核; above 500,000 元 also 分管领导). The same person
never holds two steps; each step records who, when and the comment, and may send the proposal back;
nothing of the decision takes effect before the last step approves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from applications.services import application_withdraw
from applications.workflow import State
from portal.models import AuditEvent, Notification, Role
from reviews.models import (
    ApprovalChain,
    ApprovalChainStep,
    AuthorisedApprover,
    Decision,
    DecisionProposal,
    Letter,
    ProposalStep,
)
from reviews.selectors_approvals import chain_for
from reviews.services.approvals import decision_propose, proposal_approve, proposal_return
from vouchers.models import Award, BudgetPool

from ..approvals import leader, propose, walk
from ..factories import UserFactory
from .conftest import assign_to, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def trading(catalogue, clock):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    return programme


@pytest.fixture
def app(trading, enterprise_a, owner_a, reviewer):
    """hp-data-trading: 3% of 5,000,000 → a maximum of 150,000 (the ordinary chain)."""
    a = make_app(enterprise_a, trading, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(a, reviewer)
    return a


@pytest.fixture
def large(catalogue, clock, enterprise_b, owner_b, reviewer):
    """hp-vertical-model-compute: 30% of 4,200,000 = 1,260,000 — above 500,000 (the large chain)."""
    programme = catalogue["hp-vertical-model-compute"]
    make_pool(programme, 2026)
    a = make_app(enterprise_b, programme, state=State.BUREAU_REVIEW, inputs={"compute_spend": "4200000"})
    assign_to(a, reviewer)
    return a


@pytest.fixture
def second_admin(db):
    return UserFactory(role=Role.BUREAU_ADMIN, email="checker2@example.cn", is_staff=True)


def roles(p: DecisionProposal) -> list[str]:
    return [s.role for s in p.steps.order_by("position")]


def proposal_state(p: DecisionProposal) -> tuple:
    p.refresh_from_db()
    return (p.status, [(s.acted_by_id, s.verdict, s.comment) for s in p.steps.order_by("position")])


# ---------------------------------------------------------------- the chain is data


def test_the_default_chains_by_amount(trading, catalogue):
    small = chain_for(programme=trading, amount=Decimal("500000.00"))
    big = chain_for(programme=trading, amount=Decimal("500000.01"))
    assert [s.role for s in small.steps.all()] == ["handler", "checker"]
    assert [(s.role, s.holder) for s in big.steps.all()] == [
        ("handler", "reviewing_staff"),
        ("checker", "bureau_admin"),
        ("leader", "leader"),
    ]


def test_a_programmes_own_chain_comes_first_and_an_inactive_one_never(
    trading, app, reviewer, bureau_admin, second_admin
):
    own = ApprovalChain.objects.create(name="数据交易三级审批", programme=trading)
    ApprovalChainStep.objects.bulk_create(
        [
            ApprovalChainStep(chain=own, position=1, role="handler", holder="reviewing_staff"),
            ApprovalChainStep(chain=own, position=2, role="checker", holder="bureau_admin"),
            ApprovalChainStep(chain=own, position=3, role="checker", holder="bureau_admin"),
        ]
    )
    assert chain_for(programme=trading, amount=Decimal("1")) == own
    p = propose(actor=reviewer, application=app, amount="150000")
    assert roles(p) == ["handler", "checker", "checker"] and p.chain == own
    own.active = False
    own.save()
    assert chain_for(programme=trading, amount=Decimal("1")).programme is None


def test_without_a_chain_nothing_can_be_proposed(app, reviewer):
    ApprovalChain.objects.update(active=False)
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        decision_propose(actor=reviewer, application=app, outcome="approve", amount="150000", comment="拟支持。")
    assert "没有适用于该决定（150,000.00 元）的审批链" in str(exc.value)
    assert snapshot(app) == before and not DecisionProposal.objects.exists()


def test_a_chain_of_one_step_is_refused(trading, app, reviewer):
    ApprovalChain.objects.update(active=False)
    alone = ApprovalChain.objects.create(name="一人审批")
    ApprovalChainStep.objects.create(chain=alone, position=1, role="handler", holder="reviewing_staff")
    with pytest.raises(ValidationError) as exc:
        decision_propose(actor=reviewer, application=app, outcome="approve", amount="150000", comment="拟支持。")
    assert "四眼原则" in str(exc.value)
    assert not DecisionProposal.objects.exists()


def test_editing_a_chain_never_changes_a_proposal_already_made(app, reviewer, bureau_admin):
    p = propose(actor=reviewer, application=app, amount="150000")
    chain = p.chain
    ApprovalChainStep.objects.create(chain=chain, position=3, role="leader", holder="leader")
    assert roles(p) == ["handler", "checker"]
    proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    p.refresh_from_db()
    assert p.status == DecisionProposal.Status.APPROVED


# ---------------------------------------------------------------- four eyes


def test_the_decision_takes_effect_only_at_the_last_step(
    app, reviewer, bureau_admin, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = propose(
            actor=reviewer,
            application=app,
            amount="100000",
            reason="部分交易额不符合条件",
            comment="经核查，拟核减支持。",
        )
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW and app.decided_at is None
    assert not Decision.objects.exists() and not Award.objects.exists()
    assert BudgetPool.objects.get(programme=app.programme).reserved == Decimal("0")
    assert not Notification.objects.filter(recipient=owner_a, kind="decision").exists()
    # the administrators are told a step waits for them, under a kind of its own (not a reminder)
    told = Notification.objects.get(recipient=bureau_admin, subject__startswith="待复核")
    assert told.kind == Notification.Kind.APPROVAL == "approval"
    assert told.get_kind_display() == "审批待办"
    with translation.override("en"):
        assert told.get_kind_display() == "Approval step"
    assert (p.outcome, p.amount, p.max_amount) == (Decision.Outcome.REDUCE, Decimal("100000.00"), Decimal("150000.00"))

    with django_capture_on_commit_callbacks(execute=True):
        p = proposal_approve(actor=bureau_admin, proposal=p, comment="同意核减。")
    app.refresh_from_db()
    assert p.status == DecisionProposal.Status.APPROVED and app.state == State.APPROVED_PENDING_NOTICE
    d = p.decision
    assert (d.outcome, d.amount, d.reason, d.decided_by) == (
        Decision.Outcome.REDUCE,
        Decimal("100000.00"),
        "部分交易额不符合条件",
        bureau_admin,
    )
    assert Award.objects.get(application=app).amount == Decimal("100000.00")
    assert Notification.objects.filter(recipient=owner_a, kind="decision").count() == 1
    steps = list(p.steps.order_by("position"))
    assert [(s.role, s.acted_by, s.verdict, s.comment) for s in steps] == [
        ("handler", reviewer, "approved", "经核查，拟核减支持。"),
        ("checker", bureau_admin, "approved", "同意核减。"),
    ]
    assert all(s.acted_at is not None for s in steps)
    # each step in the audit trail, and on the staff's timeline only (not the applicant's)
    actions = list(
        AuditEvent.objects.filter(target_type="reviews.decisionproposal", target_id=str(p.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [("review.decision_propose", reviewer.pk), ("review.proposal_approve", bureau_admin.pk)]
    internal = app.events.filter(action__in=["decision_propose", "proposal_approve"])
    assert internal.count() == 2 and not internal.filter(visible_to_applicant=True).exists()


def test_above_500000_the_leader_signs_last(large, reviewer, bureau_admin):
    chief = leader()
    p = propose(actor=reviewer, application=large, amount="1260000")
    assert roles(p) == ["handler", "checker", "leader"]
    proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    large.refresh_from_db()
    assert large.state == State.BUREAU_REVIEW and not Award.objects.exists()
    with pytest.raises(PermissionDenied) as exc:  # an administrator who is not an authorised leader
        proposal_approve(actor=UserFactory(role=Role.BUREAU_ADMIN), proposal=p, comment="同意。")
    assert "授权的分管领导" in str(exc.value)
    p = proposal_approve(actor=chief, proposal=p, comment="同意，按程序公示。")
    large.refresh_from_db()
    assert large.state == State.APPROVED_PENDING_NOTICE and p.decision.amount == Decimal("1260000.00")


def test_the_same_person_cannot_hold_two_steps(large, bureau_admin, second_admin):
    chief = leader(bureau_admin)  # an administrator who is also the authorised leader
    p = propose(actor=bureau_admin, application=large, amount="1260000")
    before = proposal_state(p)
    with pytest.raises(PermissionDenied) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    assert str(exc.value) == "您已办理本决定的其他环节：同一人不能办理同一决定的两个环节。"
    assert proposal_state(p) == before
    proposal_approve(actor=second_admin, proposal=p, comment="同意。")
    before = proposal_state(p)
    with pytest.raises(PermissionDenied) as exc:  # the leader's step, by the leader who proposed
        proposal_approve(actor=chief, proposal=p, comment="同意。")
    assert "同一人不能办理同一决定的两个环节" in str(exc.value)
    with pytest.raises(PermissionDenied):
        proposal_return(actor=second_admin, proposal=p, reason="再议。")
    assert proposal_state(p) == before
    assert not Award.objects.exists() and not Decision.objects.exists()


def test_the_database_refuses_one_person_on_two_steps(app, reviewer):
    p = propose(actor=reviewer, application=app, amount="150000")
    step = p.steps.get(position=2)
    step.acted_by, step.acted_at, step.verdict, step.comment = reviewer, timezone.now(), "approved", "同意"
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()


def test_who_may_hold_each_step(app, reviewer, reviewer_other, expert, owner_a, provider_user):
    p = propose(actor=reviewer, application=app, amount="150000")
    before = proposal_state(p)
    with pytest.raises(PermissionDenied) as exc:
        proposal_approve(actor=reviewer_other, proposal=p, comment="同意。")
    assert str(exc.value) == "该环节须由主管部门管理员办理。"
    for outsider in (expert, owner_a, provider_user, None):
        with pytest.raises(PermissionDenied):
            proposal_approve(actor=outsider, proposal=p, comment="同意。")
    assert proposal_state(p) == before


def test_an_inactive_leader_holds_no_step(large, reviewer, bureau_admin):
    chief = leader()
    AuthorisedApprover.objects.filter(user=chief).update(active=False)
    p = walk(propose(actor=reviewer, application=large, amount="1260000"), until="leader")
    with pytest.raises(PermissionDenied):
        proposal_approve(actor=chief, proposal=p, comment="同意。")


def test_each_step_needs_a_comment(app, reviewer, bureau_admin):
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        decision_propose(actor=reviewer, application=app, outcome="approve", amount="150000", comment="  ")
    assert exc.value.message_dict == {"comment": ["请填写经办意见。"]}
    assert snapshot(app) == before and not DecisionProposal.objects.exists()
    p = propose(actor=reviewer, application=app, amount="150000")
    before = proposal_state(p)
    with pytest.raises(ValidationError) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="")
    assert exc.value.message_dict == {"comment": ["请填写审批意见（如“同意”）。"]}
    with pytest.raises(ValidationError) as exc:
        proposal_return(actor=bureau_admin, proposal=p, reason=" ")
    assert exc.value.message_dict == {"reason": ["退回须说明理由。"]}
    assert proposal_state(p) == before


def test_a_step_sends_the_proposal_back(app, reviewer, bureau_admin, django_capture_on_commit_callbacks):
    p = propose(actor=reviewer, application=app, amount="100000", reason="部分交易额不符合条件")
    with django_capture_on_commit_callbacks(execute=True):
        p = proposal_return(actor=bureau_admin, proposal=p, reason="核减依据不足。")
    assert p.status == DecisionProposal.Status.RETURNED and p.closed_at is not None
    step = p.steps.get(position=2)
    assert (step.acted_by, step.verdict, step.comment) == (bureau_admin, "returned", "核减依据不足。")
    assert Notification.objects.get(recipient=reviewer, subject__startswith="拟办意见已退回").kind == "approval"
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW and not Decision.objects.exists() and not Award.objects.exists()
    with pytest.raises(ValidationError) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    assert "已办结" in str(exc.value)
    again = propose(actor=reviewer, application=app, amount="150000", comment="拟全额支持。")
    assert again.status == DecisionProposal.Status.PENDING
    assert AuditEvent.objects.filter(action="review.proposal_return", actor=bureau_admin).count() == 1


def test_one_pending_proposal_at_a_time(app, reviewer, bureau_admin):
    propose(actor=reviewer, application=app, amount="150000")
    with pytest.raises(ValidationError) as exc:
        decision_propose(
            actor=bureau_admin, application=app, outcome="decline", reason="不符合条件", comment="拟不予支持。"
        )
    assert "已有审批中的拟办意见" in str(exc.value)
    assert DecisionProposal.objects.count() == 1


def test_a_proposal_that_the_pool_cannot_pay_is_refused_at_once(app, reviewer, trading):
    BudgetPool.objects.filter(programme=trading).update(amount=Decimal("1000"))
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        propose(actor=reviewer, application=app, amount="150000")
    assert "资金池余额不足" in str(exc.value)
    assert snapshot(app) == before and not DecisionProposal.objects.exists()
    assert BudgetPool.objects.get(programme=trading).reserved == Decimal("0")


def test_the_last_step_checks_every_rule_again(app, reviewer, bureau_admin, trading):
    p = propose(actor=reviewer, application=app, amount="150000")
    BudgetPool.objects.filter(programme=trading).update(amount=Decimal("1000"))  # spent meanwhile
    before = proposal_state(p)
    with pytest.raises(ValidationError) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    assert "资金池余额不足" in str(exc.value)
    assert proposal_state(p) == before and not Award.objects.exists()
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW


def test_an_application_that_moved_on_cannot_be_decided_on_an_old_proposal(app, reviewer, bureau_admin, owner_a):
    p = propose(actor=reviewer, application=app, amount="150000")
    application_withdraw(actor=owner_a, application=app, reason="不再申报")
    with pytest.raises(ValidationError) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    assert "已不是拟办时的“实质审核中”" in str(exc.value)
    assert not Decision.objects.exists()
    proposal_return(actor=bureau_admin, proposal=p, reason="申报已撤回。")


def test_a_decline_takes_effect_with_its_letter_at_the_last_step(app, reviewer, bureau_admin):
    p = propose(
        actor=reviewer, application=app, outcome="decline", reason="交易证明不属场内交易", comment="拟不予支持。"
    )
    assert (p.outcome, p.amount, roles(p)) == (Decision.Outcome.DECLINE, Decimal("0"), ["handler", "checker"])
    assert not Letter.objects.filter(application=app).exists()
    p = proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    app.refresh_from_db()
    assert app.state == State.DECLINED and p.decision.outcome == Decision.Outcome.DECLINE
    assert Letter.objects.filter(application=app, kind="decline").count() == 1
    assert app.events.get(action="decline").message == "交易证明不属场内交易"


def test_a_decline_is_chosen_by_the_amount_at_stake(large, reviewer):
    large.estimate_amount = Decimal("1000000.00")
    large.save(update_fields=["estimate_amount"])
    p = propose(actor=reviewer, application=large, outcome="decline", reason="不符合条件")
    assert roles(p) == ["handler", "checker", "leader"]


def test_a_decline_proposed_in_formal_review_lapses_when_the_application_moves_on(
    trading, enterprise_a, owner_a, reviewer, bureau_admin
):
    from applications.services import application_transition
    from reviews.services import formal

    from .conftest import attach

    app = make_app(
        enterprise_a,
        trading,
        state=State.FORMAL_REVIEW,
        inputs={"annual_listed_trading": "5000000"},
        materials=["exchange_certificate"],
    )
    assign_to(app, reviewer)
    p = propose(actor=reviewer, application=app, outcome="decline", reason="材料严重缺失")
    missing = [m["code"] for m in app.programme.materials if m["code"] != "exchange_certificate"]
    formal.formal_review_return(
        actor=reviewer, application=app, items=[{"code": c} for c in missing], note="请补齐材料。"
    )
    for code in missing:
        attach(app, code)
    application_transition(actor=owner_a, application=app, transition="resubmit")
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW  # the state it was proposed in, but the application moved since
    with pytest.raises(ValidationError) as exc:
        proposal_approve(actor=bureau_admin, proposal=p, comment="同意。")
    assert "在拟办后已有新的办理" in str(exc.value)
    assert not Decision.objects.exists()
    again = propose(actor=reviewer, application=app, outcome="decline", reason="补正后仍不符合条件")
    p.refresh_from_db()
    assert p.status == DecisionProposal.Status.LAPSED and again.status == DecisionProposal.Status.PENDING


def test_steps_are_unique_by_position(app, reviewer):
    p = propose(actor=reviewer, application=app, amount="150000")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalStep.objects.create(proposal=p, position=2, role="checker", holder="bureau_admin")
