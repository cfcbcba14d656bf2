"""The backup of README "Deploying", tested once on PostgreSQL: the database dumped with pg_dump in
the custom format and restored with pg_restore (the flags the README gives) into an empty database
holds every row, and the audit trail's append-only trigger comes back with it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.apps import apps
from django.db import connection

from portal.audit import audit_record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUMP_FLAGS = ["--format=custom"]  # README: pg_dump -U portal -d portal --format=custom
RESTORE_FLAGS = ["--clean", "--if-exists", "--no-owner"]  # README: pg_restore … --clean --if-exists --no-owner


def _conn_args(name: str) -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres", "-d", name]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _counts(name: str) -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy})
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    args, env = _conn_args(name)
    out = subprocess.run(["psql", *args, "-Atc", sql], env=env, capture_output=True, text=True, check=True)
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.stdout.splitlines()}


def test_pg_dump_and_pg_restore_round_trip(catalogue, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("needs the PostgreSQL client programs")
    audit_record(actor=None, action="ops.backup_test", target_type="ops", target_id="1")
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore_{os.getpid()}"
    dump = tmp_path / "portal.dump"
    args, env = _conn_args(source)
    subprocess.run(["pg_dump", *args, *DUMP_FLAGS, "-f", str(dump)], env=env, check=True, capture_output=True)
    assert dump.stat().st_size > 10_000

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        args, env = _conn_args(target)
        restored = subprocess.run(
            ["pg_restore", *args, *RESTORE_FLAGS, str(dump)], env=env, capture_output=True, text=True
        )
        assert restored.returncode == 0, restored.stderr[-2000:]
        before, after = _counts(source), _counts(target)
        assert after == before and before["portal_auditevent"] >= 1 and before["vouchers_programme"] > 5
        triggers = subprocess.run(
            [
                "psql",
                *args,
                "-Atc",
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'portal_auditevent'::regclass",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert triggers, "the audit trail's append-only trigger was not restored"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
