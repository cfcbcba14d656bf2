"""The main navigation (portal/navigation.py): the "管理后台" entry only for who may use the Django
admin (portal.permissions.may_use_admin_site); a bureau administrator without rights there is given
their workbench instead, and is refused at the admin with nothing changed. One entry is the current
page (aria-current)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission

from portal.models import Role
from portal.navigation import main_nav
from portal.permissions import may_use_admin_site
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _nav(client) -> dict[str, str]:
    html = client.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, flags=re.S).group(1)
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', nav)
    }


def test_bureau_admin_without_admin_rights_gets_their_workbench_not_the_admin(client_for, bureau_admin):
    assert bureau_admin.is_staff and not may_use_admin_site(bureau_admin)
    nav = _nav(client_for(bureau_admin))
    assert "/admin/" not in nav.values()
    assert nav.get("工作台") == "/manage/budget/"
    # and the admin itself refuses them (the login page of the admin), changing nothing
    client = client_for(bureau_admin)
    response = client.get("/admin/vouchers/policy/")
    assert response.status_code in (302, 403)
    assert client.post("/admin/portal/user/add/", {"email": "x@example.cn"}).status_code in (302, 403)
    assert not type(bureau_admin).objects.filter(email="x@example.cn").exists()


def test_bureau_admin_with_admin_rights_gets_the_admin(client_for, bureau_admin):
    bureau_admin.user_permissions.add(Permission.objects.get(codename="view_policy"))
    bureau_admin = type(bureau_admin).objects.get(pk=bureau_admin.pk)  # permissions are cached per instance
    assert may_use_admin_site(bureau_admin)
    nav = _nav(client_for(bureau_admin))
    assert nav.get("管理后台") == "/admin/" and "工作台" not in nav


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.REVIEWER, Role.EXPERT, Role.PROVIDER])
def test_other_roles_have_neither(client_for, role):
    nav = _nav(client_for(UserFactory(role=role, email=f"{role}@example.cn")))
    assert "管理后台" not in nav and "工作台" not in nav and "/admin/" not in nav.values()


def test_anonymous_has_neither(client_for):
    nav = _nav(client_for(None))
    assert "管理后台" not in nav and "工作台" not in nav


def test_one_entry_is_the_current_page_even_when_two_lead_there(bureau_admin):
    items = main_nav(bureau_admin, "/manage/budget/")
    assert [i.label for i in items if i.current] == ["预算管理"]
