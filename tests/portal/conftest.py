"""Fixtures of the portal's tests: a real OpenID Connect provider for the OIDC tests (tests/portal/oidc_flow.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from .oidc_flow import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    EXPIRED_CLIENT,
    PASSWORD,
    PEOPLE,
    ROOT,
    Provider,
    private_key_pem,
)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-provider")
    spec_path = folder / "spec.json"
    spec = {
        "database": str(folder / "provider.sqlite3"),
        "private_key": private_key_pem(),
        "people": {name: {"password": PASSWORD, "claims": claims} for name, claims in PEOPLE.items()},
        "clients": [
            {"client_id": cid, "client_secret": CLIENT_SECRET, "redirect_uris": [CALLBACK]}
            for cid in (CLIENT_ID, EXPIRED_CLIENT)
        ],
        "expired_clients": [EXPIRED_CLIENT],
    }
    spec_path.write_text(json.dumps(spec, ensure_ascii=False))
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.portal.oidc_provider.serve", str(spec_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line.startswith("ready "):
            proc.kill()
            raise RuntimeError(f"the test OIDC provider did not start: {line}{proc.stderr.read()}")
        base = f"http://127.0.0.1:{int(line.split()[1])}"
        discovery = requests.get(f"{base}/o/.well-known/openid-configuration", timeout=10).json()
        yield Provider(base=base, spec_path=spec_path, discovery=discovery)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def oidc(settings, oidc_provider):
    """The portal configured for the provider as an operator would, from its discovery document."""
    d = oidc_provider.discovery
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = d["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = d["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = d["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = d["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = d["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TIMEOUT = 10
    return oidc_provider
