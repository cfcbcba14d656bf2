"""PostgreSQL timestamps read with the C-implemented `datetime.fromisoformat`.

Django (5.2, psycopg 3) reads every `timestamptz` column through a pure-Python subclass of psycopg's
loader, which forgoes psycopg's compiled loader: on a list page of 50 rows with five timestamps each
that parsing was a tenth of the request. PostgreSQL sends ISO text ("2026-03-01 10:00:00.5+00")
under its default DateStyle, which Python 3.11's `fromisoformat` parses in C; anything else
(another DateStyle, infinity, BC dates) goes to Django's own loader, so the values are always the
ones Django would give: the instant in the connection's time zone (naive when USE_TZ is off)."""

from __future__ import annotations

import datetime as dt

from django.db.backends.signals import connection_created


def _loader_for(timezone: dt.tzinfo | None):
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.adapt import Loader

    class DjangoTzLoader(BaseTzLoader):
        pass

    DjangoTzLoader.timezone = timezone

    class IsoTimestamptzLoader(Loader):
        # Django's create_cursor() compares this with the connection's zone before each cursor
        timezone = None

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._fallback = DjangoTzLoader(oid, context)

        def load(self, data):
            try:
                value = dt.datetime.fromisoformat(bytes(data).decode())
            except ValueError:
                return self._fallback.load(data)
            if value.tzinfo is None:  # not a timestamptz text after all
                return self._fallback.load(data)
            return value.replace(tzinfo=None) if self.timezone is None else value.astimezone(self.timezone)

    IsoTimestamptzLoader.timezone = timezone
    return IsoTimestamptzLoader


def install_fast_timestamp_loader(sender, connection, **kwargs) -> None:
    """connection_created: replace the timestamptz text loader of a new PostgreSQL connection."""
    if connection.vendor != "postgresql":
        return
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return
    connection.connection.adapters.register_loader("timestamptz", _loader_for(connection.timezone))


def connect() -> None:
    connection_created.connect(install_fast_timestamp_loader, dispatch_uid="portal.fast_timestamptz")
