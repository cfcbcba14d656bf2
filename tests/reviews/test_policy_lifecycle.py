"""A policy across its whole life (issue 11): the basis date (测算基准日) an application is judged on,
the final claim window (清算批次) after a policy expires, and every date rule at its edges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.models import Application, District, EnterpriseMember
from applications.services import application_create, application_save_draft, application_submit
from applications.workflow import State
from reviews.selectors import decision_estimate
from tests.approvals import approve
from vouchers.lifecycle import basis_date, policy_state, window_check
from vouchers.models import ApplicationWindow, Award
from vouchers.services.catalogue import parameter_set, window_open

from ..factories import EnterpriseFactory, member
from .conftest import assign_to, at, attach, make_app, make_pool

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def tianhe_co(db):
    return EnterpriseFactory(
        name="广州天河算力应用有限公司",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
    )


@pytest.fixture
def tianhe_owner(tianhe_co):
    return member(tianhe_co, EnterpriseMember.MemberRole.OWNER)


@pytest.fixture
def compute(catalogue):
    """th-compute-subsidy (培育措施 8): 5% of the year's contracts, th2024 valid to 2026-12-31."""
    return catalogue["th-compute-subsidy"]


# ---------------------------------------------------------------- policy state at its edges


def test_policy_state_on_the_last_day_the_first_day_after_and_during_a_claim_window(compute, clock):
    policy = compute.policy
    assert policy.valid_to == D(2026, 12, 31)
    assert policy_state(policy, D(2026, 12, 31)).code == "in_force"
    after = policy_state(policy, D(2027, 1, 1))
    assert after.code == "closed" and "2026-12-31" in after.detail
    ApplicationWindow.objects.create(
        programme=compute,
        name="2026年度清算批次",
        kind="claim",
        opens_at=at(2027, 1, 4, 9),
        closes_at=at(2027, 3, 31, 17),
    )
    claims = policy_state(policy, D(2027, 1, 1))
    assert claims.code == "claims" and claims.until == D(2027, 3, 31)
    assert "清算申报" in claims.detail and "2024-01-01 至 2026-12-31" in claims.detail
    assert policy_state(policy, D(2027, 3, 31)).code == "claims"
    assert policy_state(policy, D(2027, 4, 1)).code == "closed"
    assert policy_state(policy, D(2023, 12, 31)).code == "pending"


def test_ordinary_windows_cannot_run_past_the_validity_claim_windows_only_can(compute, bureau_admin_th, clock):
    with pytest.raises(ValidationError) as info:
        window_open(
            actor=bureau_admin_th,
            programme=compute,
            name="跨年批次",
            opens_at=at(2026, 12, 1, 9),
            closes_at=at(2027, 1, 1, 9),
        )
    assert "清算批次" in info.value.message_dict["closes_at"][0]
    # the last day itself is fine for an ordinary window
    window_open(
        actor=bureau_admin_th,
        programme=compute,
        name="2026年第四批",
        opens_at=at(2026, 12, 1, 9),
        closes_at=at(2026, 12, 31, 17),
    )
    with pytest.raises(ValidationError) as info:
        window_check(programme=compute, kind="claim", opens_at=at(2026, 12, 1, 9), closes_at=at(2026, 12, 30, 17))
    assert "截止时间须晚于到期日" in info.value.message_dict["kind"][0]
    window = window_open(
        actor=bureau_admin_th,
        programme=compute,
        name="2026年度清算批次",
        kind="claim",
        opens_at=at(2027, 1, 4, 9),
        closes_at=at(2027, 3, 31, 17),
    )
    assert window.kind == ApplicationWindow.Kind.CLAIM


# ---------------------------------------------------------------- the basis date


def test_basis_date_rules_at_the_edges(compute):
    assert basis_date(programme=compute, submitted_on=D(2026, 12, 31), period_end=None) == D(2026, 12, 31)
    assert basis_date(programme=compute, submitted_on=D(2027, 1, 4), period_end=D(2026, 12, 31)) == D(2026, 12, 31)
    with pytest.raises(ValidationError) as info:  # after expiry, a claim must name its period
        basis_date(programme=compute, submitted_on=D(2027, 1, 4), period_end=None)
    assert "清算批次只受理政策有效期内" in info.value.message_dict["period_end"][0]
    with pytest.raises(ValidationError) as info:  # a period that ends after the policy does not fit
        basis_date(programme=compute, submitted_on=D(2027, 2, 1), period_end=D(2027, 1, 31))
    assert "不在政策有效期内" in info.value.message_dict["period_end"][0]
    with pytest.raises(ValidationError):  # nor one before it took effect
        basis_date(programme=compute, submitted_on=D(2026, 3, 1), period_end=D(2023, 12, 31))
    with pytest.raises(ValidationError) as info:  # the period cannot end in the future
        basis_date(programme=compute, submitted_on=D(2026, 3, 1), period_end=D(2026, 3, 2))
    assert "不能晚于提交日期" in info.value.message_dict["period_end"][0]


