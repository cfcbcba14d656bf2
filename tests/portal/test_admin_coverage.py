import pytest
from django.apps import apps
from django.contrib import admin

from portal.admin_readonly import PORTAL_APPS
from portal.models import Role
from tests.factories import UserFactory


def test_every_model_of_the_portal_is_in_the_admin():
    missing = [
        m._meta.label
        for label in PORTAL_APPS
        for m in apps.get_app_config(label).get_models()
        if m not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.django_db
def test_the_system_administrator_can_open_every_changelist(client):
    """The Django admin is the system administrators' tool; bureau administrators work in the
    portal's own pages (budget, notices, parameters, windows), which go through the services."""
    user = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    for model in admin.site._registry:
        if model._meta.app_label not in PORTAL_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_reviewer_is_not_let_into_the_admin(client):
    user = UserFactory(role=Role.REVIEWER, is_staff=False)
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    r = client.get("/admin/applications/application/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


@pytest.mark.django_db
def test_admin_checks_the_credit_code_unless_a_reason_is_given(client):
    from applications.models import Enterprise

    user = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    data = {
        "name": "历史企业",
        "credit_code": "91440300708461136X",
        "registered_district": "huangpu",
        "tax_district": "huangpu",
        "stats_district": "huangpu",
        "industry": "ai",
        "contact_name": "x",
        "contact_phone": "1",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    r = client.post("/admin/applications/enterprise/add/", data)
    assert r.status_code == 200 and "校验位" in r.content.decode()
    assert not Enterprise.objects.exists()
    r = client.post("/admin/applications/enterprise/add/", {**data, "credit_code_override_reason": "工商档案核实"})
    assert r.status_code == 302
    assert Enterprise.objects.get().credit_code_override_reason == "工商档案核实"
