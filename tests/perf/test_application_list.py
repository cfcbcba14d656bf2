"""GET /api/v1/applications/ at scale: keyset pages read as plain rows. The rows are exactly what
ApplicationListSerializer gives for the same applications; following `next` visits every
application once, newest first, also when several share a creation time; the page costs a fixed
number of queries; the schema documents the cursor pages."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from applications.serializers import ApplicationListSerializer
from applications.workflow import State

from .builders import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalogue, owner_a, enterprise_a, owner_b, enterprise_b, reviewer, expert, bureau_admin, provider_user):
    return World(
        catalogue=catalogue,
        owner_a=owner_a,
        enterprise_a=enterprise_a,
        owner_b=owner_b,
        enterprise_b=enterprise_b,
        reviewer=reviewer,
        expert=expert,
        bureau_admin=bureau_admin,
        provider_user=provider_user,
    )


def walk(client, url: str) -> list[dict]:
    rows = []
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        rows += body["results"]
        url = body["next"]
    return rows


def test_rows_are_what_the_list_serializer_gives(world, api_for, owner_a):
    world.applications(8)  # drafts and submitted, decided and not: nulls and values in every column
    Application.objects.filter(state=State.DRAFT).update(estimate_amount=None, window=world.window)
    Application.objects.filter(state=State.APPROVED).update(
        decided_at=timezone.now(), estimate_amount=Decimal("1234567.80")
    )
    listed = api_for(owner_a).get("/api/v1/applications/").json()["results"]
    apps = (
        Application.objects.select_related("programme", "enterprise")
        .prefetch_related("claims")
        .order_by("-created_at", "-id")
    )
    assert listed == [dict(row) for row in ApplicationListSerializer(apps, many=True).data]
    assert listed[0]["contract_numbers"] and listed[0]["state_label"]
    assert "estimate" not in listed[0]  # the calculator's steps are on the detail


def test_following_next_visits_every_application_once_newest_first(world, api_for, reviewer):
    world.applications(4)
    world.applications(3, enterprise=world.enterprise_b)
    same = timezone.now() - dt.timedelta(days=1)
    tied = list(Application.objects.order_by("pk").values_list("pk", flat=True)[:4])
    Application.objects.filter(pk__in=tied).update(created_at=same)  # ties on the keyset's first column
    rows = walk(api_for(reviewer), "/api/v1/applications/?page_size=2")
    expected = list(Application.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert [r["id"] for r in rows] == expected and len(expected) == 7


def test_previous_leads_back_to_the_first_page(world, api_for, owner_a):
    world.applications(5)
    c = api_for(owner_a)
    first = c.get("/api/v1/applications/?page_size=2").json()
    second = c.get(first["next"]).json()
    assert first["previous"] is None and second["previous"]
    assert c.get(second["previous"]).json()["results"] == first["results"]


def test_an_enterprise_lists_its_own_applications_only(world, api_for, owner_a, owner_b):
    mine = set(world.applications(3))
    world.applications(2, enterprise=world.enterprise_b)
    assert {r["reference"] for r in walk(api_for(owner_a), "/api/v1/applications/")} == mine
    assert len(walk(api_for(owner_b), "/api/v1/applications/")) == 2


def test_a_made_up_cursor_is_never_a_500(world, api_for, owner_a):
    world.applications(1)
    c = api_for(owner_a)
    # a position that is no date (p=not-a-date), base64 of bytes that are no text: 404
    assert c.get("/api/v1/applications/?cursor=cD1ub3QtYS1kYXRl").status_code == 404
    assert c.get("/api/v1/applications/?cursor=__8=").status_code == 404
    # an absurd offset: past the end; what decodes to nothing at all: the first page
    absurd = urlencode({"p": "2026-01-01 00:00:00+00:00", "o": "999999"}).encode()
    past = c.get("/api/v1/applications/", {"cursor": base64.b64encode(absurd).decode()})
    assert past.status_code == 200 and past.json()["results"] == []
    assert len(c.get("/api/v1/applications/?cursor=%25%25%25").json()["results"]) == 1


def test_a_page_costs_a_fixed_number_of_queries(world, api_for, owner_a, reviewer):
    world.applications(60)
    # the page with its claims (PostgreSQL), or the page, then its claims
    claims = 0 if connection.vendor == "postgresql" else 1
    for user, expected in ((reviewer, 1 + claims), (owner_a, 1 + claims)):
        user.refresh_from_db()
        client = api_for(user)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/v1/applications/").json()
        assert len(body["results"]) == 50 and body["next"]
        assert len(queries) == expected, [q["sql"][:80] for q in queries]
        assert not any("COUNT(" in q["sql"].upper() for q in queries)


def test_schema_documents_the_cursor_pages(api_for, owner_a):
    schema = api_for(owner_a).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/applications/"]["get"]
    assert "cursor" in {p["name"] for p in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][page]["properties"]
    assert {"next", "previous", "results"} <= set(fields) and "count" not in fields


def test_a_real_staff_token_costs_one_query_with_its_totp_enrolment(world, settings, reviewer):
    """Production: staff tokens count only with an enrolled TOTP device — read with the token and its
    user, in the same query (portal.authentication)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    settings.PORTAL_STAFF_REQUIRE_2FA = True
    world.applications(5)
    _instance, token = AuthToken.objects.create(user=reviewer)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/applications/").status_code in (401, 403)  # not enrolled yet
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/applications/")
    assert response.status_code == 200 and len(response.json()["results"]) == 5
    page = 1 if connection.vendor == "postgresql" else 2
    assert len(queries) == 1 + page, [q["sql"][:60] for q in queries]
