"""Probe (issue 12): bureau staff and experts belong to a district (所属区域, the district of a
policy's issuing authority); the queue, the review services, the budget pools, the payments and the
exports are scoped to it; the system administrator sees all. Before the change a Tianhe reviewer
could claim, review and decide Huangpu files.

The standing cast (tests/cast/): everything of enterprise A is under hp2025 (Huangpu); the cast's
staff are Huangpu's, reviewer_th and admin_th Tianhe's. B's two-party application and A's
pre-approval are th2024's (Tianhe)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from applications.workflow import State
from portal.models import Role
from portal.permissions import district_q, in_district, require_district, staff_districts
from reviews.models import ReviewAssignment
from reviews.selectors import QueueFilters, queue_for
from reviews.services import approvals, assignments, formal
from tests.factories import UserFactory

from .harness import request_as, snapshot, snapshot_diff

pytestmark = pytest.mark.django_db


def _as(world, role: str, method: str, url: str, *, api: bool = False, data=None):
    return request_as(world.session, role, method, url, api=api, data=data, baseline=world.baseline)


# ---------------------------------------------------------------- the probe


def test_a_tianhe_reviewer_cannot_act_on_a_huangpu_application(world):
    """The probe of the issue: the Tianhe reviewer claims a Huangpu application waiting for a
    reviewer, passes its formal review and decides it — every path refused, nothing changed."""
    c = world.cast
    th = c.user("reviewer_th")
    app = c.a_submitted
    assert app.programme.policy.district == "huangpu" and app.state == State.SUBMITTED
    # the pages: the workspace answers 404, the claim too (as for another enterprise's file)
    for name in ("reviews:application", "reviews:claim"):
        method = "GET" if name == "reviews:application" else "POST"
        obs = _as(world, "reviewer_th", method, reverse(name, args=[app.pk]))
        assert obs.status == 404, (name, obs.status)
        assert not obs.changed
    # the API: the bulk claim reports it as not found, without its reference
    obs = _as(world, "reviewer_th", "POST", reverse("api-reviews-claim"), api=True, data={"application_ids": [app.pk]})
    assert obs.status == 200 and '"refused":1' in obs.body.replace(" ", "") and app.reference not in obs.body
    assert not obs.changed
    # the services decide, whatever the view
    with transaction.atomic():
        with pytest.raises(PermissionDenied):
            assignments.reviewer_claim(actor=th, application=app)
        with pytest.raises(PermissionDenied):
            formal.formal_review_pass(actor=th, application=c.a_formal, note="材料齐全。")
        with pytest.raises(PermissionDenied):
            approvals.decision_propose(
                actor=th, application=c.a_bureau, outcome="decline", reason="不符合条件。", comment="拟不予支持。"
            )
        assert not ReviewAssignment.objects.filter(application=app).exists()
        assert snapshot_diff(world.baseline, snapshot()) == []
        transaction.set_rollback(True)


def test_the_huangpu_reviewer_still_claims_it(world):
    url = reverse("reviews:claim", args=[world.cast.a_submitted.pk])
    obs = request_as(world.session, "reviewer_other", "POST", url, api=False, baseline=world.baseline, always_diff=True)
    assert obs.outcome == "ok" and any(d.startswith("reviews.ReviewAssignment") for d in obs.changed)


# ---------------------------------------------------------------- the predicates


def test_the_predicates(world):
    c = world.cast
    sysadmin = UserFactory(role=Role.SYSADMIN, email="sys@example.cn")
    nowhere = UserFactory(role=Role.REVIEWER, email="nowhere@example.cn", district="")
    assert staff_districts(c.user("reviewer")) == {"huangpu"} and staff_districts(c.user("admin_th")) == {"tianhe"}
    assert staff_districts(sysadmin) is None and staff_districts(nowhere) == frozenset()
    assert staff_districts(c.user("owner_a")) == frozenset() and staff_districts(None) == frozenset()
    assert in_district(sysadmin, "tianhe") and not in_district(nowhere, "huangpu")
    assert not in_district(c.user("reviewer_th"), "huangpu") and in_district(c.user("reviewer_th"), "tianhe")
    assert district_q(sysadmin, "district").children == []
    require_district(None, "huangpu")  # the system's scheduled work is bound to no district
    with pytest.raises(PermissionDenied, match="其他区域"):
        require_district(c.user("admin_th"), "huangpu")


# ---------------------------------------------------------------- lists omit, fetches 404


def test_queues_show_only_the_district(world):
    c = world.cast
    huangpu = set(queue_for(actor=c.user("admin")).values_list("pk", flat=True))
    tianhe = set(queue_for(actor=c.user("admin_th")).values_list("pk", flat=True))
    assert c.a_submitted.pk in huangpu and c.b_two_party.pk not in huangpu
    assert tianhe == {c.b_two_party.pk}
    sysadmin = UserFactory(role=Role.SYSADMIN, email="sys@example.cn")
    assert set(queue_for(actor=sysadmin).values_list("pk", flat=True)) == huangpu | tianhe
    nowhere = UserFactory(role=Role.BUREAU_ADMIN, email="nowhere@example.cn", district="")
    assert not queue_for(actor=nowhere, filters=QueueFilters()).exists()


def test_a_staff_account_without_a_district_sees_nothing_district_bound(world):
    nowhere = UserFactory(role=Role.REVIEWER, email="nowhere@example.cn", district="")
    from django.test import Client

    client = Client()
    client.force_login(nowhere, backend="portal.backends.EmailOrUsernameBackend")
    assert client.get(reverse("reviews:application", args=[world.cast.a_submitted.pk])).status_code == 404
    page = client.get(reverse("reviews:queue"))
    assert page.status_code == 200 and world.cast.a_submitted.reference not in page.content.decode()


def test_each_side_sees_its_own_file_only(world):
    c = world.cast
    tianhe_app = reverse("reviews:application", args=[c.b_two_party.pk])
    assert _as(world, "reviewer_th", "GET", tianhe_app).outcome == "ok"
    assert _as(world, "reviewer", "GET", tianhe_app).status == 404
    assert (
        _as(world, "admin_th", "GET", reverse("reviews:preapproval_decide", args=[c.a_preapproval.pk])).outcome == "ok"
    )
    assert _as(world, "admin", "GET", reverse("reviews:preapproval_decide", args=[c.a_preapproval.pk])).status == 404


# ---------------------------------------------------------------- naming people: only the district's


def test_an_administrator_names_only_reviewers_and_experts_of_the_district(world):
    c = world.cast
    th_reviewer = c.user("reviewer_th")
    th_expert = UserFactory(role=Role.EXPERT, email="expert-th@example.cn", full_name="天河某专家", district="tianhe")
    UserFactory(role=Role.EXPERT, email="expert-hp@example.cn", full_name="黄埔某专家")
    with transaction.atomic():
        with pytest.raises(ValidationError, match="本区域"):
            assignments.reviewer_assign(actor=c.user("admin"), application=c.a_submitted, reviewer=th_reviewer)
        from reviews.services import experts

        with pytest.raises(ValidationError, match="不是本区域的评审专家"):
            experts.experts_assign(actor=c.user("admin"), application=c.a_expert, experts=[th_expert])
        transaction.set_rollback(True)
    # the staff API lists the asker's district's people
    obs = _as(world, "admin_th", "GET", reverse("api-staff") + "?role=reviewer", api=True)
    assert "reviewer-th@example.cn" in obs.body and "reviewer@example.cn" not in obs.body
    obs = _as(world, "admin", "GET", reverse("api-staff") + "?role=reviewer", api=True)
    assert "reviewer@example.cn" in obs.body and "reviewer-th@example.cn" not in obs.body
    # the workspace's forms offer the district's experts and reviewers only
    page = _as(world, "admin", "GET", reverse("reviews:application", args=[c.a_expert.pk])).body
    assert "黄埔某专家" in page and "天河某专家" not in page
    assert f'value="{th_reviewer.pk}"' not in page and f'value="{c.user("reviewer_other").pk}"' in page
    # the system administrator, who sees every district, is offered the application's district's people
    from django.test import Client

    sysadmin = UserFactory(role=Role.SYSADMIN, email="sys@example.cn", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(sysadmin, backend="portal.backends.EmailOrUsernameBackend")
    page = client.get(reverse("reviews:application", args=[c.a_expert.pk])).content.decode()
    assert "黄埔某专家" in page and "天河某专家" not in page and f'value="{th_reviewer.pk}"' not in page


# ---------------------------------------------------------------- budget, payments, exports


def test_budget_pools_and_their_exports_are_the_districts(world):
    c = world.cast
    pool = c.pool
    assert _as(world, "admin_th", "GET", reverse("vouchers:budget_pool", args=[pool.pk])).status == 404
    assert _as(world, "admin_th", "GET", reverse("api-budget-pool", args=[pool.pk]), api=True).status == 404
    listed = _as(world, "admin_th", "GET", reverse("api-budget-pools"), api=True).body
    assert c.standard.code not in listed
    export = _as(world, "admin_th", "GET", reverse("vouchers:budget_export", kwargs={"fmt": "csv"})).body
    assert c.standard.code not in export and c.competitive.code not in export
    assert c.standard.code in _as(world, "admin", "GET", reverse("vouchers:budget_export", kwargs={"fmt": "csv"})).body
    # setting a Huangpu pool's amount: refused by the service (and by the API), nothing written
    obs = _as(
        world,
        "admin_th",
        "POST",
        reverse("api-budget-pools"),
        api=True,
        data={"programme": c.competitive.code, "fiscal_year": 2031, "amount": "1.00"},
    )
    assert obs.status == 403 and not obs.changed
    from vouchers.services.budget import pool_set_amount

    with pytest.raises(PermissionDenied):
        pool_set_amount(actor=c.user("admin_th"), programme=c.standard, fiscal_year=pool.fiscal_year, amount="1")


def test_payments_and_their_files_are_the_districts(world):
    c = world.cast
    for name, pk in (("vouchers:payment_batch", c.payment_batch.pk), ("vouchers:payment_award", c.payment_award.pk)):
        assert _as(world, "admin_th", "GET", reverse(name, args=[pk])).status == 404
    obs = _as(
        world,
        "admin_th",
        "GET",
        reverse("vouchers:payment_batch_export", kwargs={"pk": c.payment_batch_paid.pk, "fmt": "csv"}),
    )
    assert obs.status == 404
    listed = _as(world, "admin_th", "GET", reverse("api-payment-batches"), api=True).body
    assert c.payment_batch.number not in listed
    report = _as(world, "admin_th", "GET", reverse("vouchers:payments_report")).body
    assert c.payment_award.programme.name_zh not in report
    from vouchers.services import payments

    with transaction.atomic():
        with pytest.raises(PermissionDenied):
            payments.batch_approve(actor=c.user("admin_th"), batch=c.payment_batch)
        with pytest.raises(ValidationError, match="没有这些待拨付款项"):
            payments.batch_prepare(actor=c.user("admin_th"), tranche_ids=[c.tranche_waiting.pk])
        transaction.set_rollback(True)


def test_the_settlement_is_the_districts(world):
    c = world.cast
    # the cast's redemption of A's Huangpu voucher is pending: counted in Huangpu's summary only
    th = _as(world, "admin_th", "GET", reverse("vouchers:settlement") + "?format=csv").body
    hp = _as(world, "admin", "GET", reverse("vouchers:settlement") + "?format=csv").body
    assert c.compute_provider.name in hp and c.compute_provider.name not in th


# ---------------------------------------------------------------- notices, letters, windows


def test_notices_objections_and_letters_are_the_districts(world):
    c = world.cast
    assert _as(world, "admin_th", "GET", reverse("reviews:notice_admin", args=[c.notice.pk])).status == 404
    assert _as(world, "admin_th", "GET", reverse("reviews:objection", args=[c.objection.pk])).status == 404
    assert (
        c.objection.content[:10] not in _as(world, "admin_th", "GET", reverse("api-reviews-objections"), api=True).body
    )
    assert c.letter.number not in _as(world, "admin_th", "GET", reverse("api-letters"), api=True).body
    assert _as(world, "admin_th", "GET", reverse("api-letter", args=[c.letter.pk]), api=True).status == 404
    # closing the due notices in Tianhe's name leaves Huangpu's alone
    from reviews.services import notices

    with transaction.atomic():
        yesterday = c.notice.starts_on - dt.timedelta(days=1)
        type(c.notice).objects.filter(pk=c.notice.pk).update(
            starts_on=yesterday - dt.timedelta(days=9), ends_on=yesterday
        )
        c.objection.__class__.objects.filter(pk=c.objection.pk).update(status="dismissed")
        result = notices.notices_close_due(actor=c.user("admin_th"))
        assert result["finalized"] == [] and result["closed_notices"] == []
        result = notices.notices_close_due(actor=c.user("admin"))
        assert c.a_notice.pk in result["finalized"]
        transaction.set_rollback(True)


def test_windows_are_the_districts(world):
    c = world.cast
    listed = _as(world, "reviewer_th", "GET", reverse("api-windows"), api=True).body
    assert c.standard.code not in listed
    assert _as(world, "admin_th", "GET", reverse("api-window", args=[c.window.pk]), api=True).status == 404
    assert _as(world, "admin_th", "GET", reverse("vouchers:window_add", kwargs={"code": c.standard.code})).status == 403
    assert _as(world, "admin", "GET", reverse("vouchers:window_add", kwargs={"code": c.standard.code})).outcome == "ok"
