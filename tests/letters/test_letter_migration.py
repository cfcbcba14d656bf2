"""The migration that lets a letter be about a pre-approval leaves the letters already issued as they
were (number, snapshot, hash, status, application) and gives each its application's programme."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0007_default_approval_chains")]
AFTER = [("reviews", "0012_letter_programme_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_letters_are_untouched_and_name_their_programme(catalogue, enterprise_a, owner_a):
    from .helpers import make_application

    app = make_application(enterprise=enterprise_a, programme=catalogue["hp-data-trading"], created_by=owner_a)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Letter = old.get_model("reviews", "Letter")
        letter = Letter.objects.create(
            application_id=app.pk,
            kind="approval",
            status="ready",
            authority="广州开发区政务服务和数据管理局",
            prefix="穗开政数批字",
            year=2026,
            serial=7,
            number="穗开政数批字〔2026〕7号",
            code="ABCDEFGH23",
            template="approval_v1",
            addressee_name=enterprise_a.name,
            addressee_credit_code=enterprise_a.credit_code,
            issued_on="2026-03-10",
            context={"number": "穗开政数批字〔2026〕7号", "amount": "1000.00"},
            sha256="ab" * 32,
            size=1234,
        )
        before = {
            f: getattr(letter, f)
            for f in ("number", "context", "sha256", "status", "application_id", "serial", "code", "template", "size")
        }
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        migrated = new.get_model("reviews", "Letter").objects.get(pk=letter.pk)
        assert {f: getattr(migrated, f) for f in before} == before
        assert migrated.programme_id == app.programme_id and migrated.preapproval_id is None
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
