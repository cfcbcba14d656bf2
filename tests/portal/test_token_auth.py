"""portal.authentication.TokenAuthentication: knox's tokens (looked up by knox), with the portal's one
rule added — staff tokens count only once the account has a confirmed TOTP device."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework import exceptions

from portal.authentication import TokenAuthentication
from portal.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_and_token_are_those_knox_stored(owner_a):
    instance, token = AuthToken.objects.create(user=owner_a)
    user, got = TokenAuthentication().authenticate_credentials(token.encode())
    assert user == owner_a and got.pk == instance.pk and got.user_id == owner_a.pk


def test_unknown_tokens_and_inactive_users_are_refused(owner_a):
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(b"0" * 64)
    _instance, token = AuthToken.objects.create(user=owner_a)
    User.objects.filter(pk=owner_a.pk).update(is_active=False)  # past the services: knox still refuses
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(token.encode())


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
