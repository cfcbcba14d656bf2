"""Issue 12, "API tokens expire, are stored hashed, and are revoked when the password changes" (also
on a password reset and when an account is deactivated), and a way to sign out through the API.
Each test goes through the endpoints and pages a client uses; before django-rest-knox every one of
them failed (the token was stored as it is, never expired, and outlived the password)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def obtain(user: User, password: str = PASSWORD) -> dict:
    r = Client().post(
        reverse("api-token"), {"username": user.email, "password": password}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    return r.json()


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def works(token: str) -> bool:
    status = api(token).get(ME).status_code
    assert status in (200, 401, 403), status
    return status == 200


def stored_tokens(user: User) -> int:
    return user.auth_token_set.count()


# ------------------------------------------------------------------ stored hashed


def test_the_token_itself_is_nowhere_in_the_database(owner_a):
    token = obtain(owner_a)["token"]
    assert works(token)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)  # every table of every installed app
    assert token not in dump.getvalue()
    assert token[:20] not in dump.getvalue()  # nor a guessable share of it (knox keeps 15 characters)
    digest = hashlib.sha512(token.encode()).hexdigest()
    assert list(owner_a.auth_token_set.values_list("digest", flat=True)) == [digest]


# ------------------------------------------------------------------ expiry


def test_the_token_expires_after_the_configured_lifetime(owner_a, settings, monkeypatch):
    settings.PORTAL_API_TOKEN_TTL = dt.timedelta(minutes=30)
    before = timezone.now()
    body = obtain(owner_a)
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert before + dt.timedelta(minutes=29) < expiry <= timezone.now() + dt.timedelta(minutes=30)
    assert works(body["token"])
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(minutes=31))
    assert not works(body["token"])
    assert stored_tokens(owner_a) == 0  # an expired token is deleted when it is next presented


def test_the_default_lifetime_is_ten_hours(owner_a, monkeypatch):
    body = obtain(owner_a)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(hours=9, minutes=59))
    assert works(body["token"])
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(hours=10, minutes=1))
    assert not works(body["token"])


# ------------------------------------------------------------------ revoked when the credentials change


def test_a_password_change_on_the_page_revokes_every_token(owner_a):
    first, second = obtain(owner_a)["token"], obtain(owner_a)["token"]
    other = obtain(UserFactory())["token"]
    browser = Client()
    browser.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    r = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-Strong-2026", "new_password2": "Another-Strong-2026"},
    )
    assert r.status_code == 302
    assert not works(first) and not works(second)
    assert works(other)  # another account's token is untouched
    assert AuditEvent.objects.filter(
        action="auth.api_token_revoked", target_id=str(owner_a.pk), after__reason="password_changed", after__tokens=2
    ).exists()
    assert works(obtain(owner_a, "Another-Strong-2026")["token"])


def test_a_refused_password_change_revokes_nothing(owner_a):
    token = obtain(owner_a)["token"]
    browser = Client()
    browser.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    r = browser.post(
        reverse("password_change"),
        {
            "old_password": "wrong-old-password",
            "new_password1": "Another-Strong-2026",
            "new_password2": "Another-Strong-2026",
        },
    )
    assert r.status_code == 200  # the form again, with its error
    assert works(token) and stored_tokens(owner_a) == 1


def test_a_password_reset_revokes_every_token(owner_a):
    token = obtain(owner_a)["token"]
    browser = Client()
    assert browser.post(reverse("password_reset"), {"email": owner_a.email}).status_code == 302
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[-1].body).group(0)
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    r = browser.post(form_url, {"new_password1": "Another-Strong-2026", "new_password2": "Another-Strong-2026"})
    assert r.status_code == 302
    assert not works(token) and stored_tokens(owner_a) == 0


def test_deactivating_the_account_in_the_admin_revokes_every_token(owner_a):
    token = obtain(owner_a)["token"]
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(sysadmin, backend="portal.backends.EmailOrUsernameBackend")
    now = timezone.localtime()
    form = {
        "username": owner_a.username,
        "full_name": owner_a.full_name,
        "email": owner_a.email,
        "phone": owner_a.phone,
        "role": owner_a.role,
        "email_confirmed_at_0": now.strftime("%Y-%m-%d"),
        "email_confirmed_at_1": now.strftime("%H:%M:%S"),
        "is_active": "",
        "is_staff": "",
        "is_superuser": "",
        "date_joined_0": now.strftime("%Y-%m-%d"),
        "date_joined_1": now.strftime("%H:%M:%S"),
    }
    r = browser.post(f"/admin/portal/user/{owner_a.pk}/change/", {k: v for k, v in form.items() if v != ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    owner_a.refresh_from_db()
    assert owner_a.is_active is False
    assert stored_tokens(owner_a) == 0
    User.objects.filter(pk=owner_a.pk).update(is_active=True)  # even switched back on, the token is gone
    assert not works(token)


def test_a_password_set_by_any_other_path_revokes_too(owner_a):
    """Whatever saves a new password (a service, `manage.py changepassword`, the admin's form): one rule."""
    token = obtain(owner_a)["token"]
    user = User.objects.get(pk=owner_a.pk)
    user.set_password("Another-Strong-2026")
    user.save()
    assert not works(token)
    token = obtain(owner_a, "Another-Strong-2026")["token"]
    user.full_name = "改名不改密码"
    user.save()  # a save that changes neither the password nor the active flag keeps the tokens
    assert works(token)
    User.objects.filter(pk=owner_a.pk).update(password=make_password("x"))  # past the ORM's save: knox still
    assert works(token)  # checks its own digest; the rule is on saves, as every path of the portal saves


# ------------------------------------------------------------------ signing out


def test_signing_out_revokes_this_token_only(owner_a):
    this, other = obtain(owner_a)["token"], obtain(owner_a)["token"]
    r = api(this).post(reverse("api-token-revoke"))
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert not works(this) and works(other)
    assert AuditEvent.objects.filter(action="auth.api_token_revoked", after__reason="sign_out").count() == 1


def test_signing_out_everywhere_revokes_every_token_of_the_account(owner_a, owner_b):
    one, two = obtain(owner_a)["token"], obtain(owner_a)["token"]
    b = obtain(owner_b)["token"]
    r = api(one).post(reverse("api-token-revoke-all"))
    assert r.status_code == 200 and r.json() == {"revoked": 2}
    assert not works(one) and not works(two) and works(b)


@pytest.mark.parametrize("name", ["api-token-revoke", "api-token-revoke-all"])
def test_signing_out_without_a_valid_token_changes_nothing(owner_a, name):
    token = obtain(owner_a)["token"]
    browser = Client()
    browser.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    for client in (Client(), api("0" * 64), api(token[:-1] + ("0" if token[-1] != "0" else "1")), browser):
        r = client.post(reverse(name))
        assert r.status_code in (401, 403), r.status_code  # a session is not a token: nothing to revoke
    assert works(token) and stored_tokens(owner_a) == 1
    assert not AuditEvent.objects.filter(action="auth.api_token_revoked").exists()
