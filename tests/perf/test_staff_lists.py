"""The staff pages that grow with a district (issue 13): the overdue list's objections, the letters
and the notices administrators' page show a page at a time, every row on exactly one page, and run
the same number of SQL queries whatever the number of rows. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from reviews.models import Objection, PublicNotice

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


def overdue_objections(world: World, n: int) -> list[str]:
    """n open objections past their answer date (on one notice): the links of their rows."""
    notice = PublicNotice.objects.create(
        title="逾期异议公示",
        programme=world.standard,
        published_by=world.admin,
        starts_on=timezone.localdate() - dt.timedelta(days=20),
        ends_on=timezone.localdate() - dt.timedelta(days=10),
        workdays=7,
    )
    links = []
    for app in Application.objects.filter(reference__in=world.applications(n, states=[State.IN_PUBLIC_NOTICE])):
        o = Objection.objects.create(
            notice=notice,
            application=app,
            objector_kind="person",
            objector_name="异议人",
            contact_phone="13800000000",
            content="异议内容",
            due_date=timezone.localdate() - dt.timedelta(days=3),
        )
        links.append(f'href="/review/objections/{o.pk}/"')
    return links


def pending_notice(world: World, n: int) -> list[str]:
    """n approved applications waiting for their public notice."""
    return world.applications(n, states=[State.APPROVED_PENDING_NOTICE])


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    "url,build",
    [
        ("/review/overdue/", overdue_objections),
        ("/review/notices/", pending_notice),
        ("/letters/", World.letters),
    ],
    ids=["overdue_objections", "notices_pending", "letters"],
)
def test_staff_list_queries_do_not_grow_with_rows(world, client_for, url, build):
    client = client_for(world.admin)
    markers = build(world, 3)
    _queries(client, url)  # sessions, caches, content types
    few, _body = _queries(client, url)
    markers += build(world, 27)
    many, body = _queries(client, url)
    assert [m for m in markers if m not in body] == []
    assert many == few, f"{url}: {few} queries with 3 rows, {many} with 30"


def _pages(client, url: str, param: str, markers: list[str]) -> list[list[str]]:
    out = []
    for number in (1, 2):
        body = client.get(url, {param: number}).content.decode()
        out.append([m for m in markers if m in body])
    return out


def test_the_letters_come_fifty_a_page_newest_first(world, client_for):
    numbers = world.letters(55)  # issued today, numbered in order: the last made is the newest
    first, second = _pages(client_for(world.admin), "/letters/", "page", numbers)
    assert first == numbers[5:] and second == numbers[:5]


def test_the_overdue_objections_come_fifty_a_page_beside_the_applications(world, client_for):
    links = overdue_objections(world, 55)
    late = world.queue(3, days_ago=30)
    client = client_for(world.admin)
    first, second = _pages(client, "/review/overdue/", "opage", links)
    assert len(first) == 50 and len(second) == 5 and set(first) | set(second) == set(links)
    body = client.get("/review/overdue/", {"opage": 2}).content.decode()
    # the objections' pager keeps nothing else of the applications' list, and both lists stay on the page
    assert all(ref in body for ref in late)
    assert "opage=1" in body and "第 2 / 2 页" in body


def test_the_pending_notice_groups_keep_every_application(world, client_for):
    refs = pending_notice(world, 60)  # the publish form is per batch: the whole batch, never a page of it
    body = client_for(world.admin).get("/review/notices/").content.decode()
    assert all(f'value="{Application.objects.get(reference=r).pk}"' in body for r in refs)
