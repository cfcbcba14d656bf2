"""The admin (管理后台) as people read it (issue 17): amounts with thousands separators, two decimals
and 元; parameters by their Chinese names and values in their units, never the stored name."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from portal.models import Role
from tests.factories import UserFactory
from vouchers.models import BudgetPool, ParameterValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(
        UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True),
        backend="portal.backends.EmailOrUsernameBackend",
    )
    return client


def _cells(client, url: str) -> str:
    html = client.get(url).content.decode()
    table = re.search(r'<table id="result_list".*?</table>', html, flags=re.S).group(0)
    return unescape(re.sub(r"<[^>]+>", " ", table))


def test_budget_pools_show_amounts_in_yuan(admin_client, catalogue):
    BudgetPool.objects.create(
        programme=catalogue["hp-compute-voucher"],
        fiscal_year=2026,
        amount=Decimal("12345678.5"),
        reserved=Decimal("1000"),
    )
    cells = _cells(admin_client, "/admin/vouchers/budgetpool/")
    assert "12,345,678.50 元" in cells and "1,000.00 元" in cells
    assert "12345678.5" not in cells and "1000.00 " not in cells.replace("1,000.00 元", "")


def test_parameters_show_their_chinese_names_and_units(admin_client, catalogue):
    cells = _cells(
        admin_client, f"/admin/vouchers/parametervalue/?q=&programme__id__exact={catalogue['hp-compute-voucher'].pk}"
    )
    assert "政策有效期内每家企业最高" in cells and "500,000.00 元" in cells
    assert "cap_per_enterprise_period" not in cells and not re.search(r"\b500000\.00\b", cells)


def test_a_bureau_administrator_without_admin_rights_sees_none_of_it(client, catalogue):
    user = UserFactory(role=Role.BUREAU_ADMIN, is_staff=True)
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    before = list(ParameterValue.objects.values_list("pk", "value"))
    response = client.get("/admin/vouchers/parametervalue/")
    assert response.status_code in (302, 403)
    pv = ParameterValue.objects.first()
    client.post(
        f"/admin/vouchers/parametervalue/{pv.pk}/change/",
        {"value": "1", "clause": "x", "effective_from": dt.date.today()},
    )
    assert list(ParameterValue.objects.values_list("pk", "value")) == before


def test_programmes_are_named_without_their_codes(admin_client, catalogue):
    """Issue 17: the admin named a programme "算力券（hp-compute-voucher）" in lists, selects and links;
    a budget pool, a window and a parameter by the programme's code."""
    compute = catalogue["hp-compute-voucher"]
    BudgetPool.objects.create(programme=compute, fiscal_year=2026, amount=Decimal("1000"))
    for url in ("/admin/vouchers/budgetpool/", "/admin/vouchers/parametervalue/", "/admin/vouchers/programme/"):
        cells = _cells(admin_client, url)
        assert compute.name_zh in cells, url
        assert "hp-compute-voucher" not in cells and "cap_per_enterprise_period" not in cells, url
    pool = BudgetPool.objects.get(programme=compute)
    form = admin_client.get(f"/admin/vouchers/budgetpool/{pool.pk}/change/").content.decode()
    assert f"{compute.name_zh} 2026年度" in form and "hp-compute-voucher" not in form


def test_yes_and_no_are_words_and_the_labels_end_in_a_full_width_colon(admin_client):
    """Issue 17: a yes/no column's icon was labelled True/False; a field's label ended in a half-width
    colon; the search icon's alt was the English "Search"; the breadcrumbs' links were told from the
    text by colour alone."""
    html = admin_client.get("/admin/portal/user/").content.decode()
    table = re.search(r'<table id="result_list".*?</table>', html, flags=re.S).group(0)
    assert 'alt="是"' in table and 'alt="True"' not in table and 'alt="False"' not in table
    assert 'alt="搜索"' in html and 'alt="Search"' not in html
    assert "portal/admin.css" in html
    user = UserFactory(role=Role.ENTERPRISE)
    form = admin_client.get(f"/admin/portal/user/{user.pk}/change/").content.decode()
    assert re.search(r"<label[^>]*>电子邮箱：</label>", form), "a label ends in the full-width colon"
    assert not re.search(r"<label[^>]*>[^<]*[\u4e00-\u9fff]:</label>", form)
