"""Staff operations in the API (issue 14): application windows — open (ordinary or claim, by the
rules of vouchers.lifecycle), change, close; the reviewers and experts an administrator names by id;
committing a competitive batch as ranked or pro rata. Each write by administrators only, audited, and
refused to everyone else with nothing changed; each documented in the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.workflow import State
from portal.models import AuditEvent, Role
from vouchers.models import ApplicationWindow, Award, BudgetPool
from vouchers.selectors import window_open_for

from ..approvals import leader, walk_pending
from ..factories import EnterpriseFactory, UserFactory, member
from .conftest import at, make_app, make_pool, make_window
from .test_batches_and_reminders import scored

pytestmark = pytest.mark.django_db


def windows_state():
    return (
        sorted(ApplicationWindow.objects.values_list("pk", "name", "kind", "opens_at", "closes_at")),
        AuditEvent.objects.filter(action__startswith="window.").count(),
    )


# ---------------------------------------------------------------- windows


@pytest.fixture
def scenario(catalogue, clock):
    # th2024: in force 2024-01-01 to 2026-12-31; its windows are the Tianhe bureau's (所属区域)
    return catalogue["th-scenario-demo"]


def test_an_administrator_opens_an_ordinary_window(scenario, bureau_admin_th, api_for):
    r = api_for(bureau_admin_th).post(
        "/api/v1/windows/",
        {
            "programme": scenario.code,
            "name": "2026年第二批",
            "opens_at": "2026-04-01T09:00:00+08:00",
            "closes_at": "2026-06-30T17:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["programme"], body["kind"], body["policy"], body["is_open"]) == (
        scenario.code,
        "ordinary",
        "th2024",
        False,
    )
    window = ApplicationWindow.objects.get(pk=body["id"])
    event = AuditEvent.objects.get(action="window.open", target_id=str(window.pk))
    assert event.actor == bureau_admin_th and event.after["kind"] == "ordinary"


def test_an_ordinary_window_ends_with_the_policy(scenario, bureau_admin_th, api_for):
    before = windows_state()
    r = api_for(bureau_admin_th).post(
        "/api/v1/windows/",
        {
            "programme": scenario.code,
            "name": "跨年批次",
            "opens_at": "2026-11-01T09:00:00+08:00",
            "closes_at": "2027-02-01T17:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 400 and "清算批次" in r.json()["closes_at"][0]
    assert windows_state() == before


def test_a_claim_window_opens_after_the_policy_for_facts_inside_it(scenario, bureau_admin_th, api_for):
    before = windows_state()
    r = api_for(bureau_admin_th).post(
        "/api/v1/windows/",
        {
            "programme": scenario.code,
            "name": "清算批次（过早）",
            "kind": "claim",
            "opens_at": "2026-09-01T09:00:00+08:00",
            "closes_at": "2026-10-01T17:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 400 and "kind" in r.json()
    assert windows_state() == before
    r = api_for(bureau_admin_th).post(
        "/api/v1/windows/",
        {
            "programme": scenario.code,
            "name": "2027年清算批次",
            "kind": "claim",
            "opens_at": "2027-01-04T09:00:00+08:00",
            "closes_at": "2027-03-31T17:00:00+08:00",
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "claim" and r.json()["kind_display"] == "清算批次"


def test_bad_window_input_is_refused(scenario, bureau_admin_th, api_for):
    before = windows_state()
    for body in (
        {
            "programme": "no-such",
            "name": "x",
            "opens_at": "2026-04-01T09:00:00+08:00",
            "closes_at": "2026-05-01T09:00:00+08:00",
        },
        {
            "programme": scenario.code,
            "name": "x",
            "kind": "weekly",
            "opens_at": "2026-04-01T09:00:00+08:00",
            "closes_at": "2026-05-01T09:00:00+08:00",
        },
        {
            "programme": scenario.code,
            "name": "x",
            "opens_at": "2026-05-01T09:00:00+08:00",
            "closes_at": "2026-04-01T09:00:00+08:00",
        },
    ):
        assert api_for(bureau_admin_th).post("/api/v1/windows/", body, format="json").status_code == 400
    assert windows_state() == before


@pytest.fixture
def open_window(scenario, clock):
    return make_window(scenario, opens=at(2026, 3, 1, 9), closes=at(2026, 4, 30, 17))


def test_a_window_is_extended_and_renamed_while_open(open_window, clock, bureau_admin_th, api_for):
    r = api_for(bureau_admin_th).patch(
        f"/api/v1/windows/{open_window.pk}/",
        {"name": "2026年第一批（延期）", "closes_at": "2026-05-31T17:00:00+08:00"},
        format="json",
    )
    assert r.status_code == 200, r.content
    open_window.refresh_from_db()
    assert open_window.name == "2026年第一批（延期）" and open_window.closes_at == at(2026, 5, 31, 17)
    event = AuditEvent.objects.get(action="window.change")
    assert event.actor == bureau_admin_th and event.before["closes_at"].startswith("2026-04-30")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"opens_at": "2026-03-05T09:00:00+08:00"}, "opens_at"),
        ({"kind": "claim"}, "kind"),
        ({"closes_at": "2026-03-01T09:00:00+08:00"}, "closes_at"),
        ({"closes_at": "2027-01-31T17:00:00+08:00"}, "closes_at"),
    ],
)
def test_what_an_open_window_keeps(open_window, bureau_admin_th, api_for, body, field):
    before = windows_state()
    r = api_for(bureau_admin_th).patch(f"/api/v1/windows/{open_window.pk}/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.content
    assert windows_state() == before


def test_a_window_not_yet_open_may_change_its_start_and_kind(scenario, clock, bureau_admin_th, api_for):
    window = make_window(scenario, name="后续批次", opens=at(2026, 9, 1, 9), closes=at(2026, 10, 31, 17))
    r = api_for(bureau_admin_th).patch(
        f"/api/v1/windows/{window.pk}/", {"opens_at": "2026-08-15T09:00:00+08:00"}, format="json"
    )
    assert r.status_code == 200 and r.json()["opens_at"].startswith("2026-08-15")


def test_an_administrator_closes_an_open_window_now(open_window, clock, bureau_admin_th, api_for):
    assert window_open_for(programme=open_window.programme) == open_window
    r = api_for(bureau_admin_th).post(
        f"/api/v1/windows/{open_window.pk}/close/", {"reason": "年度额度已满"}, format="json"
    )
    assert r.status_code == 200 and r.json()["is_open"] is False
    open_window.refresh_from_db()
    assert open_window.closes_at == timezone.now()
    assert window_open_for(programme=open_window.programme) is None  # nothing more is submitted under it
    event = AuditEvent.objects.get(action="window.close")
    assert event.actor == bureau_admin_th and event.note == "年度额度已满"
    r = api_for(bureau_admin_th).post(f"/api/v1/windows/{open_window.pk}/close/", format="json")
    assert r.status_code == 400  # closed already
    r = api_for(bureau_admin_th).patch(f"/api/v1/windows/{open_window.pk}/", {"name": "改名"}, format="json")
    assert r.status_code == 400  # a closed window is not changed


def test_a_window_not_yet_open_is_not_closed(scenario, clock, bureau_admin_th, api_for):
    window = make_window(scenario, name="后续批次", opens=at(2026, 9, 1, 9), closes=at(2026, 10, 31, 17))
    before = windows_state()
    assert api_for(bureau_admin_th).post(f"/api/v1/windows/{window.pk}/close/", format="json").status_code == 400
    assert windows_state() == before


def test_windows_are_listed_for_bureau_staff(open_window, scenario, catalogue, reviewer_th, reviewer, api_for):
    huangpu = make_window(catalogue["hp-data-trading"], name="黄埔批次", opens=at(2026, 1, 5), closes=at(2026, 2, 1))
    # each district's staff list their own district's windows (所属区域)
    rows = api_for(reviewer_th).get("/api/v1/windows/").json()["results"]
    assert {r["name"] for r in rows} == {open_window.name}
    rows = api_for(reviewer).get("/api/v1/windows/").json()["results"]
    assert {r["name"] for r in rows} == {"黄埔批次"}
    assert api_for(reviewer_th).get(f"/api/v1/windows/{huangpu.pk}/").status_code == 404
    rows = api_for(reviewer_th).get(f"/api/v1/windows/?programme={scenario.code}&open=1").json()["results"]
    assert [r["id"] for r in rows] == [open_window.pk]
    assert api_for(reviewer_th).get(f"/api/v1/windows/{open_window.pk}/").json()["is_open"] is True


def test_windows_are_refused_to_everyone_else(
    open_window, scenario, reviewer_th, owner_a, expert, provider_user, api_for
):
    before = windows_state()
    create = {
        "programme": scenario.code,
        "name": "x",
        "opens_at": "2026-04-01T09:00:00+08:00",
        "closes_at": "2026-05-01T09:00:00+08:00",
    }
    for user in (None, owner_a, expert, provider_user):
        client = api_for(user)
        assert client.get("/api/v1/windows/").status_code == 403
        assert client.get(f"/api/v1/windows/{open_window.pk}/").status_code == 403
        assert client.post("/api/v1/windows/", create, format="json").status_code == 403
    client = api_for(reviewer_th)  # reads, never writes
    assert client.post("/api/v1/windows/", create, format="json").status_code == 403
    assert client.patch(f"/api/v1/windows/{open_window.pk}/", {"name": "y"}, format="json").status_code == 403
    assert client.post(f"/api/v1/windows/{open_window.pk}/close/", format="json").status_code == 403
    assert windows_state() == before


# ---------------------------------------------------------------- the people an administrator names by id


def test_staff_are_listed_by_role_for_bureau_staff(db, bureau_admin, reviewer, experts, owner_a, api_for):
    gone = UserFactory(role=Role.EXPERT, email="retired@example.cn", is_active=False)
    rows = api_for(bureau_admin).get("/api/v1/staff/?role=expert").json()["results"]
    assert {r["id"] for r in rows} == {e.pk for e in experts}
    assert all(r["role"] == "expert" and r["role_display"] == "评审专家" for r in rows)
    rows = api_for(reviewer).get("/api/v1/staff/?role=expert&active=all").json()["results"]
    assert gone.pk in {r["id"] for r in rows}
    everyone = {r["id"] for r in api_for(bureau_admin).get("/api/v1/staff/").json()["results"]}
    assert {reviewer.pk, bureau_admin.pk} <= everyone and owner_a.pk not in everyone
    rows = api_for(bureau_admin).get("/api/v1/staff/?q=expert1").json()["results"]
    assert [r["email"] for r in rows] == ["expert1@example.cn"]


def test_staff_are_listed_of_the_askers_district_only(db, bureau_admin, bureau_admin_th, experts, api_for):
    """所属区域: an administrator names the reviewers and experts of the district; the system
    administrator sees every district's."""
    th_expert = UserFactory(role=Role.EXPERT, email="expert-th@example.cn", district="tianhe")
    rows = api_for(bureau_admin).get("/api/v1/staff/?role=expert").json()["results"]
    assert th_expert.pk not in {r["id"] for r in rows} and {r["district"] for r in rows} == {"huangpu"}
    rows = api_for(bureau_admin_th).get("/api/v1/staff/").json()["results"]
    assert {r["id"] for r in rows} == {th_expert.pk, bureau_admin_th.pk}
    sysadmin = UserFactory(role=Role.SYSADMIN, email="sys@example.cn")
    everyone = {r["id"] for r in api_for(sysadmin).get("/api/v1/staff/?role=expert").json()["results"]}
    assert everyone == {th_expert.pk, *(e.pk for e in experts)}


