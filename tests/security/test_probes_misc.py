"""Probes (issue 12) of the smaller holes: deeply nested JSON is a 400, not a 500; the anonymous
calculator has a generous per-address limit; bodies over the upload limit are refused before they
are read; a retried submit says 已提交; numbers like " 1,0,0 " are refused; the token endpoint,
registration and voucher look-ups do not reveal which accounts or codes exist."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.cast import PDF, cast_build
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# ------------------------------------------------------------------ deeply nested JSON


@pytest.mark.parametrize("depth", [40, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/programs/hp-compute-voucher/estimate/"])
def test_deeply_nested_json_is_a_400_for_anyone(catalogue, url, depth):
    c = Client(raise_request_exception=False)
    r = c.post(url, data='{"username": ' + _nested(depth) + "}", content_type="application/json")
    assert r.status_code == 400, (r.status_code, r.content[:200])
    assert "嵌套" in r.json()["detail"]


def test_deeply_nested_json_is_a_400_signed_in_too(owner_a):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(owner_a)
    r = api.post(
        "/api/v1/applications/", data='{"programme": ' + _nested(100_000) + "}", content_type="application/json"
    )
    assert r.status_code == 400 and "嵌套" in r.json()["detail"]


def test_ordinary_nesting_still_parses(catalogue):
    r = Client().post(
        "/api/v1/programs/hp-compute-voucher/estimate/", {"eligible_cost": "300000"}, content_type="application/json"
    )
    assert r.status_code == 200 and Decimal(r.json()["amount"]) > 0


# ------------------------------------------------------------------ the anonymous calculator


def test_the_calculator_limit_is_generous():
    from vouchers.throttles import EstimateThrottle

    number, period = EstimateThrottle.rate.split("/")
    assert int(number) >= 600 and period == "hour"


def test_the_calculator_is_limited_per_address_on_the_page_and_the_api(catalogue, monkeypatch, owner_a):
    from vouchers.throttles import EstimateThrottle

    monkeypatch.setattr(EstimateThrottle, "rate", "3/hour")
    api_url = "/api/v1/programs/hp-compute-voucher/estimate/"
    page_url = reverse("vouchers:estimate", args=["hp-compute-voucher"]) + "?run=1&eligible_cost=300000"
    anonymous = Client()
    assert (
        anonymous.post(
            api_url, {"eligible_cost": "300000"}, content_type="application/json", REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 200
    )
    assert anonymous.get(page_url, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert (
        anonymous.post(
            api_url, {"eligible_cost": "1"}, content_type="application/json", REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 200
    )
    assert (
        anonymous.post(
            api_url, {"eligible_cost": "300000"}, content_type="application/json", REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 429
    )
    r = anonymous.get(page_url, REMOTE_ADDR="198.51.100.1")
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    # signing in does not lift it; another address has its own count; the bare page is never counted
    signed_in = Client()
    signed_in.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    assert signed_in.get(page_url, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert anonymous.get(page_url, REMOTE_ADDR="198.51.100.2").status_code == 200
    assert (
        anonymous.get(reverse("vouchers:estimate", args=["hp-compute-voucher"]), REMOTE_ADDR="198.51.100.1").status_code
        == 200
    )


# ------------------------------------------------------------------ bodies over the limit


class _Unreadable(io.RawIOBase):
    """A request body that must never be read."""

    def readable(self):
        return True

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


@pytest.mark.parametrize(
    "url,content_type,api",
    [
        ("/applications/1/attachments/", "multipart/form-data; boundary=xyz", False),
        ("/api/v1/applications/1/attachments/", "multipart/form-data; boundary=xyz", True),
        ("/accounts/login/", "application/x-www-form-urlencoded", False),
        ("/api/v1/auth/token/", "application/json", True),
    ],
)
def test_a_body_over_the_limit_is_refused_before_it_is_read(settings, url, content_type, api):
    too_big = settings.PORTAL_UPLOAD_MAX_FILE_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    c = Client(raise_request_exception=True)
    r = c.generic(
        "POST", url, **{"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(too_big), "wsgi.input": _Unreadable()}
    )
    assert r.status_code == 413
    text = r.json()["detail"] if api else r.content.decode()
    assert "过大" in text


def test_a_form_body_over_the_form_limit_is_refused_too(settings):
    r = Client().generic(
        "POST",
        "/accounts/login/",
        **{
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            "wsgi.input": _Unreadable(),
        },
    )
    assert r.status_code == 413


def test_an_upload_within_the_limit_still_works():
    cast = cast_build(letters=False)
    c = Client()
    c.force_login(cast.user("owner_a"), backend="portal.backends.EmailOrUsernameBackend")
    app = cast.a_draft
    material = app.programme.materials[0]["code"]
    r = c.post(
        reverse("applications:attachment_upload", args=[app.pk]),
        {"material": material, "file": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")},
    )
    assert r.status_code in (200, 302)


# ------------------------------------------------------------------ a retried submit


def test_a_retried_submit_says_submitted(catalogue, owner_a, django_capture_on_commit_callbacks):
    from applications.models import ApplicationEvent
    from tests.cast import _draft
    from vouchers.models import ApplicationWindow

    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )
    app = _draft(programme, owner_a, n=1)
    api = APIClient()
    api.force_authenticate(owner_a)
    url = f"/api/v1/applications/{app.pk}/submit/"
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(url, {"declaration": True}, format="json")
    assert first.status_code == 200 and first.json()["state"] == "submitted"
    # the answer was lost; the client sends the same request again
    again = api.post(url, {"declaration": True}, format="json")
    assert again.status_code == 200, again.content
    assert "已提交" in again.json()["message"] and again.json()["state"] == "submitted"
    assert ApplicationEvent.objects.filter(application=app, action="submit").count() == 1
    # the page says so too
    page = Client()
    page.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    r = page.post(reverse("applications:submit", args=[app.pk]), {"declaration": "on"}, follow=True)
    assert "已提交" in r.content.decode()


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    "text", [" 1,0,0 ", "1,00", "1,0000", ",100", "100,", "1e5", "NaN", "Infinity", "1 000", "0x10", "１,０,０"]
)
def test_odd_numbers_are_not_amounts(text):
    from portal.amounts import decimal_from_text

    assert decimal_from_text(text) is None


@pytest.mark.parametrize(
    "text,value",
    [("100", "100"), (" 1,000.50 ", "1000.50"), ("1，000", "1000"), ("-5", "-5"), ("300000.00", "300000.00")],
)
def test_plain_numbers_are(text, value):
    from portal.amounts import decimal_from_text

    assert decimal_from_text(text) == Decimal(value)


@pytest.mark.parametrize("text", [" 1,0,0 ", "1e5", "1,00"])
def test_every_money_parser_refuses_them(text):
    from reviews.services.decisions import parse_amount
    from vouchers.services.budget import money

    with pytest.raises(ValidationError):
        parse_amount(text)
    with pytest.raises(ValidationError):
        money(text)


def test_the_calculator_refuses_them(catalogue):
    r = Client().post(
        "/api/v1/programs/hp-compute-voucher/estimate/", {"eligible_cost": " 3,0,0 "}, content_type="application/json"
    )
    assert r.status_code == 400 and "eligible_cost" in r.json()


# ------------------------------------------------------------------ nothing tells who or what exists


def _token(username: str, password: str):
    return Client().post(reverse("api-token"), {"username": username, "password": password})


def test_the_token_endpoint_answers_alike_for_unknown_and_wrong():
    UserFactory(email="known@example.cn")
    UserFactory(email="unconfirmed@example.cn", is_active=False)
    answers = [
        _token("nobody@example.cn", "wrong-password-1"),
        _token("known@example.cn", "wrong-password-1"),
        _token("unconfirmed@example.cn", PASSWORD),
    ]
    assert {r.status_code for r in answers} == {400}
    assert len({r.content for r in answers}) == 1


def test_registration_answers_alike_for_a_new_and_a_registered_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.cn", full_name="某人")
    data = {
        "full_name": "新用户",
        "phone": "13800138000",
        "password1": "Guangzhou-AI-2026",
        "password2": "Guangzhou-AI-2026",
    }
    with django_capture_on_commit_callbacks(execute=True):
        new = Client().post(reverse("register"), {**data, "email": "fresh@example.cn"})
        taken = Client().post(reverse("register"), {**data, "email": "taken@example.cn"})
    assert new.status_code == taken.status_code == 200

    def page(response, email):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(email, "X")

    assert page(new, "fresh@example.cn") == page(taken, "taken@example.cn")
    assert sorted(m.to[0] for m in mail.outbox) == ["fresh@example.cn", "taken@example.cn"]


def test_the_redemption_desk_answers_alike_for_an_unknown_code_and_another_holders():
    from vouchers.services.redemption import redemption_create

    cast = cast_build(letters=False)
    provider = cast.user("provider")

    def errors(code: str, holder: str) -> dict:
        with pytest.raises(ValidationError) as exc:
            redemption_create(
                actor=provider,
                voucher_code=code,
                holder_credit_code=holder,
                invoice_number="INV20269999",
                invoice_date=timezone.localdate(),
                amount="10",
                invoice_file=SimpleUploadedFile("i.pdf", PDF, content_type="application/pdf"),
            )
        return exc.value.message_dict

    unknown = errors("HPV-2099-999999", cast.enterprise_b.credit_code)
    not_theirs = errors(cast.voucher.code, cast.enterprise_b.credit_code)
    assert unknown == not_theirs
    assert set(unknown) == {"voucher_code"}
