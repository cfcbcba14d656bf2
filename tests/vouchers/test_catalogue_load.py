import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from portal.models import AuditEvent, Role
from tests.factories import UserFactory
from vouchers import calculator
from vouchers.models import Award, BudgetPool, ParameterValue, Policy, Programme
from vouchers.selectors import estimate_for, parameters_in_force, programme_get
from vouchers.services.catalogue import catalogue_load, parameter_set

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Policy.objects.order_by("code").values()),
        list(Programme.objects.order_by("code").values()),
        list(ParameterValue.objects.order_by("id").values()),
    )


def test_loading_twice_changes_nothing():
    call_command("catalogue_load", verbosity=0)
    first = _snapshot()
    counts = catalogue_load()
    assert counts["changed"] == 0
    assert _snapshot() == first
    assert Programme.objects.count() == 24
    assert Policy.objects.get(code="hp2025").document_number == "穗开经信规字〔2025〕7号"
    assert Policy.objects.get(code="th2024").status == "draft"
    assert "算力券" in Policy.objects.get(code="hp2025").full_text


def test_worked_example_through_the_database(catalogue):
    est = estimate_for(
        programme=catalogue["hp-revenue-growth"],
        on=dt.date(2026, 3, 1),
        inputs={"revenue_current": "700000000", "revenue_previous": "500000000"},
    )
    assert est.eligible and est.amount == Decimal("800000.00")


def test_a_parameter_changed_from_a_date_leaves_earlier_dates_alone(catalogue):
    admin = UserFactory(role=Role.BUREAU_ADMIN)
    programme = catalogue["hp-data-trading"]
    parameter_set(
        actor=admin,
        programme=programme,
        name="rate",
        value=Decimal("0.02"),
        effective_from=dt.date(2027, 1, 1),
        clause="2027年度申报指南",
    )
    assert parameters_in_force(programme=programme, on=dt.date(2026, 12, 31))["rate"] == Decimal("0.03")
    assert parameters_in_force(programme=programme, on=dt.date(2027, 1, 1))["rate"] == Decimal("0.02")
    before = estimate_for(programme=programme, inputs={"annual_listed_trading": "2000000"}, on=dt.date(2026, 6, 1))
    after = estimate_for(programme=programme, inputs={"annual_listed_trading": "2000000"}, on=dt.date(2027, 6, 1))
    assert (before.amount, after.amount) == (Decimal("60000.00"), Decimal("40000.00"))
    assert AuditEvent.objects.filter(action="parameter.set").count() == 1
    # reloading the shipped catalogue keeps the administrator's value
    catalogue_load()
    assert parameters_in_force(programme=programme, on=dt.date(2027, 1, 1))["rate"] == Decimal("0.02")


def test_only_administrators_change_parameters(catalogue):
    with pytest.raises(Exception):
        parameter_set(
            actor=UserFactory(role=Role.REVIEWER),
            programme=catalogue["hp-data-trading"],
            name="rate",
            value=Decimal("0.777"),
            effective_from=dt.date(2027, 1, 1),
            clause="x",
        )
    assert not ParameterValue.objects.filter(value=Decimal("0.777")).exists()


def test_prior_awards_in_the_database_bind_the_cap(catalogue, enterprise_a, owner_a):
    from applications.models import Application

    programme = catalogue["hp-compute-voucher"]
    pool = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=Decimal("10000000"))
    earlier = Application.objects.create(
        reference="T-1", enterprise=enterprise_a, programme=programme, created_by=owner_a
    )
    Award.objects.create(
        application=earlier,
        enterprise=enterprise_a,
        programme=programme,
        pool=pool,
        fiscal_year=2026,
        amount=Decimal("450000"),
        decided_on=dt.date(2026, 2, 1),
    )
    est = estimate_for(
        programme=programme, inputs={"eligible_cost": "200000"}, on=dt.date(2026, 5, 1), enterprise=enterprise_a
    )
    assert est.amount == Decimal("50000.00") and est.capped_by == "cap_per_enterprise_period"
    # the same application's own award does not count against itself
    est = estimate_for(
        programme=programme,
        inputs={"eligible_cost": "200000"},
        on=dt.date(2026, 5, 1),
        enterprise=enterprise_a,
        exclude_application_id=earlier.pk,
    )
    assert est.amount == Decimal("200000.00")


def test_unknown_code_is_404(catalogue):
    from django.http import Http404

    with pytest.raises(Http404):
        programme_get(code="no-such-programme")


def test_input_errors_are_per_field(catalogue):
    with pytest.raises(calculator.InputError) as err:
        estimate_for(
            programme=catalogue["hp-data-trading"], inputs={"annual_listed_trading": "-5"}, on=dt.date(2026, 6, 1)
        )
    assert "annual_listed_trading" in err.value.errors
