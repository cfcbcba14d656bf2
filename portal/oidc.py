"""统一身份认证 OpenID Connect sign-in (as 广东政务服务网 / 粤商通 offer it), on mozilla-django-oidc's
authorization-code flow with PKCE, state and nonce (settings.OIDC_*, off unless OIDC_ENABLED).

mozilla-django-oidc sends the person to the provider and back, exchanges the code and fetches the
user info; the portal adds what a government identity needs on top of it:
- the ID token is checked in full: the provider's key from its JWKS and the configured algorithm
  only, the issuer (OIDC_OP_ISSUER), this client as audience, expiry and issue time, the nonce;
- the user info must be about the ID token's subject;
- which account the identity opens is decided by portal.services_identity (by the provider's
  subject, never by e-mail alone; staff never);
- `identity_asserted` is the hook for what else the claims mean once the person is signed in: the
  backend named by OIDC_AUTHENTICATION_BACKEND may extend it (an enterprise asserted by the provider);
- a refusal sends the person back to the sign-in page with a message, never an error page."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .audit import client_ip
from .models import User
from .services_identity import IdentityRefused, PersonClaims, external_identity_sign_in

logger = logging.getLogger(__name__)

REFUSAL_ATTRIBUTE = "portal_oidc_refusal"  # the refusal's message, from the backend to the callback view


def claim(claims: dict, setting: str) -> str:
    """The claim that settings.<setting> names, as text ('' when absent)."""
    key = getattr(settings, setting, "")
    value = claims.get(key) if key else None
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouches for (settings.AUTHENTICATION_BACKENDS)."""

    def authenticate(self, request, *, nonce, code_verifier):
        """Only the callback view's call (with the nonce and the PKCE verifier) reaches this backend:
        a sign-in with a password does not bind these arguments and passes it by."""
        if not settings.OIDC_ENABLED or request is None:
            return None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token, **kwargs):
        """The ID token's claims, once its signature, algorithm, issuer, audience, times and nonce hold."""
        algorithm = self.OIDC_RP_SIGN_ALGO
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != algorithm:
                raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}, not {algorithm!r}")
            if algorithm.startswith(("RS", "ES", "PS")):
                key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
            else:
                key = self.OIDC_RP_CLIENT_SECRET
            payload = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except (jwt.InvalidTokenError, jwt.PyJWKError, KeyError, TypeError, ValueError) as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        except requests.RequestException as exc:
            raise SuspiciousOperation(f"the provider's keys could not be read: {exc}") from exc
        if "nonce" in kwargs and (not kwargs["nonce"] or payload.get("nonce") != kwargs["nonce"]):
            raise SuspiciousOperation("ID token refused: not the nonce of this sign-in")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub", "")) != str(payload["sub"]):
            raise SuspiciousOperation("the user info is about another subject than the ID token")
        claims = {**userinfo, "iss": payload["iss"], "sub": payload["sub"]}
        person = PersonClaims(
            issuer=str(payload["iss"]),
            subject=str(payload["sub"]),
            email=claim(claims, "OIDC_CLAIM_EMAIL"),
            email_verified=claims.get(settings.OIDC_CLAIM_EMAIL_VERIFIED) is True,
            full_name=claim(claims, "OIDC_CLAIM_NAME"),
            phone=claim(claims, "OIDC_CLAIM_PHONE"),
        )
        try:
            user = external_identity_sign_in(
                person=person, signed_in=getattr(self.request, "user", None), ip=client_ip(self.request)
            )
        except IdentityRefused as exc:
            setattr(self.request, REFUSAL_ATTRIBUTE, exc.args[0] if exc.args else "")
            return None
        self.identity_asserted(user=user, claims=claims)
        return user

    def identity_asserted(self, *, user: User, claims: dict) -> None:
        """What else the provider's claims mean for `user`, who is signed in by them. Nothing here:
        the portal knows people; a backend of an app that knows more (enterprises) extends it."""


class OIDCSignInView(OIDCAuthenticationRequestView):
    """GET: to the provider's sign-in page, with a fresh state, nonce and PKCE challenge."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """GET: back from the provider with the code and the state; signs the person in, or says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # a state this browser did not start, a forged token, …
            logger.warning("OIDC sign-in refused: %s", exc)
        except requests.RequestException as exc:  # the provider did not answer, or refused the code
            logger.warning("OIDC provider error: %s", exc)
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, "")
        messages.error(
            self.request, refusal or _("通过粤商通/广东政务服务网登录未成功，请重试，或使用邮箱和密码登录。")
        )
        if self.request.user.is_authenticated:  # linking from a signed-in session: back where it started
            return redirect(self.request.session.get("oidc_login_next") or "home")
        return redirect("login")
