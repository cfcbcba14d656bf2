"""Probe (issue 12): under production settings (PORTAL_STAFF_REQUIRE_2FA) a staff member — and any
account with is_staff or is_superuser, whatever its role — passes the second factor before anything
but the second-factor pages and logout: the password change, the admin site, the public pages and
the API included; the token endpoint asks them for the TOTP code too."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Strong-2026"


@pytest.fixture(autouse=True)
def production_two_factor(settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True


ACCOUNTS = {
    "reviewer": dict(role=Role.REVIEWER),
    "superuser-enterprise-role": dict(role=Role.ENTERPRISE, is_superuser=True),
    "is_staff-enterprise-role": dict(role=Role.ENTERPRISE, is_staff=True),
    "superuser-provider-role": dict(role=Role.PROVIDER, is_superuser=True, is_staff=True),
}


def _signed_in(user) -> Client:
    """Signed in with the password only (the sign-in form), the second factor not yet passed."""
    c = Client()
    r = c.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert r.status_code == 302
    return c


def _to_second_factor(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))


@pytest.mark.parametrize("kind", ACCOUNTS)
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/password/change/",
        "/accounts/password/change/done/",
        "/admin/",
        "/notices/",
        "/catalogue/",
        "/inbox/",
        "/accounts/password/reset/",
    ],
)
def test_every_page_but_the_second_factor_waits_for_it(kind, url):
    user = UserFactory(**ACCOUNTS[kind])
    r = _signed_in(user).get(url)
    assert _to_second_factor(r), (kind, url, r.status_code, r.get("Location"))


@pytest.mark.parametrize("kind", ACCOUNTS)
def test_the_password_cannot_be_changed_before_the_second_factor(kind):
    user = UserFactory(**ACCOUNTS[kind])
    r = _signed_in(user).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert _to_second_factor(r)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("kind", ACCOUNTS)
def test_the_api_through_the_session_waits_too(kind):
    user = UserFactory(**ACCOUNTS[kind])
    r = _signed_in(user).get("/api/v1/me/")
    assert r.status_code == 403 and "两步验证" in r.json()["detail"]


@pytest.mark.parametrize("kind", ACCOUNTS)
def test_the_second_factor_pages_and_logout_stay_open(kind):
    user = UserFactory(**ACCOUNTS[kind])
    c = _signed_in(user)
    assert c.get(reverse("otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    assert c.post(reverse("otp_setup"), {"token": f"{code:06d}"}).status_code == 302
    # verified: the password change opens
    assert c.get(reverse("password_change")).status_code == 200
    assert c.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("kind", ACCOUNTS)
def test_the_token_endpoint_asks_them_for_the_code(kind):
    user = UserFactory(**ACCOUNTS[kind])
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    r = Client().post(reverse("api-token"), {"username": user.email, "password": PASSWORD})
    assert r.status_code == 400 and "otp_token" in r.json(), r.content


def test_an_enterprise_user_is_not_asked(owner_a):
    c = _signed_in(owner_a)
    assert c.get(reverse("password_change")).status_code == 200
    assert (
        c.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ).status_code
        == 302
    )
    r = Client().post(reverse("api-token"), {"username": owner_a.email, "password": NEW_PASSWORD})
    assert r.status_code == 200
