"""GET /api/v1/letters/<id>/pdf/ with an API token (Authorization: Token …), scoped like the page's
download: the enterprise's members and its district's bureau get the PDF and its digest; everyone else
404 (nothing tells them the letter exists), no credentials 401/403; a letter whose PDF is not made
yet is 404 too."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from tests.cast import PDF, ROLES, cast_build

pytestmark = pytest.mark.django_db

ALLOWED = {"owner_a", "agent_a", "reviewer", "reviewer_other", "admin"}  # A's members, Huangpu's bureau


@pytest.fixture
def cast(private_storage):
    return cast_build(letters=False)


def _get(cast, role: str, letter) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Token {cast.tokens[role]}"} if role in cast.tokens else {}
    return Client().get(f"/api/v1/letters/{letter.pk}/pdf/", **headers)


def test_the_pdf_with_a_token_for_whoever_sees_the_letter_and_no_one_else(cast):
    for role in ROLES:
        response = _get(cast, role, cast.letter)
        if role in ALLOWED:
            assert response.status_code == 200, role
            body = b"".join(response.streaming_content)
            assert body == PDF and response["Content-Type"] == "application/pdf", role
            assert response["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest() == cast.letter.sha256
            assert "attachment" in response["Content-Disposition"]
        elif role == "anon":
            assert response.status_code in (401, 403), role
        else:
            assert response.status_code == 404, (role, response.status_code)


def test_a_letter_not_rendered_yet_is_not_found(cast):
    assert not cast.letter_supplement.sha256
    response = _get(cast, "owner_a", cast.letter_supplement)
    assert response.status_code == 404 and "正在生成" in response.json()["detail"]


def test_a_revoked_token_opens_nothing(cast):
    from knox.models import AuthToken

    AuthToken.objects.filter(user=cast.users["owner_a"]).delete()
    assert _get(cast, "owner_a", cast.letter).status_code in (401, 403)
