"""Every list page and list endpoint runs the same number of SQL queries with 3 rows as with 30
(no query per row: select_related, prefetch_related, annotations, one query per table). Each case
also checks that the rows it added are on the page, so that a list that shows nothing cannot pass.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .builders import World

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListCase:
    id: str
    role: str  # a World attribute (a user), or "anon"
    url: str | Callable[[World], str]
    build: Callable[[World, int], list[str]]
    api: bool = False
    check_markers: bool = True


def apps(w: World, n: int) -> list[str]:
    return w.applications(n)


def both(w: World, n: int) -> list[str]:
    return w.applications(n - n // 2) + w.applications(n // 2, enterprise=w.enterprise_b)


def overdue(w: World, n: int) -> list[str]:
    return w.queue(n, days_ago=30)


CASES = [
    # the applicant's applications
    ListCase("api_applications_enterprise", "owner_a", "/api/v1/applications/", apps, api=True),
    ListCase("api_applications_bureau", "reviewer", "/api/v1/applications/", both, api=True),
    ListCase("page_applications_dashboard", "owner_a", "/applications/", apps),
    # the reviewers' queue and overdue work
    ListCase("page_review_queue", "reviewer", "/review/", World.queue),
    ListCase("page_review_queue_admin", "admin", "/review/", World.queue),
    ListCase("api_review_queue", "reviewer", "/api/v1/reviews/queue/", World.queue, api=True),
    ListCase("page_overdue_admin", "admin", "/review/overdue/", overdue),
    ListCase("api_overdue_admin", "admin", "/api/v1/reviews/overdue/", overdue, api=True),
    # experts and the batch ranking
    ListCase("page_expert_list", "expert", "/expert/", lambda w, n: w.expert_panels(n, submitted=False)),
    ListCase(
        "api_expert_assignments",
        "expert",
        "/api/v1/reviews/expert-assignments/",
        lambda w, n: w.expert_panels(n, submitted=False),
        api=True,
        check_markers=False,
    ),
    ListCase("page_batches", "admin", "/review/batches/", World.expert_panels, check_markers=False),
    ListCase("page_batch_ranking", "admin", lambda w: f"/review/batches/{w.window.pk}/", World.expert_panels),
    ListCase(
        "api_batch_ranking",
        "admin",
        lambda w: f"/api/v1/reviews/batches/{w.window.pk}/ranking/",
        World.expert_panels,
        api=True,
    ),
    # budget
    ListCase("page_budget", "admin", "/manage/budget/", World.pools),
    ListCase("page_budget_pool", "admin", lambda w: f"/manage/budget/pools/{w.pool.pk}/", World.awards),
    ListCase("api_budget_pools", "admin", "/api/v1/budget/pools/", World.pools, api=True),
    ListCase(
        "api_budget_ledger",
        "admin",
        lambda w: f"/api/v1/budget/pools/{w.pool.pk}/ledger/",
        lambda w, n: w.awards(n, commit=False),
        api=True,
    ),
    # public notices and objections
    ListCase("page_public_notices", "anon", "/notices/", World.notices),
    ListCase("page_public_notice", "anon", lambda w: f"/notices/{w.notice.pk}/", World.notice_entries),
    ListCase("page_notices_admin", "admin", "/review/notices/", World.notices),
    ListCase("page_notice_admin", "admin", lambda w: f"/review/notices/{w.notice.pk}/", World.notice_entries),
    ListCase("api_notices", "anon", "/api/v1/reviews/notices/", World.notices, api=True),
    ListCase(
        "api_notice_detail", "anon", lambda w: f"/api/v1/reviews/notices/{w.notice.pk}/", World.notice_entries, api=True
    ),
    ListCase("api_objections", "admin", "/api/v1/reviews/objections/", World.notice_entries, api=True),
    # letters
    ListCase("page_letters_enterprise", "owner_a", "/letters/", World.letters),
    ListCase("page_letters_admin", "admin", "/letters/", World.letters),
    ListCase("api_letters", "owner_a", "/api/v1/letters/", World.letters, api=True),
    # vouchers and their redemption
    ListCase("page_vouchers_enterprise", "owner_a", "/vouchers/", World.vouchers),
    ListCase("page_vouchers_admin", "admin", "/vouchers/", World.vouchers),
    ListCase("api_vouchers", "owner_a", "/api/v1/vouchers/", World.vouchers, api=True),
    ListCase("page_provider_redemptions", "provider_user", "/provider/", World.vouchers),
    ListCase("api_redemptions_provider", "provider_user", "/api/v1/redemptions/", World.vouchers, api=True),
    ListCase("api_redemptions_enterprise", "owner_a", "/api/v1/redemptions/", World.vouchers, api=True),
    ListCase("page_providers", "admin", "/manage/providers/", World.providers),
    ListCase("page_settlement", "admin", "/manage/settlement/", World.vouchers, check_markers=False),
    # the catalogue and the inbox
    ListCase("page_catalogue", "anon", "/catalogue/", World.programmes),
    ListCase("api_programs", "anon", "/api/v1/programs/", World.programmes, api=True),
    ListCase("page_inbox", "owner_a", "/inbox/", World.inbox),
]


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


def _client(world: World, case: ListCase):
    user = None if case.role == "anon" else getattr(world, case.role)
    if case.api:
        from rest_framework.test import APIClient

        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return client


def _get(world: World, case: ListCase, client) -> tuple[int, str]:
    url = case.url(world) if callable(case.url) else case.url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (case.id, url, response.status_code)
    return len(queries), response.content.decode()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_list_queries_do_not_grow_with_rows(world, case):
    client = _client(world, case)
    markers = case.build(world, 3)
    _get(world, case, client)  # first request: sessions, caches, content types
    few, _body = _get(world, case, client)
    markers += case.build(world, 27)
    _get(world, case, client)  # the site cache read again when the rows built were catalogue rows (footer)
    many, body = _get(world, case, client)
    if case.check_markers:
        missing = [m for m in markers if m not in body]
        assert not missing, f"{case.id}: rows not on the page: {missing[:5]}"
    elif case.api:  # the rows are there by number (the endpoint names them by id)
        data = json.loads(body)
        rows = data if isinstance(data, list) else data["results"]
        assert len(rows) == len(markers), (case.id, len(rows), len(markers))
    assert many == few, f"{case.id}: {few} queries with 3 rows, {many} with 30"
