"""The administrators' parameter and window pages (and Django admin saves) going through the audited
services, and the demo windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.models import AuditEvent, Role
from tests.factories import UserFactory
from vouchers.models import ApplicationWindow, ParameterValue
from vouchers.selectors import parameters_in_force

from .catalogue_helpers import text

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- administrators


def test_administrator_changes_a_parameter_from_a_date(catalogue, client_for, bureau_admin):
    programme = catalogue["hp-data-trading"]
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "0.02", "effective_from": "2027-01-01", "clause": "2027年度申报指南 第三条"},
    )
    assert r.status_code == 302
    assert parameters_in_force(programme=programme, on=dt.date(2026, 12, 31))["rate"] == Decimal("0.03")
    assert parameters_in_force(programme=programme, on=dt.date(2027, 1, 1))["rate"] == Decimal("0.02")
    row = ParameterValue.objects.get(programme=programme, name="rate", effective_from=dt.date(2027, 1, 1))
    assert row.created_by == bureau_admin
    event = AuditEvent.objects.get(action="parameter.set")
    assert event.actor == bureau_admin and event.after["value"] == "0.02"


def test_parameter_form_errors_are_on_the_fields(catalogue, client_for, bureau_admin):
    before = ParameterValue.objects.count()
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "-1", "effective_from": "2027-01-01", "clause": ""},
    )
    assert r.status_code == 400
    assert "这个字段是必填项" in text(r) or "必填" in text(r)
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "cap_galaxy", "value": "1", "effective_from": "2027-01-01", "clause": "x"},
    )
    assert r.status_code == 400
    assert ParameterValue.objects.count() == before and not AuditEvent.objects.filter(action="parameter.set").exists()


@pytest.mark.parametrize("who", ["anonymous", "owner_a", "reviewer", "expert", "provider_user"])
def test_only_administrators_change_parameters_or_open_windows(catalogue, client_for, request, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(user)
    before = (ParameterValue.objects.count(), ApplicationWindow.objects.count())
    r1 = client.post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "0.5", "effective_from": "2027-01-01", "clause": "x"},
    )
    r2 = client.post(
        "/manage/catalogue/hp-data-trading/window/",
        {"name": "黑批次", "opens_at": "2026-03-01T09:00", "closes_at": "2026-04-01T17:00"},
    )
    r3 = client.get("/manage/catalogue/hp-data-trading/parameter/")
    if user is None:
        assert all(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in (r1, r2, r3))
    else:
        assert (r1.status_code, r2.status_code, r3.status_code) == (403, 403, 403)
    assert (ParameterValue.objects.count(), ApplicationWindow.objects.count()) == before
    assert not AuditEvent.objects.filter(action__in=["parameter.set", "window.open"]).exists()


def test_another_districts_administrator_may_not_open_a_window(catalogue, client_for, bureau_admin):
    """所属区域: th-dcmm is th2024's; Huangpu's administrator maintains neither its windows nor its parameters."""
    client = client_for(bureau_admin)
    assert client.get("/manage/catalogue/th-dcmm/window/").status_code == 403
    assert (
        client.post(
            "/manage/catalogue/th-dcmm/window/",
            {"name": "2026年第二批", "opens_at": "2026-07-01 09:00", "closes_at": "2026-08-01 17:00"},
        ).status_code
        == 403
    )
    assert client.get("/manage/catalogue/th-dcmm/parameter/").status_code == 403
    assert not ApplicationWindow.objects.filter(programme=catalogue["th-dcmm"]).exists()
    # the programme page offers the management links to the programme's own district only
    assert "/manage/catalogue/th-dcmm/window/" not in client.get("/catalogue/th-dcmm/").content.decode()
    assert "/manage/catalogue/hp-data-trading/window/" in client.get("/catalogue/hp-data-trading/").content.decode()


def test_administrator_opens_a_window(catalogue, client_for, bureau_admin_th):
    client = client_for(bureau_admin_th)
    assert client.get("/manage/catalogue/th-dcmm/window/").status_code == 200
    r = client.post(
        "/manage/catalogue/th-dcmm/window/",
        {"name": "2026年第二批", "opens_at": "2026-03-01T09:00", "closes_at": "2026-03-01T08:00"},
    )
    assert r.status_code == 400 and "截止时间必须晚于开始时间" in text(r)
    assert not ApplicationWindow.objects.exists()
    r = client.post(
        "/manage/catalogue/th-dcmm/window/",
        {"name": "2026年第二批", "opens_at": "2026-03-01T09:00", "closes_at": "2026-04-01T17:00"},
    )
    assert r.status_code == 302
    window = ApplicationWindow.objects.get(programme=catalogue["th-dcmm"])
    assert window.name == "2026年第二批"
    assert AuditEvent.objects.filter(action="window.open", actor=bureau_admin_th).count() == 1
    page = text(client.get("/catalogue/th-dcmm/"))
    assert "调整政策参数" in page and "开放申报批次" in page  # the administrator's links


def test_django_admin_saves_go_through_the_services(catalogue, client_for):
    admin = UserFactory(role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True)
    client = client_for(admin)
    programme = catalogue["hp-data-trading"]
    r = client.post(
        "/admin/vouchers/parametervalue/add/",
        {
            "programme": programme.pk,
            "name": "rate",
            "value": "0.025",
            "effective_from": "2027-01-01",
            "clause": "2027年度申报指南",
            "note": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    row = ParameterValue.objects.get(programme=programme, name="rate", effective_from=dt.date(2027, 1, 1))
    assert row.value == Decimal("0.025") and row.created_by == admin
    assert AuditEvent.objects.filter(action="parameter.set", actor=admin).count() == 1
    # changing it later keeps programme, name and date and is audited with the value before
    r = client.post(
        f"/admin/vouchers/parametervalue/{row.pk}/change/",
        {"value": "0.02", "clause": "2027年度申报指南(修订)", "note": ""},
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.value == Decimal("0.02")
    change = AuditEvent.objects.filter(action="parameter.set").order_by("-id").first()
    assert change.before == {"value": "0.0250"}
    # a parameter the programme does not have is refused with a message, nothing written
    r = client.post(
        "/admin/vouchers/parametervalue/add/",
        {
            "programme": programme.pk,
            "name": "cap_galaxy",
            "value": "1",
            "effective_from": "2027-01-01",
            "clause": "x",
            "note": "",
        },
    )
    assert r.status_code == 200 and "没有参数 cap_galaxy" in text(r)
    assert not ParameterValue.objects.filter(name="cap_galaxy").exists()
    # windows: opened through window_open
    r = client.post(
        "/admin/vouchers/applicationwindow/add/",
        {
            "programme": programme.pk,
            "name": "2026年第三批",
            "opens_at_0": "2026-03-01",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2026-04-01",
            "closes_at_1": "17:00:00",
        },
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="window.open", actor=admin).count() == 1


# ---------------------------------------------------------------- demo data


def test_demo_seed_opens_a_window_for_every_programme_once(catalogue, bureau_admin, bureau_admin_th):
    call_command("demo_seed_programmes", verbosity=0)
    today = timezone.localdate()
    windows = list(ApplicationWindow.objects.select_related("programme__policy"))
    # each district's windows are opened by that district's administrator
    opened_by = dict(AuditEvent.objects.filter(action="window.open").values_list("target_id", "actor__district"))
    assert {opened_by[str(w.pk)] for w in windows if w.programme.policy.code == "hp2025"} == {"huangpu"}
    assert {opened_by[str(w.pk)] for w in windows if w.programme.policy.code == "th2024"} <= {"tianhe"}
    # every programme whose policy is still valid (th2024 ends 2026-12-31)
    assert {w.programme.code for w in windows} == {c for c, p in catalogue.items() if p.policy.valid_to >= today}
    assert len(windows) == len({w.programme_id for w in windows})
    for w in windows:
        assert w.name == f"{today.year}年第一批"
        assert timezone.localdate(w.opens_at) == today - dt.timedelta(days=60)
        end = min(today + dt.timedelta(days=60), w.programme.policy.valid_to)
        assert timezone.localdate(w.closes_at) == end
    snapshot = list(ApplicationWindow.objects.order_by("id").values())
    events = AuditEvent.objects.count()
    call_command("demo_seed_programmes", verbosity=0)
    assert list(ApplicationWindow.objects.order_by("id").values()) == snapshot
    assert AuditEvent.objects.count() == events


def test_demo_seed_opens_a_claim_window_for_an_expired_policy(catalogue, bureau_admin, bureau_admin_th):
    from vouchers.lifecycle import policy_state

    today = timezone.localdate()
    th = catalogue["th-dcmm"].policy
    th.valid_to = today - dt.timedelta(days=10)
    th.save()
    call_command("demo_seed_programmes", verbosity=0)
    claims = ApplicationWindow.objects.filter(programme__policy=th)
    assert claims.count() == len([c for c in catalogue if c.startswith("th-")])
    assert {w.kind for w in claims} == {"claim"} and {w.name for w in claims} == {f"{th.valid_to.year}年度清算批次"}
    assert all(timezone.localdate(w.opens_at) > th.valid_to for w in claims)
    th.refresh_from_db()
    assert policy_state(th).code == "claims"
    assert not ApplicationWindow.objects.filter(programme__policy__code="hp2025", kind="claim").exists()
