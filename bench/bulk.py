"""Bulk loading for the benchmark data generator: rows of a Django model written with PostgreSQL's
COPY (psycopg 3 `cursor.copy`), ids assigned here so that foreign keys are known before the rows
exist, and every column the caller does not name filled with the model field's default. A field
someone adds later with a default therefore needs no change here."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.db import connection, models

COPIED: Counter[str] = Counter()  # rows written per table, for the summary


def _default(field: models.Field, now) -> Any:
    if field.has_default():
        value = field.get_default()
        return json.dumps(value, ensure_ascii=False) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if isinstance(field, models.DateTimeField | models.DateField) and (field.auto_now or field.auto_now_add):
        return now
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise RuntimeError(f"{field.model.__name__}.{field.name} has no default: name it in the generator")


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Ids:
    """The next free primary key of each model (the database is fresh or grows only here)."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def prime(self, model_list: list[type[models.Model]]) -> None:
        """Read each table's highest id now: no query may run while a COPY holds the connection."""
        for model in model_list:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = top + 1

    def take(self, model: type[models.Model], n: int = 1) -> int:
        first = self._next[model]
        self._next[model] = first + n
        return first


class Copy:
    """with Copy(Model, ["id", "name", ...], now) as c: c.row(1, "x", ...) — COPY FROM STDIN.

    One connection runs one COPY at a time: a Copy opened inside another keeps its rows and writes
    them when the outermost one is done (run the whole load in one transaction: foreign keys are
    checked at commit)."""

    _open: list[Copy] = []
    _waiting: list[Copy] = []

    def __init__(self, model: type[models.Model], fields: list[str], now) -> None:
        concrete = model._meta.concrete_fields
        by_attname = {f.attname: f for f in concrete}
        unknown = [f for f in fields if f not in by_attname]
        if unknown:
            raise RuntimeError(f"{model.__name__}: no such fields {unknown}")
        rest = [f for f in concrete if f.attname not in fields]
        self.table = model._meta.db_table
        self.columns = [by_attname[f].column for f in fields] + [f.column for f in rest]
        self.tail = tuple(_default(f, now) for f in rest)
        self.width = len(fields)
        self._rows: list[tuple] | None = None

    def _start(self):
        cursor = connection.cursor()
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return cursor, cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN')

    def __enter__(self) -> Copy:
        self._order = len(Copy._waiting) + len(Copy._open)
        if Copy._open:
            self._rows = []
        else:
            self._cursor, self._cm = self._start()
            self._copy = self._cm.__enter__()
        Copy._open.append(self)
        return self

    def row(self, *values: Any) -> None:
        if len(values) != self.width:
            raise ValueError(f"{self.table}: {len(values)} values for {self.width} fields")
        if self._rows is None:
            self._copy.write_row(values + self.tail)
        else:
            self._rows.append(values)
        COPIED[self.table] += 1

    def __exit__(self, *exc) -> None:
        Copy._open.remove(self)
        if self._rows is not None:
            Copy._waiting.append(self)
            return
        self._cm.__exit__(*exc)
        self._cursor.close()
        waiting, Copy._waiting = Copy._waiting, []
        if exc[0] is not None:
            return
        for other in sorted(waiting, key=lambda c: c._order):
            cursor, cm = other._start()
            with cm as copy:
                for values in other._rows:
                    copy.write_row(values + other.tail)
            cursor.close()


def reset_sequences(model_list: list[type[models.Model]]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), model_list):
            cur.execute(sql)


class FastLoad:
    """Inside the load's transaction: no per-row foreign-key triggers (session_replication_role =
    replica; the keys are verified afterwards in one anti-join per key, `check_foreign_keys`), and
    the secondary indexes of the loaded tables dropped first and built again at the end (one sort
    each instead of a million insertions). Indexes that back a constraint stay."""

    def __init__(self, model_list: list[type[models.Model]]) -> None:
        self.tables = [m._meta.db_table for m in model_list]
        self.indexes: list[str] = []

    def start(self) -> FastLoad:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cur.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                JOIN pg_class c ON c.relname = i.indexname
                WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)""",
                [self.tables],
            )
            rows = cur.fetchall()
            for name, definition in rows:
                cur.execute(f'DROP INDEX "{name}"')
                self.indexes.append(definition)
        return self

    def finish(self) -> None:
        with connection.cursor() as cur:
            for definition in self.indexes:
                cur.execute(definition)
            cur.execute("SET LOCAL session_replication_role = DEFAULT")


def check_foreign_keys(model_list: list[type[models.Model]]) -> int:
    """Every foreign key of these models points at an existing row (one anti-join per key);
    returns the number of keys checked, raises on the first orphan."""
    checked = 0
    with connection.cursor() as cur:
        for model in model_list:
            for f in model._meta.concrete_fields:
                if not f.is_relation or not getattr(f, "db_constraint", False):
                    continue
                target = f.related_model._meta
                col, tcol = f.column, f.target_field.column
                cur.execute(
                    f'SELECT count(*) FROM "{model._meta.db_table}" c WHERE c."{col}" IS NOT NULL AND NOT '
                    f'EXISTS (SELECT 1 FROM "{target.db_table}" p WHERE p."{tcol}" = c."{col}")'
                )
                orphans = cur.fetchone()[0]
                if orphans:
                    raise RuntimeError(
                        f"{model._meta.db_table}.{col}: {orphans} rows point at no {target.db_table} row"
                    )
                checked += 1
    return checked
