"""Probe (issue 12): failed sign-ins count per account whatever the spelling of the e-mail (case,
surrounding spaces), on the sign-in page and on the API token endpoint alike."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SPELLINGS = ["expert2@demo.cn", "EXPERT2@demo.cn", " expert2@demo.cn ", "Expert2@Demo.CN"]


def _login(spelling: str, password: str):
    return Client().post(reverse("login"), {"username": spelling, "password": password})


def _token(spelling: str, password: str):
    return Client().post(reverse("api-token"), {"username": spelling, "password": password})


@pytest.mark.parametrize("attempt", [_login, _token], ids=["page", "token"])
def test_four_guesses_then_another_spelling_locks_the_account(settings, attempt):
    assert settings.AXES_FAILURE_LIMIT == 5
    UserFactory(email="expert2@demo.cn")
    for _ in range(4):
        attempt("expert2@demo.cn", "wrong-password")
    r = attempt("EXpErt2@demo.cn", "wrong-password")
    assert r.status_code == 429, r.content[:200]
    # locked, whatever the spelling, even with the right password
    for spelling in SPELLINGS:
        assert attempt(spelling, PASSWORD).status_code == 429


def test_spellings_mixed_across_page_and_token_endpoint_count_together(settings):
    UserFactory(email="expert2@demo.cn")
    for spelling in SPELLINGS:  # four failures, four spellings, page and API alternating
        (_login if spelling.startswith("E") else _token)(spelling, "wrong-password")
    assert _token("  EXPERT2@DEMO.CN", "wrong-password").status_code == 429
    assert _login("expert2@demo.cn", PASSWORD).status_code == 429


def test_the_username_and_the_email_of_one_account_count_together(settings):
    UserFactory(email="expert2@demo.cn", username="zhuanjia2")
    for _ in range(4):
        _login("zhuanjia2", "wrong-password")
    assert _token("Expert2@demo.cn", "wrong-password").status_code == 429


def test_another_account_is_not_locked_by_these_failures(settings):
    UserFactory(email="expert2@demo.cn")
    UserFactory(email="expert3@demo.cn")
    for _ in range(5):
        _login("EXPERT2@demo.cn", "wrong-password")
    assert _login("expert3@demo.cn", PASSWORD).status_code == 302
