"""What every page reads, kept in the site cache (issue 13): the footer's units (vouchers.site_selectors)
and whether a staff account may use the Django admin (portal.permissions.has_model_permissions). A
page after the first reads neither from the database, and a change shows on the next page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Role
from tests.factories import UserFactory
from vouchers.models import Policy, Programme

pytestmark = pytest.mark.django_db


def _get(client, url: str = "/") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _reads(sqls: list[str], table: str) -> int:
    return sum(f'FROM "{table}"' in sql for sql in sqls)


def test_the_footer_units_are_read_once_and_follow_the_catalogue(catalogue, client_for):
    client = client_for(None)
    page, _sqls = _get(client)
    assert "广州开发区政务服务和数据管理局" in page  # 受理单位, from the catalogue
    page, sqls = _get(client)
    assert "广州开发区政务服务和数据管理局" in page
    assert _reads(sqls, "vouchers_policy") == 0 and _reads(sqls, "vouchers_programme") == 0, sqls
    programme = catalogue["hp-compute-voucher"]
    programme.responsible_unit = "广州市某新设受理中心"
    programme.save(update_fields=["responsible_unit"])
    assert "广州市某新设受理中心" in _get(client)[0]
    policy = Programme.objects.get(pk=programme.pk).policy
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.EXPIRED)  # bypasses the signals
    policy.refresh_from_db()
    policy.save()  # a save through the model: the footer follows
    assert "广州市某新设受理中心" not in _get(client)[0]


def test_the_footer_names_a_policy_status_in_the_readers_language(catalogue, client_for, settings):
    """The cached units hold a policy's status in words: one entry per language, never the other's."""
    draft = Policy.objects.exclude(status=Policy.Status.EXPIRED).order_by("code").first()
    draft.status = Policy.Status.DRAFT
    draft.save()
    assert "（征求意见稿）" in _get(client_for(None))[0]
    english = client_for(None)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _get(english)[0]
    assert "（Draft for comments）" in page and "（征求意见稿）" not in page
    assert "（征求意见稿）" in _get(client_for(None))[0]


def test_the_admin_site_link_is_cached_and_follows_a_grant_and_a_revocation(client_for):
    # a staff reviewer: a bureau administrator's pages also ask has_perm for the calendar banner
    staff = UserFactory(role=Role.REVIEWER, email="staff-reviewer@example.cn", is_staff=True)
    client = client_for(staff)
    page, _sqls = _get(client)
    assert 'href="/admin/"' not in page
    page, sqls = _get(client)
    assert _reads(sqls, "auth_permission") == 0, sqls  # the answer is the site cache's
    view_policy = Permission.objects.get(codename="view_policy")
    staff.user_permissions.add(view_policy)
    assert 'href="/admin/"' in _get(client)[0]
    staff.user_permissions.remove(view_policy)
    assert 'href="/admin/"' not in _get(client)[0]
    group = Group.objects.create(name="政策查看")
    staff.groups.add(group)
    assert 'href="/admin/"' not in _get(client)[0]
    group.permissions.add(view_policy)  # a group's permissions change: its members follow
    assert 'href="/admin/"' in _get(client)[0]
    group.delete()
    assert 'href="/admin/"' not in _get(client)[0]
