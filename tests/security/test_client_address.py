"""Probe (issue 12): the client's address comes from one trusted-proxy setting
(PORTAL_TRUSTED_PROXIES: the proxies' addresses or networks), and the throttles, the login lockout
and the audit trail all read it. X-Forwarded-For (or the proxy's X-Real-IP) counts only when the
connection comes from one of those proxies; a forged header from anywhere else changes nothing.
Objections during a public notice are limited per address for signed-in users too."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.audit import client_ip
from portal.models import AuditEvent
from tests.cast import cast_build
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"
CLIENT = "198.51.100.7"
OTHER = "203.0.113.9"


@pytest.fixture(autouse=True)
def behind_a_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::1"]
    cache.clear()


def _meta(peer: str, **headers) -> dict:
    return {"REMOTE_ADDR": peer, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}


@pytest.mark.parametrize(
    "meta,expected",
    [
        (_meta(OTHER), OTHER),
        (_meta(OTHER, x_forwarded_for=CLIENT), OTHER),  # forged: the peer is no proxy of ours
        (_meta(OTHER, x_real_ip=CLIENT), OTHER),
        (_meta(PROXY, x_forwarded_for=CLIENT), CLIENT),
        (_meta(PROXY, x_real_ip=CLIENT), CLIENT),
        (_meta(PROXY, x_forwarded_for=f"1.1.1.1, {CLIENT}"), CLIENT),  # what the client put first is theirs
        (_meta(PROXY, x_forwarded_for=f"{CLIENT}, 10.0.0.7"), CLIENT),  # a chain of our proxies is walked
        (_meta(PROXY, x_forwarded_for="not-an-address"), PROXY),
        (_meta(PROXY), PROXY),
        (_meta("fd00::1", x_forwarded_for="2001:db8::5"), "2001:db8::5"),
    ],
)
def test_the_address_rule(meta, expected):
    from portal.middleware import client_address

    assert client_address(meta) == expected


def test_without_trusted_proxies_no_header_counts(settings):
    from portal.middleware import client_address

    settings.PORTAL_TRUSTED_PROXIES = []
    assert client_address(_meta(PROXY, x_forwarded_for=CLIENT, x_real_ip=CLIENT)) == PROXY


def test_every_request_carries_the_resolved_address(settings):
    from portal.middleware import TrustedProxyMiddleware

    seen = {}
    middleware = TrustedProxyMiddleware(lambda request: seen.setdefault("ip", client_ip(request)))
    middleware(RequestFactory().get("/", REMOTE_ADDR=OTHER, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_X_REAL_IP=CLIENT))
    assert seen["ip"] == OTHER


# ------------------------------------------------------------------ the lockout


def _login(peer: str, password: str, xff: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return Client().post(reverse("login"), {"username": "victim@example.cn", "password": password}, **extra)


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_lockout():
    UserFactory(email="victim@example.cn")
    for i in range(5):
        _login(OTHER, "wrong-password", xff=f"192.0.2.{i}")
    assert _login(OTHER, PASSWORD, xff="192.0.2.200").status_code == 429
    assert set(AuditEvent.objects.filter(action="auth.locked_out").values_list("ip_address", flat=True)) == {OTHER}


@pytest.mark.django_db
def test_behind_the_proxy_each_client_is_its_own():
    UserFactory(email="victim@example.cn")
    for _ in range(5):
        _login(PROXY, "wrong-password", xff=CLIENT)
    assert _login(PROXY, PASSWORD, xff=CLIENT).status_code == 429
    r = _login(PROXY, PASSWORD, xff=OTHER)  # another client behind the same proxy
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login").get().ip_address == OTHER


# ------------------------------------------------------------------ throttles and audit of objections


@pytest.fixture
def notice(db):
    cast = cast_build(letters=False)
    return cast


def _objection(client: Client, cast, n: int, **extra):
    return client.post(
        f"/api/v1/reviews/notices/{cast.notice.pk}/objections/",
        {
            "application": cast.a_notice.pk,
            "objector_kind": "person",
            "objector_name": f"张{n}",
            "contact_phone": "13800000000",
            "content": f"第{n}条异议：该项目的合同金额与实际采购不符，请核查。",
        },
        content_type="application/json",
        **extra,
    )


@pytest.mark.django_db
def test_objections_are_limited_per_address_whatever_the_forged_header(notice):
    client = Client()
    lodged = AuditEvent.objects.filter(action="review.objection_lodge")
    first = lodged.count()
    for n in range(30):
        r = _objection(client, notice, n, REMOTE_ADDR=OTHER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert r.status_code == 201, r.content
    assert _objection(client, notice, 31, REMOTE_ADDR=OTHER, HTTP_X_FORWARDED_FOR="192.0.2.250").status_code == 429
    ips = list(lodged.order_by("pk").values_list("ip_address", flat=True))[first:]
    assert ips == [OTHER] * 30


@pytest.mark.django_db
def test_objections_are_limited_for_signed_in_users_too(notice):
    client = Client()
    client.force_login(notice.user("owner_b"), backend="portal.backends.EmailOrUsernameBackend")
    for n in range(30):
        assert _objection(client, notice, n, REMOTE_ADDR=OTHER).status_code == 201
    assert _objection(client, notice, 31, REMOTE_ADDR=OTHER).status_code == 429
    # the page form counts with the API
    r = client.post(
        reverse("reviews:public_notice", args=[notice.notice.pk]),
        {
            "application": notice.a_notice.pk,
            "objector_kind": "person",
            "objector_name": "张三",
            "contact_phone": "13800000000",
            "content": "该项目的合同金额与实际采购不符，请核查。",
        },
        REMOTE_ADDR=OTHER,
    )
    assert r.status_code == 429


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy(notice):
    lodged = AuditEvent.objects.filter(action="review.objection_lodge").order_by("-pk")
    assert _objection(Client(), notice, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT).status_code == 201
    assert lodged.first().ip_address == CLIENT
    assert _objection(Client(), notice, 2, REMOTE_ADDR=OTHER, HTTP_X_FORWARDED_FOR=CLIENT).status_code == 201
    assert lodged.first().ip_address == OTHER
