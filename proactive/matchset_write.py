"""Writing match sets: the rows of the enterprises new to matching, and the rewrite of those whose
results changed. On PostgreSQL the new rows stream through COPY while matching computes the next ones
(the server parses the JSON on the machine's other core), and the changed ones go through a temporary
table and one UPDATE; Django's bulk_create (since 5.2 an INSERT … UNNEST whose jsonb[] array psycopg
escapes quote by quote in Python) took three times the computation for 20,000 enterprises
(bench/bench_matching.py). Elsewhere, and when `framework=True`, the framework's bulk_create writes the
same rows; tests/proactive/test_matching_equivalence.py compares both. Written for psycopg 3.3
(`cursor.copy`) and PostgreSQL 15 (COPY text format)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .models import MatchSet

WRITE_BATCH = 2000
_COLUMNS = ("enterprise", "results", "digest", "computed_at")


class MatchSetWriter:
    """with MatchSetWriter(computed_at=…) as w: w.write(enterprise_id, results, text, digest, new=…).
    Inside a transaction; no other query may run on the connection until the block ends (COPY holds it)."""

    def __init__(self, *, computed_at, framework: bool = False) -> None:
        self.computed_at = computed_at
        self.copying = connection.vendor == "postgresql" and not framework
        self.new: list[MatchSet] = []
        self.changed: list[Any] = []
        self.written = 0
        meta = MatchSet._meta
        self.table = connection.ops.quote_name(meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in _COLUMNS)

    def __enter__(self) -> MatchSetWriter:
        if self.copying:
            self._cursor = connection.cursor()
            self._copy_block = self._cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN")
            self._copy = self._copy_block.__enter__()
        return self

    def write(self, enterprise_id: int, results: list[dict[str, Any]], text: str, digest: str, *, new: bool) -> None:
        """`text` is `results` as JSON (what COPY sends); `digest` its digest."""
        self.written += 1
        if self.copying:
            if new:
                self._copy.write_row((enterprise_id, text, digest, self.computed_at))
            else:
                self.changed.append((enterprise_id, text, digest, self.computed_at))
            return
        row = MatchSet(enterprise_id=enterprise_id, results=results, digest=digest, computed_at=self.computed_at)
        (self.new if new else self.changed).append(row)

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.copying:
            if exc_type is None:
                self._framework_flush()
            return
        try:
            self._copy_block.__exit__(exc_type, exc, tb)
            if exc_type is None and self.changed:
                self._copy_changed()
        finally:
            self._cursor.close()

    def _framework_flush(self) -> None:
        MatchSet.objects.bulk_create(self.new, batch_size=WRITE_BATCH)
        if self.changed:
            MatchSet.objects.bulk_create(
                self.changed,
                batch_size=WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["enterprise"],
                update_fields=["results", "digest", "computed_at"],
            )

    def _copy_changed(self) -> None:
        q = connection.ops.quote_name
        meta = MatchSet._meta
        enterprise, results, digest, computed_at = (q(meta.get_field(f).column) for f in _COLUMNS)
        cur = self._cursor
        cur.execute(
            f"CREATE TEMPORARY TABLE matchset_changed ({enterprise} bigint PRIMARY KEY, {results} jsonb, "
            f"{digest} varchar(32), {computed_at} timestamptz) ON COMMIT DROP"
        )
        with cur.copy(f"COPY matchset_changed ({self.columns}) FROM STDIN") as copy:
            for row in self.changed:
                copy.write_row(row)
        sets = ", ".join(f"{c} = c.{c}" for c in (results, digest, computed_at))
        where = f"m.{enterprise} = c.{enterprise}"
        cur.execute(f"UPDATE {self.table} AS m SET {sets} FROM matchset_changed AS c WHERE {where}")  # noqa: S608
        cur.execute("DROP TABLE matchset_changed")
