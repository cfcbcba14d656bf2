"""免申即享 preparing a batch: only programmes the catalogue flags, candidates computed from the facts as of
the cut-off (each input with its source), the budget effect of both remedies, a reproducible sample."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import AuditEvent
from proactive.models import AutoAwardBatch, AutoAwardCandidate, Department, EnterpriseFact
from proactive.services_auto import auto_batch_prepare
from tests.factories import EnterpriseFactory
from vouchers.catalogue import load_catalogue
from vouchers.models import ApplicationWindow

TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}


def window_of(programme):
    now = timezone.now()
    return ApplicationWindow.objects.create(
        programme=programme,
        name="免申第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )


def dcmm(enterprise, level):
    return EnterpriseFact.objects.create(
        enterprise=enterprise,
        kind="dcmm_level",
        value=level,
        department=Department.BUREAU,
        source="数据管理能力成熟度评估结果名单",
    )


def test_the_flagged_programmes_and_why():
    flagged = {
        p["code"]: p["auto_award_note"]
        for policy in load_catalogue()
        for p in policy["programmes"]
        if p.get("auto_award")
    }
    assert set(flagged) == {"hp-revenue-growth", "th-scale-leap", "th-dcmm"}
    assert all(note.strip() for note in flagged.values())


@pytest.mark.django_db
def test_prepare_lists_candidates_with_sources_budget_and_sample(catalogue, bureau_admin_th):
    window = window_of(catalogue["th-dcmm"])
    firms = [EnterpriseFactory(is_above_scale=True, **TIANHE) for _ in range(7)]
    for firm, level in zip(firms, "3453452", strict=True):
        dcmm(firm, level)
    small = EnterpriseFactory(is_above_scale=False, **TIANHE)
    dcmm(small, "5")
    batch = auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=timezone.now(), seed=7)
    candidates = {c.enterprise_id: c for c in batch.candidates.all()}
    assert set(candidates) == {f.pk for f in firms[:6]}  # level 2 and not 规上 are not candidates
    assert candidates[firms[1].pk].amount == Decimal("100000.00")
    assert candidates[firms[0].pk].inputs["dcmm_level"]["source"] == "数据管理能力成熟度评估结果名单"
    assert batch.budget["candidates"] == 6 and batch.budget["requested"] == "700000.00"
    assert batch.budget["pool_exists"] is False and batch.budget["oversubscribed"] is True
    assert batch.budget["rank_total"] == "0.00"  # no pool yet: the effect shows nothing can be awarded
    assert len(batch.sample) == 5 and sum(c.in_sample for c in candidates.values()) == 5
    again = auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=timezone.now(), seed=7)
    assert again.sample == batch.sample  # the stored seed draws the same sample
    assert AuditEvent.objects.filter(action="proactive.auto_batch_prepare").count() == 2


@pytest.mark.django_db
def test_pool_short_gives_ranked_and_pro_rata(catalogue, bureau_admin_th):
    from vouchers.services.budget import pool_set_amount

    pool_set_amount(
        actor=bureau_admin_th,
        programme=catalogue["th-dcmm"],
        fiscal_year=timezone.localdate().year,
        amount=Decimal("150000"),
    )
    window = window_of(catalogue["th-dcmm"])
    for level in "345":
        dcmm(EnterpriseFactory(is_above_scale=True, **TIANHE), level)
    batch = auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=timezone.now(), seed=1)
    assert batch.budget["rank_total"] == "150000.00" and batch.budget["pro_rata_total"] == "150000.00"
    pro = sorted(c.pro_rata_award for c in batch.candidates.all())
    assert sum(pro) == Decimal("150000.00") and pro[0] < Decimal("50000.00")


@pytest.mark.django_db
def test_facts_changed_after_the_cutoff_are_left_out(catalogue, bureau_admin_th):
    window = window_of(catalogue["th-dcmm"])
    firm = EnterpriseFactory(is_above_scale=True, **TIANHE)
    fact = dcmm(firm, "4")
    cutoff = timezone.now()
    EnterpriseFact.objects.filter(pk=fact.pk).update(updated_at=cutoff + dt.timedelta(seconds=1))
    batch = auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=cutoff, seed=1)
    assert not batch.candidates.exists() and batch.budget["left_out_changed_after_cutoff"] == 1


@pytest.mark.django_db
def test_refusals(catalogue, bureau_admin, bureau_admin_th, reviewer_th, owner_a):
    window = window_of(catalogue["th-dcmm"])
    for actor in (reviewer_th, owner_a, bureau_admin):  # bureau_admin is Huangpu's
        with pytest.raises(PermissionDenied):
            auto_batch_prepare(actor=actor, window=window, facts_cutoff=timezone.now())
    with pytest.raises(ValidationError):
        auto_batch_prepare(
            actor=bureau_admin_th, window=window_of(catalogue["th-compute-subsidy"]), facts_cutoff=timezone.now()
        )
    with pytest.raises(ValidationError):
        auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=timezone.now() + dt.timedelta(days=1))
    assert not AutoAwardBatch.objects.exists() and not AutoAwardCandidate.objects.exists()


@pytest.mark.django_db
def test_api_prepare_and_read_scoped(api_for, catalogue, bureau_admin, bureau_admin_th, reviewer_th, owner_a):
    window = window_of(catalogue["th-dcmm"])
    dcmm(EnterpriseFactory(is_above_scale=True, **TIANHE), "4")
    body = {"window": window.pk, "facts_cutoff": timezone.now().isoformat(), "confirm_workdays": 10}
    assert api_for(reviewer_th).post("/api/v1/auto-award-batches/", body, format="json").status_code == 403
    assert api_for(owner_a).post("/api/v1/auto-award-batches/", body, format="json").status_code == 403
    assert api_for(bureau_admin).post("/api/v1/auto-award-batches/", body, format="json").status_code == 404
    assert not AutoAwardBatch.objects.exists()
    created = api_for(bureau_admin_th).post("/api/v1/auto-award-batches/", body, format="json")
    assert created.status_code == 201 and created.json()["budget"]["candidates"] == 1
    pk = created.json()["id"]
    listed = api_for(bureau_admin_th).get(f"/api/v1/auto-award-batches/{pk}/candidates/").json()["results"]
    assert listed[0]["amount"] == "100000.00" and listed[0]["inputs"]["dcmm_level"]["value"] == "4"
    for user in (bureau_admin, reviewer_th, owner_a):
        assert api_for(user).get(f"/api/v1/auto-award-batches/{pk}/").status_code == 404
        assert api_for(user).get(f"/api/v1/auto-award-batches/{pk}/candidates/").status_code == 404


@pytest.mark.django_db
def test_pages(client_for, catalogue, bureau_admin, bureau_admin_th, reviewer_th, owner_a):
    from django.urls import reverse

    window = window_of(catalogue["th-dcmm"])
    dcmm(EnterpriseFactory(is_above_scale=True, **TIANHE), "5")
    # the page's cut-off is to the minute: the fact must predate it
    EnterpriseFact.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    url = reverse("proactive:auto_batches")
    for user in (reviewer_th, owner_a):
        assert client_for(user).post(url, {"window": window.pk, "facts_cutoff": "2026-01-01T00:00"}).status_code in (
            302,
            403,
        )
    assert (
        client_for(bureau_admin).post(url, {"window": window.pk, "facts_cutoff": "2026-01-01T00:00"}).status_code == 404
    )
    assert not AutoAwardBatch.objects.exists()
    c = client_for(bureau_admin_th)
    assert "数据要素供给奖励" in c.get(url).content.decode()  # the flagged programme's window is offered
    cutoff = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = c.post(url, {"window": window.pk, "facts_cutoff": cutoff, "confirm_workdays": "10"})
    batch = AutoAwardBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("proactive:auto_batch", args=[batch.pk])
    page = c.get(response["Location"]).content.decode()
    assert "200,000.00" in page and "数据管理能力成熟度评估结果名单" in page and "列为免申即享的理由" in page
    assert client_for(bureau_admin).get(response["Location"]).status_code == 404