def test_staff_are_refused_to_everyone_else(db, owner_a, expert, provider_user, api_for):
    for user in (None, owner_a, expert, provider_user):
        assert api_for(user).get("/api/v1/staff/").status_code == 403


def test_the_listed_ids_name_an_expert_panel(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, experts, api_for
):
    from reviews.services.common import min_experts

    app = make_app(
        enterprise_a,
        catalogue["hp-vertical-model-compute"],
        state=State.EXPERT_REVIEW,
        inputs={"compute_spend": "1000000"},
    )
    ids = [r["id"] for r in api_for(bureau_admin).get("/api/v1/staff/?role=expert").json()["results"]]
    r = api_for(bureau_admin).post(
        f"/api/v1/reviews/applications/{app.pk}/experts/", {"expert_ids": ids[: min_experts()]}, format="json"
    )
    assert r.status_code == 201 and len(r.json()) == min_experts()


# ---------------------------------------------------------------- committing a competitive batch


@pytest.fixture
def batch(catalogue, clock, experts, reviewer):
    programme = catalogue["hp-vertical-model-compute"]
    window = make_window(programme)
    make_pool(programme, 2026, amount="1000000")
    apps = []
    for spend, totals in (
        ("1000000", ("70", "72", "74")),
        ("2000000", ("90", "88", "86")),
        ("1500000", ("80", "81", "82")),
    ):
        ent = EnterpriseFactory()
        member(ent)
        app = make_app(ent, programme, state=State.BUREAU_REVIEW, inputs={"compute_spend": spend}, window=window)
        scored(app, experts[:3], totals)
        apps.append(app)
    return window, apps


