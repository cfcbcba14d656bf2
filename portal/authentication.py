"""API authentication classes (kept apart from portal.api: DRF imports these while it loads its views)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


@functools.cache
def _token_lookup(vendor: str) -> tuple[str, list, list[str], list[str]]:
    """The token, its user and whether the user has a confirmed TOTP device, as one SQL statement
    written once per process: every API request runs it, and building and compiling the same
    queryset each time cost more than the query itself."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from .models import User

    q = connection.ops.quote_name
    token_fields, user_fields = list(Token._meta.concrete_fields), list(User._meta.concrete_fields)
    token_t, user_t, device_t = (q(m._meta.db_table) for m in (Token, User, TOTPDevice))
    columns = [f"t.{q(f.column)}" for f in token_fields] + [f"u.{q(f.column)}" for f in user_fields]
    device_user, device_confirmed = (q(TOTPDevice._meta.get_field(n).column) for n in ("user", "confirmed"))
    token_user, user_pk, token_key = (q(Token._meta.get_field("user").column), q(User._meta.pk.column),
                                      q(Token._meta.get_field("key").column))
    sql = (f"SELECT {', '.join(columns)}, EXISTS(SELECT 1 FROM {device_t} d WHERE d.{device_user} = "  # noqa: S608
           f"t.{token_user} AND d.{device_confirmed}) FROM {token_t} t JOIN {user_t} u ON u.{user_pk} = "
           f"t.{token_user} WHERE t.{token_key} = %s")
    cols = [f.get_col(f.model._meta.db_table) for f in token_fields + user_fields]  # for the ORM's converters
    return sql, cols, [f.attname for f in token_fields], [f.attname for f in user_fields]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication. With staff two-factor login required, a staff account's token
    counts only once the account has enrolled its TOTP device; tokens are then issued against the
    TOTP code (portal.api_auth), so a password alone never opens the API to staff."""

    def authenticate_credentials(self, key):
        from rest_framework.authtoken.models import Token

        from .models import User

        sql, cols, token_names, user_names = _token_lookup(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        converted = self._convert(row, cols)
        token = Token.from_db(connection.alias, token_names, converted[:len(token_names)])
        user = User.from_db(connection.alias, user_names, converted[len(token_names):-1])
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if settings.PORTAL_STAFF_REQUIRE_2FA and user.requires_second_factor and not converted[-1]:
            raise exceptions.AuthenticationFailed(_("工作人员账户须先完成两步验证（TOTP）设置，才能使用 API。"))
        return user, token

    @staticmethod
    def _convert(row, cols) -> list:
        """Database values → Python values as the ORM converts them (SQLite's 0/1 booleans and
        text datetimes, for instance); the last column is the TOTP flag."""
        out = []
        for col, value in zip(cols, row[:-1], strict=True):
            for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
                value = converter(value, col, connection)
            out.append(value)
        out.append(bool(row[-1]))
        return out
