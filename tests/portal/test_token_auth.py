"""portal.authentication.TokenAuthentication: knox's tokens looked up in one query, with the portal's
one rule added (staff tokens count only once the account has a confirmed TOTP device). Its answers
are compared with knox's own TokenAuthentication for every case, on the knox version it follows."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import version

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from portal.authentication import KNOX_VERSION, TokenAuthentication
from portal.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def answer(auth, raw: str):
    """(user pk, token digest) or the refusal's message."""
    try:
        user, token = auth.authenticate_credentials(raw.encode())
    except exceptions.AuthenticationFailed as exc:
        return str(exc.detail)
    return user.pk, token.digest


def test_written_against_the_installed_knox():
    assert version("django-rest-knox") == KNOX_VERSION, (
        "knox changed: compare portal.authentication.TokenAuthentication.authenticate_credentials with "
        "knox.auth.TokenAuthentication.authenticate_credentials of the new version, then update KNOX_VERSION"
    )


def _cases(owner):
    """Each case makes its own tokens: (name, raw token) as a client would send it."""
    valid = AuthToken.objects.create(user=owner)[1]
    yield "valid", valid
    yield "another valid token of the account", AuthToken.objects.create(user=owner)[1]
    yield "never issued", "0" * 64
    yield "the key of a real token, another secret", valid[: CONSTANTS.TOKEN_KEY_LENGTH] + "f" * 49
    yield "a token cut short", valid[:20]
    yield "not hexadecimal", "令牌" * 8
    expired = AuthToken.objects.create(user=owner, expiry=dt.timedelta(seconds=-1))[1]
    yield "expired", expired
    inactive_user = UserFactory()
    inactive = AuthToken.objects.create(user=inactive_user)[1]
    User.objects.filter(pk=inactive_user.pk).update(is_active=False)
    yield "of a deactivated account", inactive
    yield "without expiry", AuthToken.objects.create(user=owner, expiry=None)[1]


def test_every_answer_is_knox_s(owner_a):
    for name, raw in _cases(owner_a):
        ours = answer(TokenAuthentication(), raw)
        # knox deletes an expired token it sees: ask it about a twin made the same way
        if name == "expired":
            twin = AuthToken.objects.create(user=owner_a, expiry=dt.timedelta(seconds=-1))[1]
            theirs = answer(KnoxTokenAuthentication(), twin)
            assert not AuthToken.objects.filter(token_key=twin[: CONSTANTS.TOKEN_KEY_LENGTH]).exists()
        else:
            theirs = answer(KnoxTokenAuthentication(), raw)
        assert ours == theirs, name
    assert not AuthToken.objects.filter(expiry__lt=timezone.now()).exists()  # both deleted what had expired


def test_one_query_with_the_totp_enrolment(owner_a, settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    reviewer = UserFactory(role=Role.REVIEWER)
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    for user in (owner_a, reviewer):
        raw = AuthToken.objects.create(user=user)[1]
        with CaptureQueriesContext(connection) as queries:
            assert TokenAuthentication().authenticate_credentials(raw.encode())[0] == user
        assert len(queries) == 1, [q["sql"] for q in queries]


def test_staff_tokens_count_only_with_a_confirmed_totp_device(settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    reviewer = UserFactory(role=Role.REVIEWER)
    _instance, token = AuthToken.objects.create(user=reviewer)
    TOTPDevice.objects.create(user=reviewer, name="unconfirmed", confirmed=False)
    with pytest.raises(exceptions.AuthenticationFailed) as exc:
        TokenAuthentication().authenticate_credentials(token.encode())
    assert "两步验证" in str(exc.value.detail)
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    assert TokenAuthentication().authenticate_credentials(token.encode())[0] == reviewer
    settings.PORTAL_STAFF_REQUIRE_2FA = False
    other_user = UserFactory(role=Role.REVIEWER)
    _instance, other = AuthToken.objects.create(user=other_user)
    assert TokenAuthentication().authenticate_credentials(other.encode())[0] == other_user


def test_signing_in_again_clears_the_account_s_expired_tokens(owner_a):
    from portal.services_tokens import api_token_issue

    AuthToken.objects.create(user=owner_a, expiry=dt.timedelta(seconds=-1))
    kept = AuthToken.objects.create(user=owner_a)[0]
    api_token_issue(user=owner_a)
    assert owner_a.auth_token_set.count() == 2 and owner_a.auth_token_set.filter(pk=kept.pk).exists()


def test_the_user_is_what_the_orm_loads(owner_a):
    owner_a.last_login = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30, 15, 250000))
    owner_a.save(update_fields=["last_login"])
    instance, raw = AuthToken.objects.create(user=owner_a)
    user, token = TokenAuthentication().authenticate_credentials(raw.encode())
    fresh = User.objects.get(pk=owner_a.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name
        assert type(getattr(user, field.attname)) is type(getattr(fresh, field.attname)), field.name
    assert not user._state.adding and user._state.db == "default"
    assert token.pk == instance.pk and token.user is user
    assert token.expiry == instance.expiry and token.created == instance.created  # deferred, loaded on use
