"""The district codes are named in three places on purpose (portal imports no app; the calculator is
pure): staff jurisdictions, enterprises' districts and the calculator's labels. They must agree, and
every policy of the catalogue must belong to a jurisdiction some staff can hold."""

from __future__ import annotations

from applications.models import District
from portal.models import Jurisdiction
from vouchers import calculator
from vouchers.catalogue import load_catalogue


def test_jurisdictions_are_the_enterprise_districts_but_other():
    assert {(d.value, str(d.label)) for d in Jurisdiction} == {
        (d.value, str(d.label)) for d in District if d != District.OTHER
    }


def test_the_calculator_names_each_jurisdiction():
    assert set(calculator.DISTRICT_LABELS) == set(Jurisdiction.values)
    for code in Jurisdiction.values:
        assert calculator.DISTRICT_LABELS[code] in str(Jurisdiction(code).label)


def test_every_policy_belongs_to_a_jurisdiction():
    districts = {policy["district"] for policy in load_catalogue()}
    assert districts == set(Jurisdiction.values)