def test_an_administrator_commits_a_batch_as_ranked(batch, bureau_admin, api_for):
    window, (low, high, mid) = batch
    ranking = api_for(bureau_admin).get(f"/api/v1/reviews/batches/{window.pk}/ranking/").json()
    promised = {r["application"]: r["rank_award"] for r in ranking["rows"]}
    commit = f"/api/v1/reviews/batches/{window.pk}/commit/"
    r = api_for(bureau_admin).post(
        commit, {"mode": "rank", "application_ids": [low.pk, high.pk, mid.pk]}, format="json"
    )
    assert r.status_code == 400 and "经办意见" in r.json()["comment"][0]
    r = api_for(bureau_admin).post(
        commit,
        {"mode": "rank", "application_ids": [low.pk, high.pk, mid.pk], "comment": "按评审排名择优支持。"},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["ok"], body["refused"]) == (2, 1)
    assert [(x["application_id"], x["ok"]) for x in body["results"]] == [
        (high.pk, True),
        (mid.pk, True),
        (low.pk, False),
    ]
    assert not Award.objects.exists()  # proposed only: each walks its approval chain through the API
    checker, chief = UserFactory(role=Role.BUREAU_ADMIN), leader()
    waiting = api_for(checker).get("/api/v1/reviews/proposals/").json()["results"]
    assert sorted(p["application"]["id"] for p in waiting) == sorted([high.pk, mid.pk])
    r = api_for(checker).post(
        "/api/v1/reviews/proposals/approve/",
        {"proposal_ids": [p["id"] for p in waiting], "comment": "同意。"},
        format="json",
    )
    assert r.json()["ok"] == 2, r.content
    # up to 500,000 the check (复核) was the last step; above it the leader (分管领导) signs too
    assert Award.objects.filter(application=mid).exists() and not Award.objects.filter(application=high).exists()
    assert api_for(checker).get("/api/v1/reviews/proposals/").json()["results"] == []
    [mine] = api_for(chief).get("/api/v1/reviews/proposals/").json()["results"]
    assert mine["application"]["id"] == high.pk and mine["next_step"] == "leader" and mine["may_act"]
    r = api_for(chief).post(f"/api/v1/reviews/proposals/{mine['id']}/approve/", {"comment": "同意。"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved", r.content
    for app in (high, mid):
        assert str(Award.objects.get(application=app).amount) == promised[app.pk]
    assert BudgetPool.objects.get(programme=window.programme).reserved == Decimal("1000000.00")


def test_an_administrator_commits_a_batch_pro_rata(batch, bureau_admin, api_for):
    window, apps = batch
    r = api_for(bureau_admin).post(
        f"/api/v1/reviews/batches/{window.pk}/commit/",
        {"mode": "pro_rata", "application_ids": [a.pk for a in apps], "comment": "资金池不足，按比例核减。"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["ok"] == 3
    walk_pending(apps)
    assert sum(Award.objects.values_list("amount", flat=True)) == Decimal("1000000.00")


def test_committing_a_batch_is_for_administrators_only(batch, reviewer, owner_a, expert, api_for, bureau_admin):
    window, apps = batch
    body = {"mode": "rank", "application_ids": [a.pk for a in apps], "comment": "按排名择优。"}
    for user in (None, reviewer, owner_a, expert):
        assert (
            api_for(user).post(f"/api/v1/reviews/batches/{window.pk}/commit/", body, format="json").status_code == 403
        )
    for bad in ({"mode": "lottery", "application_ids": [apps[0].pk]}, {"mode": "rank", "application_ids": []}):
        assert (
            api_for(bureau_admin).post(f"/api/v1/reviews/batches/{window.pk}/commit/", bad, format="json").status_code
            == 400
        )
    assert api_for(bureau_admin).post("/api/v1/reviews/batches/999999/commit/", body, format="json").status_code == 404
    assert not Award.objects.exists()
    assert all(a.state == State.BUREAU_REVIEW for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps]))


# ---------------------------------------------------------------- documented


def test_the_schema_documents_the_staff_operations(db, api_for, bureau_admin):
    schema = api_for(bureau_admin).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/windows/",
        "/api/v1/windows/{id}/",
        "/api/v1/windows/{id}/close/",
        "/api/v1/staff/",
        "/api/v1/reviews/batches/{id}/commit/",
        "/api/v1/reviews/notices/close-due/",
        "/api/v1/parties/",
        "/api/v1/parties/{id}/confirm/",
        "/api/v1/parties/awards/",
    ):
        assert path in schema, path
    assert "ApplicationWindowKindEnum" in schema and "claim" in schema
