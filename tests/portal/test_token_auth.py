"""portal.authentication.TokenAuthentication: the one-statement lookup gives the user the ORM would
give, and refuses what DRF's own class refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from portal.authentication import TokenAuthentication
from portal.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_and_token_equal_what_the_orm_loads(owner_a):
    owner_a.last_login = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30, 15, 250000))
    owner_a.save(update_fields=["last_login"])
    token = Token.objects.create(user=owner_a)
    user, got = TokenAuthentication().authenticate_credentials(token.key)
    fresh = User.objects.get(pk=owner_a.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name
        assert type(getattr(user, field.attname)) is type(getattr(fresh, field.attname)), field.name
    assert user.last_login == owner_a.last_login and user.is_active is True
    assert got.pk == token.key and got.user_id == owner_a.pk and got.created == token.created
    assert not user._state.adding and user._state.db == "default"


def test_unknown_tokens_and_inactive_users_are_refused(owner_a):
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials("0" * 40)
    token = Token.objects.create(user=owner_a)
    User.objects.filter(pk=owner_a.pk).update(is_active=False)
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(token.key)


def test_staff_tokens_count_only_with_a_confirmed_totp_device(settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    reviewer = UserFactory(role=Role.REVIEWER)
    token = Token.objects.create(user=reviewer)
    TOTPDevice.objects.create(user=reviewer, name="unconfirmed", confirmed=False)
    with pytest.raises(exceptions.AuthenticationFailed) as exc:
        TokenAuthentication().authenticate_credentials(token.key)
    assert "两步验证" in str(exc.value.detail)
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    assert TokenAuthentication().authenticate_credentials(token.key)[0] == reviewer
    settings.PORTAL_STAFF_REQUIRE_2FA = False
    other = Token.objects.create(user=UserFactory(role=Role.REVIEWER))
    assert TokenAuthentication().authenticate_credentials(other.key)[0] == other.user
