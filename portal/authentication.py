"""API token authentication (kept apart from portal.api: DRF imports these while it loads its views).

The tokens are django-rest-knox's: only a SHA-512 digest is stored, each token expires
(settings.PORTAL_API_TOKEN_TTL) and is revoked by signing out, by a password change or reset and by
deactivating the account (portal.services_tokens). The portal adds one rule to knox's path: with
PORTAL_STAFF_REQUIRE_2FA on, a staff account's token counts only once the account has a confirmed
TOTP device; tokens are then issued against the TOTP code (portal.api_auth), so a password alone
never opens the API to staff."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`, looked up and checked by knox (digest, expiry, active user)."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if (settings.PORTAL_STAFF_REQUIRE_2FA and user.requires_second_factor
                and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()):
            raise exceptions.AuthenticationFailed(_("工作人员账户须先完成两步验证（TOTP）设置，才能使用 API。"))
        return user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular), under the name DRF's token had."""

    target_class = "portal.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
