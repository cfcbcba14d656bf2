"""After signing in each role lands on its own workbench (issue 17)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("owner_a", "/applications/"),
        ("reviewer", "/review/"),
        ("expert", "/expert/"),
        ("bureau_admin", "/manage/budget/"),
        ("provider_user", "/provider/"),
    ],
)
def test_each_role_lands_on_its_workbench(who, where, request, client_for):
    user = request.getfixturevalue(who)
    if who == "provider_user":  # a provider's user linked to a provider of the catalogue
        import datetime as dt

        from vouchers.models import ComputeProvider, ProviderMember

        provider = ComputeProvider.objects.create(
            name="广州智算云服务有限公司",
            credit_code="91440101MA5CKGXK2A",
            services="智能算力租赁",
            valid_from=dt.date(2025, 1, 1),
        )
        ProviderMember.objects.create(provider=provider, user=user)
    response = client_for(user).get("/workbench/")
    assert response.status_code == 302 and response["Location"] == where
    assert client_for(user).get(where).status_code == 200  # and may open it


def test_signing_in_leads_to_the_workbench(owner_a, reviewer):
    for user, where in ((owner_a, "/applications/"), (reviewer, "/review/")):
        c = Client()
        response = c.post("/accounts/login/", {"username": user.email, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[0][0] == "/workbench/"
        assert response.redirect_chain[-1][0] == where and response.status_code == 200


def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for(None).get("/workbench/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(None).post("/workbench/").status_code == 405  # nothing to change there
