"""th-case-by-case (培育措施 1 一事一议): amount set by the decision, which rests on the district
government's consent document (经区政府同意); no calculator maximum but the request, and the pool binds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.models import District
from applications.workflow import State
from tests.approvals import approve

from ..factories import EnterpriseFactory
from .conftest import assign_to, attach, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(reviewer_th):
    """th-case-by-case is th2024's: Tianhe's bureau works it (所属区域); the conftest's staff are Huangpu's."""
    return reviewer_th


@pytest.fixture
def bureau_admin(bureau_admin_th):
    return bureau_admin_th


@pytest.fixture
def case(catalogue, clock, reviewer):
    programme = catalogue["th-case-by-case"]
    enterprise = EnterpriseFactory(
        name="广州天河引领智能有限公司",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
    )
    app = make_app(
        enterprise,
        programme,
        state=State.BUREAU_REVIEW,
        inputs={"requested_amount": "8000000"},
        materials=["business_license", "credit_commitment", "project_plan"],
    )
    assign_to(app, reviewer)
    return app


def test_no_consent_document_no_approval(case, reviewer):
    make_pool(case.programme, 2026)
    before = snapshot(case)
    with pytest.raises(ValidationError) as info:
        approve(actor=reviewer, application=case, amount="8000000")
    assert "区政府同意文件" in str(info.value)
    assert snapshot(case) == before


def test_the_decision_records_the_consent_and_sets_the_amount(case, reviewer):
    make_pool(case.programme, 2026)
    consent = attach(case, "government_consent")
    decision = approve(actor=reviewer, application=case, amount="6000000", reason="区政府常务会议同意按600万元扶持")
    assert decision.consent_document == consent and decision.amount == Decimal("6000000.00")
    assert decision.max_amount == Decimal("8000000.00")  # the request, not a clause figure


def test_the_pool_still_binds(case, reviewer):
    make_pool(case.programme, 2026, amount="5000000")
    attach(case, "government_consent")
    before = snapshot(case)
    with pytest.raises(ValidationError):
        approve(actor=reviewer, application=case, amount="6000000", reason="按同意文件")
    assert snapshot(case) == before
