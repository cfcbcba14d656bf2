"""The pages that join proactive to the rest: the public calculator's "use my enterprise's data", the
reviewer's declared-versus-facts panel, the enterprise's matches and facts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from applications.models import Application
from proactive.models import Department, EnterpriseFact
from tests.factories import EnterpriseFactory, member

TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}


def fact(enterprise, kind, value, period=""):
    return EnterpriseFact.objects.create(
        enterprise=enterprise,
        kind=kind,
        value=value,
        period=period,
        department=Department.STATISTICS,
        source="广州市统计局",
    )


@pytest.mark.django_db
def test_calculator_runs_on_the_enterprises_facts(catalogue, client_for):
    enterprise = EnterpriseFactory(**TIANHE)
    owner = member(enterprise, email="o@example.cn")
    fact(enterprise, "annual_revenue", "6000000000.00", "2025")
    fact(enterprise, "annual_revenue", "5500000000.00", "2024")
    c = client_for(owner)
    page = c.get(reverse("vouchers:estimate", args=["th-scale-leap"]))
    assert reverse("proactive:estimate_prefill", args=["th-scale-leap"]) in page.content.decode()
    response = c.get(reverse("proactive:estimate_prefill", args=["th-scale-leap"]))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["revenue_current"] == ["6000000000.00"] and query["revenue_previous"] == ["5500000000.00"]
    assert "rd_current" not in query  # no fact gives it: left for the enterprise, and the calculator names it
    assert (
        "use-enterprise-data"
        not in client_for(None).get(reverse("vouchers:estimate", args=["th-scale-leap"])).content.decode()
    )


@pytest.mark.django_db
def test_prefill_needs_an_enterprise_member(catalogue, client_for, reviewer):
    response = client_for(reviewer).get(reverse("proactive:estimate_prefill", args=["th-scale-leap"]))
    assert response.status_code in (302, 403) and "vouchers" not in response.get("Location", "estimate")


@pytest.mark.django_db
def test_reviewer_sees_declared_beside_facts_with_differences(catalogue, client_for, reviewer_th):
    enterprise = EnterpriseFactory(**TIANHE)
    owner = member(enterprise, email="o2@example.cn")
    app = Application.objects.create(
        enterprise=enterprise,
        programme=catalogue["th-scale-leap"],
        reference="T-9",
        created_by=owner,
        state="bureau_review",
        inputs={
            "revenue_current": "6000000000.00",
            "revenue_previous": "5000000000.00",
            "rd_current": "1",
            "rd_previous": "0",
        },
    )
    fact(enterprise, "annual_revenue", "6000000000.00", "2025")
    fact(enterprise, "annual_revenue", "4000000000.00", "2024")
    page = client_for(reviewer_th).get(reverse("reviews:application", args=[app.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "申报数据与企业档案比对" in html and "1 处不一致" in html and "4,000,000,000.00" in html
