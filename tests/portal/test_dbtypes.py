"""portal.dbtypes: timestamps read by the fast loader are exactly what Django's own loader gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils import timezone

pytestmark = pytest.mark.django_db

LITERALS = [
    "2026-03-01 10:00:00+08",
    "2026-03-01 10:00:00.5+08",
    "2026-12-31 23:59:59.999999+00",
    "2000-02-29 00:00:00-05:30",
    "1970-01-01 00:00:00+00",
    "2026-07-01 12:34:56.000001+14",
]


def fetch(sql: str, *, django_loader: bool):
    with connection.cursor() as cursor:
        if django_loader:  # Django's loader on this cursor only, as create_cursor() would register it
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def pg(on_postgres):
    if not on_postgres:
        pytest.skip("the loader is installed on PostgreSQL connections only")


def test_the_fast_loader_is_installed_on_each_new_connection(pg):
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert loader.__name__ == "IsoTimestamptzLoader" and loader.timezone == connection.timezone


@pytest.mark.parametrize("literal", LITERALS)
def test_values_equal_djangos_own_loader(pg, literal):
    sql = f"SELECT '{literal}'::timestamptz, ARRAY['{literal}'::timestamptz]"
    fast, slow = fetch(sql, django_loader=False), fetch(sql, django_loader=True)
    assert fast == slow
    value = fast[0][0]
    assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0)


def test_an_offset_becomes_the_same_instant_in_utc(pg):
    [(value,)] = fetch("SELECT '2026-03-01 10:00:00.25+08'::timestamptz", django_loader=False)
    assert value == dt.datetime(2026, 3, 1, 2, 0, 0, 250000, tzinfo=dt.UTC)


def test_a_model_round_trip_keeps_microseconds_and_the_instant(pg, django_user_model):
    when = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0, 0, 123456), timezone.get_fixed_timezone(480))
    user = django_user_model.objects.create(username="dbtypes", email="dbtypes@example.cn", date_joined=when)
    assert django_user_model.objects.values_list("date_joined", flat=True).get(pk=user.pk) == when


def test_text_it_cannot_read_goes_to_djangos_loader_with_the_same_error(pg):
    errors = []
    for django_loader in (False, True):
        with pytest.raises(Exception) as exc:  # noqa: PT011 - whichever error Django's loader raises
            fetch("SELECT 'infinity'::timestamptz", django_loader=django_loader)
        errors.append((type(exc.value), str(exc.value)))
    assert errors[0] == errors[1] and "infinity" in errors[0][1]
