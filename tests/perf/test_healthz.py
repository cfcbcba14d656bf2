"""GET /healthz: the liveness check (and the trivial view the load benchmark compares with)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0") and "no-cache" in response["Cache-Control"]
    assert len(queries) == 0


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
