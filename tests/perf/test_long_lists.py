"""Lists that grow with the district are shown a page at a time: the expert's assignments and the
published public notices (50 a page, the newest first), every row on exactly one page."""

from __future__ import annotations

import pytest

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


def pages(client, url: str, markers: list[str]) -> list[list[str]]:
    out = []
    for number in (1, 2):
        body = client.get(url, {"page": number}).content.decode()
        out.append([m for m in markers if m in body])
    return out


def test_the_experts_assignments_come_fifty_a_page(world, client_for, expert):
    refs = world.expert_panels(55, submitted=False)
    first, second = pages(client_for(expert), "/expert/", refs)
    assert len(first) == 50 and len(second) == 5 and set(first) | set(second) == set(refs)


def test_the_published_notices_come_fifty_a_page(world, client_for, bureau_admin):
    titles = world.notices(55)
    first, second = pages(client_for(bureau_admin), "/review/notices/", titles)
    assert len(first) == 50 and len(second) == 5 and set(first) | set(second) == set(titles)
