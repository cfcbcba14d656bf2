"""One standing cast per test module (built once, rolled back at the end): the matrix and the
fuzzing run hundreds of requests against the same scenario, each in its own rolled-back savepoint."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings

from tests.cast import Cast, cast_build

from .harness import Session, snapshot


@dataclass
class World:
    cast: Cast
    session: Session
    baseline: dict[str, str]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    storage = tmp_path_factory.mktemp("private")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(storage), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, AXES_ENABLED=True), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cast = cast_build(letters=False)
            session = Session.for_cast(cast)
            yield World(cast=cast, session=session, baseline=snapshot())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
