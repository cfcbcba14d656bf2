"""The demo (bin/demo's demo_seed) under the four-eyes rule: staff for each step of the chains — the
reviewer proposes, the administrator checks (复核), the authorised leader signs (分管领导) — an
application waiting at 复核 and one at 分管领导, and the journey goes on from there."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from applications.workflow import State
from portal.models import User
from reviews.models import AuthorisedApprover, DecisionProposal
from reviews.selectors_approvals import may_act_on, next_step
from reviews.services.approvals import proposal_approve

from ..approvals import ensure_default_chains

pytestmark = pytest.mark.django_db


def test_the_demo_waits_at_each_step_and_goes_on(settings, private_storage, capsys):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ensure_default_chains()
    call_command("demo_seed", verbosity=0)
    assert "leader@demo.cn" in capsys.readouterr().out  # the demo logins name the leader
    reviewer, admin, leader = (User.objects.get(email=f"{who}@demo.cn") for who in ("reviewer", "admin", "leader"))
    assert AuthorisedApprover.objects.get(user=leader).active
    pending = {next_step(p).role: p for p in DecisionProposal.objects.filter(status="pending")}
    assert set(pending) == {"checker", "leader"}
    checking, signing = pending["checker"], pending["leader"]
    assert checking.proposed_by == reviewer and signing.proposed_by == reviewer
    assert may_act_on(checking, admin) and not may_act_on(checking, reviewer)
    assert may_act_on(signing, leader) and not may_act_on(signing, admin)  # the admin holds its 复核 already
    assert DecisionProposal.objects.filter(status="approved").count() == 1  # the application in public notice

    call_command("demo_seed", verbosity=0)  # idempotent
    assert DecisionProposal.objects.count() == 3

    # the journey goes on: the administrator checks, the leader signs
    proposal_approve(actor=admin, proposal=checking, comment="同意。")
    proposal_approve(actor=leader, proposal=signing, comment="同意。")
    for p in (checking, signing):
        p.application.refresh_from_db()
        assert p.application.state == State.APPROVED_PENDING_NOTICE
