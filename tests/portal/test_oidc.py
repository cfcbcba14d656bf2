"""统一身份认证: OpenID Connect sign-in against a real provider run locally (tests/portal/conftest.py),
through the portal's pages: the authorization-code flow with PKCE, state and nonce; wrong state,
expired and forged ID tokens refused; a person's identity creates or links an account by the
provider's subject, never by e-mail alone; staff accounts are neither created nor opened by it."""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, ExternalIdentity, Role, User
from portal.oidc import PortalOIDCBackend
from tests.factories import PASSWORD

from .oidc_flow import EXPIRED_CLIENT, ProviderBrowser, portal_path, sign_in_with_provider

pytestmark = pytest.mark.django_db
REFUSED = "登录未成功"


def signed_in(client: Client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def refused(response, client: Client, text: str = REFUSED) -> bool:
    """Back on the sign-in page with the reason, and nobody signed in."""
    assert response.status_code == 302 and response["Location"] == reverse("login"), response
    page = client.get(reverse("login")).content.decode()
    assert text in page, page[:3000]
    return signed_in(client) is None


def nothing_created(users_before: int) -> bool:
    return User.objects.count() == users_before and not ExternalIdentity.objects.exists()


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


# ------------------------------------------------------------------ off by default


def test_off_by_default_no_button_and_no_flow(client, settings):
    assert settings.OIDC_ENABLED is False
    page = client.get(reverse("login")).content.decode()
    assert "粤商通" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"}).status_code == 404


# ------------------------------------------------------------------ the flow


def test_the_whole_flow_from_the_sign_in_page_opens_an_enterprise_account(client, oidc):
    page = client.get(reverse("login") + "?next=/vouchers/").content.decode()
    assert "使用粤商通/广东政务服务网登录" in page
    start = html.unescape(re.search(r'href="(/accounts/oidc/authenticate/[^"]*)"', page).group(1))
    assert start == reverse("oidc_authentication_init") + "?next=/vouchers/"

    r = client.get(start)
    assert r.status_code == 302 and r["Location"].startswith(oidc.discovery["authorization_endpoint"])
    params = {k: v[0] for k, v in parse_qs(urlsplit(r["Location"]).query).items()}
    assert params["response_type"] == "code" and params["client_id"] == "gz-ai-vouchers"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/accounts/oidc/callback/"

    callback = ProviderBrowser("zhang").authorize(r["Location"])
    r = client.get(portal_path(callback))
    assert r.status_code == 302 and r["Location"] == "/vouchers/"
    user = signed_in(client)
    assert user is not None and user.email == "zhang.san@example.cn"
    assert user.role == Role.ENTERPRISE and not user.is_staff and not user.is_superuser
    assert user.full_name == "张三" and user.phone == "13800000001" and user.email_confirmed_at is not None
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == oidc.discovery["issuer"] and identity.subject
    assert AuditEvent.objects.filter(action="user.register_oidc", target_id=str(user.pk)).exists()
    assert client.get("/accounts/login/").status_code == 302  # signed in: the sign-in page sends on

    # the next time, the same account (found by the subject), nothing new
    client.post(reverse("logout"))
    r = sign_in_with_provider(client, "zhang")
    assert r.status_code == 302 and signed_in(client) == user
    assert User.objects.filter(email="zhang.san@example.cn").count() == 1 and ExternalIdentity.objects.count() == 1
    assert AuditEvent.objects.filter(action="auth.oidc_login", target_id=str(user.pk)).exists()


def test_an_unverified_email_is_not_marked_confirmed(client, oidc):
    sign_in_with_provider(client, "wang")
    user = signed_in(client)
    assert user is not None and user.email == "wang.wu@example.cn" and user.email_confirmed_at is None


def test_a_password_sign_in_still_works_with_oidc_on(client, oidc, owner_a):
    r = client.post(reverse("login"), {"username": owner_a.email, "password": PASSWORD})
    assert r.status_code == 302 and signed_in(client) == owner_a


# ------------------------------------------------------------------ state, PKCE, nonce


def test_a_wrong_state_is_refused(client, oidc):
    users = User.objects.count()
    r = sign_in_with_provider(client, "zhang", tamper=lambda url: with_query(url, state="not-the-state-we-sent"))
    assert refused(r, client) and nothing_created(users)


def test_a_callback_this_browser_did_not_start_is_refused(client, oidc):
    users = User.objects.count()
    starter = Client()
    r = starter.get(reverse("oidc_authentication_init"))
    callback = ProviderBrowser("zhang").authorize(r["Location"])
    r = client.get(portal_path(callback))  # the attacker's code and state, in the victim's browser
    assert refused(r, client) and nothing_created(users)


def test_a_callback_is_used_once(client, oidc):
    captured = []

    def keep(url):
        captured.append(url)
        return url

    sign_in_with_provider(client, "zhang", tamper=keep)
    user = signed_in(client)
    client.post(reverse("logout"))
    r = client.get(portal_path(captured[0]))  # replayed
    assert refused(r, client)
    assert User.objects.filter(pk=user.pk).exists() and ExternalIdentity.objects.count() == 1


def _change_saved_flow(client, field: str, value: str) -> None:
    session = client.session
    states = session["oidc_states"]
    for state in states:
        states[state][field] = value
    session["oidc_states"] = states
    session.save()


def test_the_provider_refuses_the_code_without_the_pkce_verifier(client, oidc):
    users = User.objects.count()
    r = client.get(reverse("oidc_authentication_init"))
    callback = ProviderBrowser("zhang").authorize(r["Location"])
    _change_saved_flow(client, "code_verifier", "x" * 64)  # not the verifier of the challenge sent
    assert refused(client.get(portal_path(callback)), client) and nothing_created(users)


def test_an_id_token_with_another_nonce_is_refused(client, oidc):
    users = User.objects.count()
    r = client.get(reverse("oidc_authentication_init"))
    callback = ProviderBrowser("zhang").authorize(r["Location"])
    _change_saved_flow(client, "nonce", "another-nonce-than-the-one-sent")
    assert refused(client.get(portal_path(callback)), client) and nothing_created(users)


# ------------------------------------------------------------------ expired, forged, not ours


def test_an_expired_id_token_is_refused(client, oidc, settings):
    settings.OIDC_RP_CLIENT_ID = EXPIRED_CLIENT  # the provider signs this client's ID tokens expired
    users = User.objects.count()
    assert refused(sign_in_with_provider(client, "zhang"), client) and nothing_created(users)


def test_an_id_token_of_another_issuer_is_refused(client, oidc, settings):
    settings.OIDC_OP_ISSUER = "https://tyrz.gd.gov.cn/other"
    users = User.objects.count()
    assert refused(sign_in_with_provider(client, "zhang"), client) and nothing_created(users)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _swap_subject(token: str) -> str:
    """The real token, its claims changed in transit (another person's subject), its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "1" if claims["sub"] != "1" else "2"
    return f"{header}.{_b64(claims)}.{signature}"


def _resign_with_another_key(token: str) -> str:
    """The same claims and key id, signed by a key that is not the provider's."""
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _unsigned(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _hs256_with_the_client_secret(token: str) -> str:
    """The algorithm-confusion forgery: HS256 keyed with a secret the client knows."""
    claims = jwt.decode(token, options={"verify_signature": False})
    with warnings.catch_warnings():  # a short HMAC key: exactly what a forger would use here
        warnings.simplefilter("ignore")
        return jwt.encode(claims, "portal-client-secret-for-tests", algorithm="HS256")


@pytest.mark.parametrize("forge", [_swap_subject, _resign_with_another_key, _unsigned, _hs256_with_the_client_secret])
def test_a_forged_id_token_is_refused(client, oidc, monkeypatch, forge):
    real_get_token = PortalOIDCBackend.get_token

    def get_token_in_transit(self, payload):
        answer = real_get_token(self, payload)  # the provider's real answer to the real code
        return {**answer, "id_token": forge(answer["id_token"])}

    monkeypatch.setattr(PortalOIDCBackend, "get_token", get_token_in_transit)
    users = User.objects.count()
    assert refused(sign_in_with_provider(client, "zhang"), client) and nothing_created(users)


# ------------------------------------------------------------------ by subject, never by e-mail alone


def test_an_account_with_the_same_email_is_not_taken_over(client, oidc, owner_a):
    users = User.objects.count()
    r = sign_in_with_provider(client, "taken")  # the provider says owner-a@example.cn
    assert refused(r, client, "请先用邮箱和密码登录") and nothing_created(users)
    assert not AuditEvent.objects.filter(action="auth.login", target_id=str(owner_a.pk)).exists()


def test_a_signed_in_person_links_the_identity_and_then_signs_in_by_its_subject(client, oidc, owner_a):
    client.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    page = client.get(reverse("password_change")).content.decode()
    assert "绑定粤商通/广东政务服务网身份" in page
    start = reverse("oidc_authentication_init") + "?next=/accounts/password/change/"
    r = sign_in_with_provider(client, "li", start=start)
    assert r.status_code == 302 and r["Location"] == "/accounts/password/change/"
    identity = ExternalIdentity.objects.get()
    assert identity.user == owner_a
    owner_a.refresh_from_db()
    assert owner_a.email == "owner-a@example.cn"  # the provider's e-mail changes nothing of the account
    assert AuditEvent.objects.filter(action="auth.oidc_link", target_id=str(owner_a.pk)).exists()

    anonymous = Client()
    sign_in_with_provider(anonymous, "li")
    assert signed_in(anonymous) == owner_a
    oidc.set_claims("li", {"email": "someone.else@example.cn", "name": "李四"})  # the address changes
    try:
        third = Client()
        sign_in_with_provider(third, "li")
        assert signed_in(third) == owner_a and User.objects.filter(email="someone.else@example.cn").count() == 0
    finally:
        oidc.set_claims("li", {"email": "li.si@example.cn", "email_verified": True, "name": "李四"})


def test_an_identity_linked_to_one_account_does_not_link_to_another(client, oidc, owner_a, owner_b):
    client.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    sign_in_with_provider(client, "li")
    other = Client()
    other.force_login(owner_b, backend="portal.backends.EmailOrUsernameBackend")
    r = sign_in_with_provider(other, "li")
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert "该统一身份已绑定另一个平台账户" in other.get(r["Location"]).content.decode()
    assert signed_in(other) == owner_b  # still who they were
    assert list(ExternalIdentity.objects.values_list("user_id", flat=True)) == [owner_a.pk]


def test_no_email_no_account(client, oidc):
    users = User.objects.count()
    assert refused(sign_in_with_provider(client, "noemail"), client, "未提供电子邮箱") and nothing_created(users)


# ------------------------------------------------------------------ staff


def test_staff_accounts_are_not_created_nor_opened(client, oidc, reviewer):
    users = User.objects.count()
    r = sign_in_with_provider(client, "staffmail")  # the reviewer's e-mail, asserted by the provider
    assert refused(r, client, "请先用邮箱和密码登录") and nothing_created(users)  # as for any taken address

    client.force_login(reviewer, backend="portal.backends.EmailOrUsernameBackend")
    r = sign_in_with_provider(client, "zhang")  # a reviewer signed in tries to link an identity
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert "工作人员" in client.get(r["Location"]).content.decode()
    assert signed_in(client) == reviewer and not ExternalIdentity.objects.exists()
    assert User.objects.count() == users


def test_an_identity_whose_account_became_staff_no_longer_opens_it(client, oidc):
    sign_in_with_provider(client, "zhang")
    user = signed_in(client)
    client.post(reverse("logout"))
    User.objects.filter(pk=user.pk).update(role=Role.REVIEWER)
    assert refused(sign_in_with_provider(client, "zhang"), client, "工作人员")


def test_claims_cannot_make_anyone_staff(client, oidc):
    oidc.set_claims(
        "wang",
        {
            "email": "wang.wu@example.cn",
            "name": "王五",
            "role": "sysadmin",
            "is_staff": True,
            "is_superuser": True,
            "groups": ["admin"],
        },
    )
    try:
        sign_in_with_provider(client, "wang")
    finally:
        oidc.set_claims("wang", {"email": "wang.wu@example.cn", "email_verified": False, "name": "王五"})
    user = signed_in(client)
    assert user.role == Role.ENTERPRISE and not user.is_staff and not user.is_superuser
    assert not user.groups.exists()


def test_inactive_accounts_stay_closed(client, oidc):
    sign_in_with_provider(client, "zhang")
    user = signed_in(client)
    client.post(reverse("logout"))
    user.is_active = False
    user.save()
    assert refused(sign_in_with_provider(client, "zhang"), client, "已停用")
