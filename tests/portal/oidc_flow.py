"""The OIDC tests' provider (tests/portal/oidc_provider: django-oauth-toolkit in its own process on a
free loopback port, with an RSA key made for the run; started by the `oidc_provider` fixture of
tests/portal/conftest.py) and a browser that walks the authorization-code flow between the portal's
pages (the Django test client) and the provider's (HTTP on loopback)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://testserver/accounts/oidc/callback/"
CLIENT_ID, CLIENT_SECRET = "gz-ai-vouchers", "portal-client-secret-for-tests"
EXPIRED_CLIENT = "gz-ai-vouchers-expired"  # the provider issues this client's ID tokens already expired
PASSWORD = "provider-Passw0rd"

# The provider's people: username → the claims it asserts of them.
PEOPLE = {
    "zhang": {"email": "zhang.san@example.cn", "email_verified": True, "name": "张三", "phone_number": "13800000001"},
    "li": {"email": "li.si@example.cn", "email_verified": True, "name": "李四"},
    "wang": {"email": "wang.wu@example.cn", "email_verified": False, "name": "王五"},
    "taken": {"email": "owner-a@example.cn", "email_verified": True, "name": "冒用邮箱的人"},
    "staffmail": {"email": "reviewer@example.cn", "email_verified": True, "name": "审核人员同邮箱"},
    "noemail": {"name": "没有邮箱"},
    "enterprise": {
        "email": "legal.rep@example.cn",
        "email_verified": True,
        "name": "赵六",
        "uscc": "91440101MA59ABCD1X",
        "enterprise_name": "广州丙人工智能有限公司",
        "legal_representative": "赵六",
    },
}


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class Provider:
    base: str
    spec_path: Path
    discovery: dict

    def spec(self) -> dict:
        return json.loads(self.spec_path.read_text())

    def set_claims(self, username: str, claims: dict) -> None:
        spec = self.spec()
        spec["people"][username]["claims"] = claims
        self.spec_path.write_text(json.dumps(spec, ensure_ascii=False))


class ProviderBrowser:
    """The person's browser at the provider: signs in on its page and is sent back with a code."""

    def __init__(self, username: str, password: str = PASSWORD):
        self.session = requests.Session()
        self.username, self.password = username, password

    def authorize(self, authorization_url: str) -> str:
        """Where the provider sends the browser back to (the portal's callback with code and state)."""
        r = self.session.get(authorization_url, allow_redirects=False, timeout=10)
        if r.status_code == 302 and "/login/" in r.headers["Location"]:
            login_url = urljoin(authorization_url, r.headers["Location"])
            page = self.session.get(login_url, timeout=10)
            assert page.status_code == 200, page.text[:500]
            next_url = dict(p.split("=", 1) for p in urlsplit(login_url).query.split("&"))["next"]
            r = self.session.post(
                login_url,
                allow_redirects=False,
                timeout=10,
                data={
                    "username": self.username,
                    "password": self.password,
                    "next": requests.utils.unquote(next_url),
                    "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
                },
            )
            assert r.status_code == 302, r.text[:500]
            r = self.session.get(urljoin(login_url, r.headers["Location"]), allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text[:500]
        return r.headers["Location"]


def portal_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in_with_provider(client, username: str, *, start: str = "/accounts/oidc/authenticate/", tamper=None):
    """The whole flow: the portal sends the browser to the provider, the person signs in there, the
    provider sends the browser back; returns the portal's answer to the callback. `tamper(url)` may
    change the callback URL on its way (as an attacker would)."""
    r = client.get(start)
    assert r.status_code == 302, r.status_code
    callback = ProviderBrowser(username).authorize(r["Location"])
    if tamper is not None:
        callback = tamper(callback)
    return client.get(portal_path(callback))
