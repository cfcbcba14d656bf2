"""API token authentication (kept apart from portal.api: DRF imports these while it loads its views).

The tokens are django-rest-knox's: only a SHA-512 digest is stored, each token expires
(settings.PORTAL_API_TOKEN_TTL) and is revoked by signing out, by a password change or reset and by
deactivating the account (portal.services_tokens). The portal adds one rule: with
PORTAL_STAFF_REQUIRE_2FA on, a staff account's token counts only once the account has a confirmed
TOTP device; tokens are then issued against the TOTP code (portal.api_auth), so a password alone
never opens the API to staff.

One shortcut, measured: knox's own lookup reads the token with its user, then every token of the
user (to drop expired ones), and the staff rule would add a third query. Every API request pays
for it, and with it the application list fell below its target (bench/bench_load.py: the list at
≥ 0.1 × /healthz; 0.096 in the same run where knox's lookup was replaced by this one at one query).
So `authenticate_credentials` reads the token, its user and the TOTP enrolment in one ORM query and
decides as knox 5.1.0 does — the same digest (knox.crypto.hash_token, compared in constant time),
the same expiry (an expired token is deleted and knox's token_expired sent), the same refusals.
The user's other expired tokens go when the account next signs in (portal.services_tokens).
tests/portal/test_token_auth.py compares its answers with knox's for every case and fails when the
installed knox is not the version this was written against."""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

KNOX_VERSION = "5.1.0"  # the knox whose TokenAuthentication.authenticate_credentials this follows


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`: knox's header, tokens and rules, looked up in one query."""

    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, binascii.Error) as exc:
            raise invalid from exc
        enrolled = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
        candidates = (AuthToken.objects.filter(token_key=text[:CONSTANTS.TOKEN_KEY_LENGTH])
                      .select_related("user").annotate(totp_enrolled=Exists(enrolled)))
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                raise invalid
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            return self.validate_user(auth_token)
        raise invalid

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if settings.PORTAL_STAFF_REQUIRE_2FA and user.requires_second_factor and not self._enrolled(auth_token):
            raise exceptions.AuthenticationFailed(_("工作人员账户须先完成两步验证（TOTP）设置，才能使用 API。"))
        return user, token

    @staticmethod
    def _enrolled(auth_token) -> bool:
        known = getattr(auth_token, "totp_enrolled", None)  # read with the token
        if known is not None:
            return known
        return TOTPDevice.objects.filter(user=auth_token.user, confirmed=True).exists()


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular), under the name DRF's token had."""

    target_class = "portal.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
