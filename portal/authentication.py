"""API token authentication (kept apart from portal.api: DRF imports these while it loads its views).

The tokens are django-rest-knox's: only a SHA-512 digest is stored, each token expires
(settings.PORTAL_API_TOKEN_TTL) and is revoked by signing out, by a password change or reset and by
deactivating the account (portal.services_tokens). The portal adds one rule: with
PORTAL_STAFF_REQUIRE_2FA on, a staff account's token counts only once the account has a confirmed
TOTP device; tokens are then issued against the TOTP code (portal.api_auth), so a password alone
never opens the API to staff.

One shortcut, measured (CONVENTIONS.md, "the framework's path first"): every API request looks its
token up, and knox's own lookup costs 1.2-1.3 ms of CPU (the token with its user, then every token
of the user to drop expired ones; 1.8 ms with the TOTP rule's query) where the list endpoint's
whole budget is 5 ms; with it the enterprise list fell under its load target (bench/bench_load.py:
0.096 × /healthz, target 0.1). An ORM query doing it all at once costs as much (1.35 ms: building the
query is the cost); `User.objects.raw` over one statement, 0.47 ms on PostgreSQL, spends half of it
matching the cursor's column names to the model's fields and asking for their converters on every
call. So the lookup is one SQL statement on a plain cursor, written once per connection together
with the ORM's converters of the user's columns (portal.rawrows; 0.25 ms): the user is built with `User.from_db` from
values converted as for any query, the token comes back as a knox AuthToken with its other fields
deferred, and the decision is knox 5.1.0's — the same digest (knox.crypto.hash_token, compared in
constant time), an expired token deleted with knox's token_expired signal, the same refusals; the
user's other expired tokens go when the account next signs in (portal.services_tokens).
tests/portal/test_token_auth.py compares the answers with knox's
own class case by case and fails when the installed knox is not the version this follows."""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from hmac import compare_digest

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
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

from .models import User
from .rawrows import Converters, column_converters, convert, per_connection

KNOX_VERSION = "5.1.0"  # the knox whose TokenAuthentication.authenticate_credentials this follows


@dataclass(frozen=True)
class _Lookup:
    sql: str
    user_attnames: list[str]
    converters: Converters


@per_connection
def _lookup(connection: BaseDatabaseWrapper) -> _Lookup:
    """The token's user (every column), the token's digest, whether it has expired and whether the
    user has a confirmed TOTP device, by the token's key (knox's prefix); with the converters the
    ORM applies to the user's columns on this database (SQLite's text datetimes, for instance)."""
    q = connection.ops.quote_name
    token, user, device = (m._meta for m in (AuthToken, User, TOTPDevice))
    t = {name: q(token.get_field(name).column) for name in ("digest", "expiry", "user", "token_key")}
    d_user, d_confirmed = (q(device.get_field(name).column) for name in ("user", "confirmed"))
    user_pk = q(user.pk.column)
    fields = list(user.concrete_fields)
    columns = ", ".join(f"u.{q(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns}, t.{t['digest']}, "  # noqa: S608 - names from _meta, values as parameters
        f"(t.{t['expiry']} IS NOT NULL AND t.{t['expiry']} < %s), "
        f"EXISTS(SELECT 1 FROM {q(device.db_table)} d WHERE d.{d_user} = u.{user_pk} AND d.{d_confirmed}) "
        f"FROM {q(token.db_table)} t JOIN {q(user.db_table)} u ON u.{user_pk} = t.{t['user']} "
        f"WHERE t.{t['token_key']} = %s"
    )
    return _Lookup(sql, [f.attname for f in fields], column_converters(connection, fields))


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`: knox's header, tokens and rules, looked up in one statement."""

    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, binascii.Error) as exc:
            raise invalid from exc
        alias = User.objects.db
        connection = connections[alias]
        lookup = _lookup(connection)
        key = text[: CONSTANTS.TOKEN_KEY_LENGTH]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(lookup.sql, [now, key])
            rows = cursor.fetchall()
        for row in rows:
            *values, stored, expired, enrolled = row
            if not compare_digest(digest, stored):
                continue
            user = User.from_db(alias, lookup.user_attnames, convert(values, lookup.converters, connection))
            auth_token = AuthToken.from_db(alias, ["digest", "token_key", "user_id"], [stored, key, user.pk])
            auth_token.user = user
            if expired:
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=user.get_username(), source="auth_token")
                raise invalid
            auth_token.totp_enrolled = bool(enrolled)
            if knox_settings.AUTO_REFRESH:
                auth_token.refresh_from_db(fields=["created", "expiry"])
                if auth_token.expiry:
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