def test_a_december_application_is_decided_in_january_under_the_policy_it_was_submitted_in(
    compute, tianhe_co, reviewer_th, clock
):
    """The finding: with the clock at 2027-01-04 a Tianhe application submitted on time in December
    could only be declined ("测算日期 2027-01-04 不在政策有效期内")."""
    clock.set(at(2026, 12, 28))
    app = make_app(tianhe_co, compute, state=State.BUREAU_REVIEW, inputs={"annual_contract_total": "10000000"})
    assign_to(app, reviewer_th)
    make_pool(compute, 2027)
    clock.set(at(2027, 1, 4))
    assert decision_estimate(app).on == D(2026, 12, 28)
    decision = approve(actor=reviewer_th, application=app, amount="500000")
    assert decision.decided_on == D(2027, 1, 4) and decision.basis_date == D(2026, 12, 28)
    award = Award.objects.get(application=app)
    # the pool of the decision's fiscal year pays it; the caps count it on its basis date
    assert (award.fiscal_year, award.basis_date, award.amount) == (2027, D(2026, 12, 28), Decimal("500000.00"))


def test_the_december_application_is_noticed_lettered_and_paid_in_2027_under_th2024(
    compute, tianhe_co, reviewer_th, bureau_admin_th, clock, django_capture_on_commit_callbacks
):
    from reviews.models import Letter
    from reviews.services import notices
    from vouchers.services.budget import tranche_disburse

    clock.set(at(2026, 12, 28))
    app = make_app(tianhe_co, compute, state=State.BUREAU_REVIEW, inputs={"annual_contract_total": "10000000"})
    assign_to(app, reviewer_th)
    make_pool(compute, 2027)
    clock.set(at(2027, 1, 4))
    approve(actor=reviewer_th, application=app, amount="500000")
    notice = notices.notice_publish(actor=bureau_admin_th, application_ids=[app.pk])
    assert notice.starts_on.year == 2027
    clock.set(at(notice.ends_on.year, notice.ends_on.month, notice.ends_on.day, 18) + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        notices.notice_finalize(application=app, actor=bureau_admin_th)
    app.refresh_from_db()
    assert app.state == State.APPROVED
    letter = Letter.objects.get(application=app, kind="approval")
    assert letter.number.startswith("天科工信批字〔2027〕") and letter.authority == "广州市天河区科技工业和信息化局"
    award = Award.objects.get(application=app)
    entry = tranche_disburse(
        actor=bureau_admin_th, award=award, amount="500000", paid_on=D(2027, 2, 1), reference="GK2027-0001"
    )
    award.refresh_from_db()
    assert entry.amount == award.disbursed == Decimal("500000.00") and award.basis_date == D(2026, 12, 28)


def test_a_parameter_changed_mid_window_applies_from_its_date_not_to_earlier_submissions(
    catalogue, enterprise_a, reviewer, bureau_admin, clock
):
    trading = catalogue["hp-data-trading"]
    make_pool(trading, 2026)
    clock.set(at(2026, 5, 31))
    before = make_app(enterprise_a, trading, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "2000000"})
    parameter_set(
        actor=bureau_admin,
        programme=trading,
        name="rate",
        value=Decimal("0.05"),
        effective_from=D(2026, 6, 1),
        clause="2026年度申报指南",
    )
    clock.set(at(2026, 6, 1))
    after = make_app(enterprise_a, trading, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "2000000"})
    clock.set(at(2026, 6, 20))  # both decided after the change
    assert decision_estimate(before).amount == Decimal("60000.00")  # 3%, in force on 2026-05-31
    assert decision_estimate(after).amount == Decimal("100000.00")  # 5% from 2026-06-01
    assign_to(before, reviewer)
    decision = approve(actor=reviewer, application=before, amount="60000")
    assert decision.parameters["rate"] == "0.0300"


