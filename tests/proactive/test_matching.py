"""政策找企业: matching on known facts says likely (with the amount), possible (with the missing facts) or
not eligible (with the reason); a rerun with nothing changed writes nothing; the likely are told once
per window, unless they opted out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from proactive.matching import matches_for_enterprise, matching_run
from proactive.models import Department, EnterpriseFact, MatchPreference, MatchSet
from proactive.notices import match_notices_send
from tests.factories import EnterpriseFactory, member
from vouchers.models import ApplicationWindow

TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}


def fact(enterprise, kind, value, period=""):
    return EnterpriseFact.objects.create(
        enterprise=enterprise,
        kind=kind,
        value=value,
        period=period,
        department=Department.STATISTICS,
        source="测试数据",
    )


def open_window(programme):
    now = timezone.now()
    return ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )


@pytest.fixture
def tianhe(catalogue):
    for code in ("th-scale-leap", "th-dcmm", "th-compute-subsidy", "hp-revenue-growth"):
        open_window(catalogue[code])
    leader = EnterpriseFactory(name="天河领军科技有限公司", is_above_scale=True, **TIANHE)
    fact(leader, "annual_revenue", "6000000000.00", "2025")
    fact(leader, "annual_revenue", "5500000000.00", "2024")
    fact(leader, "rd_expense", "600000000.00", "2025")
    fact(leader, "rd_expense", "550000000.00", "2024")
    fact(leader, "dcmm_level", "2")
    return leader


def by_code(rows):
    return {r["programme"]: r for r in rows}


@pytest.mark.django_db
def test_likely_possible_and_not_eligible(tianhe):
    matching_run(trigger="test")
    rows = by_code(MatchSet.objects.get(enterprise=tianhe).results)
    assert rows["th-scale-leap"]["status"] == "likely"
    assert Decimal(rows["th-scale-leap"]["amount"]) > 0
    assert rows["th-compute-subsidy"]["status"] == "possible"
    assert rows["th-compute-subsidy"]["missing"] == ["annual_contract_total"]
    shown = by_code(matches_for_enterprise(tianhe))
    assert shown["th-compute-subsidy"]["missing"] == ["年度算力、算法服务合同总金额"]
    assert rows["th-dcmm"]["status"] == "not_eligible" and rows["th-dcmm"]["reasons"]
    assert "hp-revenue-growth" not in rows  # another district's programme is not this enterprise's concern


@pytest.mark.django_db
def test_missing_fact_names_it_and_not_in_one_district_says_why(catalogue, tianhe):
    partial = EnterpriseFactory(**TIANHE)
    fact(partial, "annual_revenue", "6000000000.00", "2025")
    split = EnterpriseFactory(registered_district="tianhe", tax_district="huangpu", stats_district="tianhe")
    matching_run(trigger="test")
    rows = by_code(MatchSet.objects.get(enterprise=partial).results)
    assert rows["th-scale-leap"]["status"] == "possible"
    assert rows["th-scale-leap"]["missing"] == ["revenue_previous", "rd_current", "rd_previous"]
    split_rows = by_code(MatchSet.objects.get(enterprise=split).results)
    assert split_rows["th-scale-leap"]["status"] == "not_eligible"
    assert "注册地、纳税地、统计地" in split_rows["th-scale-leap"]["reasons"][0]


@pytest.mark.django_db
def test_rerun_writes_only_what_changed(tianhe):
    first = matching_run(trigger="test")
    assert first.written >= 1
    again = matching_run(trigger="test")
    assert again.written == 0
    EnterpriseFact.objects.filter(enterprise=tianhe, kind="dcmm_level").update(value="4")
    third = matching_run(trigger="facts")
    assert third.written == 1
    rows = by_code(MatchSet.objects.get(enterprise=tianhe).results)
    assert rows["th-dcmm"]["status"] == "likely" and Decimal(rows["th-dcmm"]["amount"]) == Decimal("100000.00")


@pytest.mark.django_db
@pytest.mark.django_db
def test_notified_once_per_window_and_opt_out(tianhe, django_capture_on_commit_callbacks):
    owner = member(tianhe, email="owner-th@example.cn")
    quiet = EnterpriseFactory(**TIANHE)
    quiet_owner = member(quiet, email="quiet@example.cn")
    for kind, value, period in (
        ("annual_revenue", "6000000000.00", "2025"),
        ("annual_revenue", "5500000000.00", "2024"),
        ("rd_expense", "600000000.00", "2025"),
        ("rd_expense", "550000000.00", "2024"),
    ):
        fact(quiet, kind, value, period)
    MatchPreference.objects.create(enterprise=quiet, notify=False)
    matching_run(trigger="test")
    with django_capture_on_commit_callbacks(execute=True):
        assert match_notices_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert match_notices_send() == 0
    messages = owner.notifications.filter(subject__startswith="政策匹配提醒")
    assert messages.count() == 1 and "规模" not in messages.get().subject
    assert not quiet_owner.notifications.exists()


@pytest.mark.django_db
def test_enterprise_list_is_computed_when_nothing_is_stored(tianhe):
    rows = matches_for_enterprise(tianhe)
    assert rows[0]["status"] == "likely" and rows[0]["programme_name"]
