"""One row appended by one INSERT … RETURNING statement, for the hot paths that write a row per request
(the audit trail, the reservation's awards): the ORM's `Model.objects.create` spends most of its time in
Python building the statement (signals, the insert compiler), which bounds how many of these a process
makes a second when its threads share one interpreter lock.

The statement is built once per model from the model's own concrete fields, each value prepared by the
field itself (`Field.get_db_prep_save`, as the ORM's insert does: dates, JSON, decimals, addresses on
either database), and the instance returned is loaded by `Model.from_db`, as a query would load it.
Every field is given by the caller: nothing is left to a default or to `auto_now_add`; no signal is
sent, so a model with pre_save or post_save receivers is refused. tests/portal/test_inserts.py compares the rows
with the ORM's on the database under test."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)


@cache
def _statement(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    # names from the model's own metadata, quoted; every value is a bound parameter
    sql = "INSERT INTO {table} ({columns}) VALUES ({places}) RETURNING {pk}".format(  # noqa: S608
        table=quote(meta.db_table),
        columns=", ".join(quote(f.column) for f in fields),
        places=", ".join("%s" for _ in fields),
        pk=quote(meta.pk.column),
    )
    return sql, fields


def insert_row(model: type[M], values: dict[str, Any]) -> M:
    """Insert one row of `model` from `values` (every concrete field but the primary key, by attribute
    name) and return it as loaded from the database."""
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise ValueError(f"{model.__name__} has save signal receivers: use the ORM")
    sql, fields = _statement(model, connection.vendor)
    names = [f.attname for f in fields]
    if set(values) != set(names):
        raise ValueError(f"{model.__name__}: give exactly {sorted(names)}, not {sorted(values)}")
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk,) = cursor.fetchone()
    return model.from_db(connection.alias, [model._meta.pk.attname, *names], [pk, *(values[n] for n in names)])
