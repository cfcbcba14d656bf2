"""Rows read by a statement written by hand (the fast paths issue 13 allows behind one tested module
each: the token lookup, portal.authentication; the working-day calendar, portal.workdays), converted
as the ORM converts the same columns on that database (SQLite's text dates and times, for instance).

The statement and the converters are worked out once per database connection — the converters are
bound to it, and each thread has its own — and forgotten with it."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.db.models.expressions import Col

T = TypeVar("T")
Converters = list[tuple[int, list, Col]]  # (column index, the ORM's converters, the column)


def per_connection(build: Callable[[BaseDatabaseWrapper], T]) -> Callable[[BaseDatabaseWrapper], T]:
    """`build(connection)` once per database connection, kept as long as the connection lives."""
    made: weakref.WeakKeyDictionary[BaseDatabaseWrapper, T] = weakref.WeakKeyDictionary()

    def get(connection: BaseDatabaseWrapper) -> T:
        found = made.get(connection)
        if found is None:
            found = made[connection] = build(connection)
        return found

    return get


def column_converters(connection: BaseDatabaseWrapper, fields: Sequence[Field]) -> Converters:
    """The converters the ORM applies to these fields' columns (in this order) on `connection`."""
    out = []
    for i, field in enumerate(fields):
        col = field.get_col(field.model._meta.db_table)
        own = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if own:
            out.append((i, own, col))
    return out


def convert(values: list, converters: Converters, connection: BaseDatabaseWrapper) -> list:
    """`values` (a row's, in the fields' order) converted in place as the ORM would; returned."""
    for i, functions, col in converters:
        for function in functions:
            values[i] = function(values[i], col, connection)
    return values