# ---------------------------------------------------------------- the final claim window, end to end


@pytest.fixture
def expired_compute(compute, bureau_admin_th, clock):
    """th-compute-subsidy after th2024 expired, with a 清算批次 open (the clock in January 2027)."""
    clock.set(at(2027, 1, 5))
    window_open(
        actor=bureau_admin_th,
        programme=compute,
        name="2026年度清算批次",
        kind="claim",
        opens_at=at(2027, 1, 4, 9),
        closes_at=at(2027, 3, 31, 17),
    )
    return compute


def _draft(programme, owner, **data) -> Application:
    saved = application_create(
        actor=owner,
        programme=programme,
        data={
            "title": "2026年度算力服务合同",
            "contract_numbers": ["HT-2026-001"],
            "inputs": {"annual_contract_total": "10000000"},
            **data,
        },
    )
    app = saved.application
    for material in programme.materials:
        attach(app, material["code"], owner)
    return app


def test_a_claim_window_takes_a_claim_on_2026_facts_in_2027(expired_compute, tianhe_owner):
    app = _draft(expired_compute, tianhe_owner)
    with pytest.raises(ValidationError) as info:  # no period named: judged today, after the validity
        application_submit(actor=tianhe_owner, application=app, declaration=True)
    assert "清算批次只受理政策有效期内" in str(info.value)
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.basis_date is None
    application_save_draft(actor=tianhe_owner, application=app, data={"period_end": "2026-12-31"}, strict=True)
    application_submit(actor=tianhe_owner, application=app, declaration=True)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.basis_date == D(2026, 12, 31)
    assert app.estimate_amount == Decimal("500000.00")


def test_after_the_claim_window_the_policy_takes_nothing(expired_compute, tianhe_owner, clock):
    clock.set(at(2027, 4, 1))
    with pytest.raises(ValidationError) as info:
        application_create(actor=tianhe_owner, programme=expired_compute, data={})
    assert "未开放清算批次" in str(info.value)


def test_a_bad_period_end_is_refused_in_the_users_language_and_nothing_is_saved(expired_compute, tianhe_owner):
    app = _draft(expired_compute, tianhe_owner)
    with pytest.raises(ValidationError) as info:
        application_save_draft(actor=tianhe_owner, application=app, data={"period_end": "2026-13-40"}, strict=True)
    assert "日期格式应为" in info.value.message_dict["period_end"][0]
    app.refresh_from_db()
    assert app.period_end is None


# ---------------------------------------------------------------- what the pages and the API say


def test_pages_and_api_say_which_state_the_policy_is_in_and_who_is_responsible(
    catalogue, client_for, api_for, bureau_admin_th, clock
):
    compute = catalogue["th-compute-subsidy"]
    clock.set(at(2026, 12, 31))
    page = client_for(None).get("/catalogue/th-compute-subsidy/").content.decode()
    assert "有效期 2024-01-01 至 2026-12-31" in page and "责任单位：广州市天河区科技工业和信息化局" in page
    body = api_for(None).get("/api/v1/programs/th-compute-subsidy/").json()
    assert body["policy"]["life"]["code"] == "in_force" and body["responsible_unit"] == "广州市天河区科技工业和信息化局"
    clock.set(at(2027, 1, 2))
    assert api_for(None).get("/api/v1/programs/th-dcmm/").json()["policy"]["life"]["code"] == "closed"
    assert "已到期，停止受理" in client_for(None).get("/catalogue/policy/th2024/").content.decode()
    window_open(
        actor=bureau_admin_th,
        programme=compute,
        name="2026年度清算批次",
        kind="claim",
        opens_at=at(2027, 1, 4, 9),
        closes_at=at(2027, 3, 31, 17),
    )
    life = api_for(None).get("/api/v1/programs/th-dcmm/").json()["policy"]["life"]
    assert life["code"] == "claims" and life["until"] == "2027-03-31"
    page = client_for(None).get("/catalogue/th-compute-subsidy/").content.decode()
    assert "已到期，受理清算申报" in page and "2027-03-31 前受理有效期内" in page
    data = api_for(None).get("/api/v1/programs/hp-data-trading/").json()
    assert data["responsible_unit"] == "广州开发区政务服务和数据管理局"
