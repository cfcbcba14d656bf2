"""Fuzzing the API from its own OpenAPI schema (schemathesis) against the live WSGI application,
authenticated as each member of the cast (token authentication; anonymous too): no 5xx, every
status code documented, every response of the documented content type and schema.

Each operation gets data that fits the schema (positive) and data that does not (negative), with
its path parameters either generated or pinned to the cast's objects (so that the fuzzing reaches
past the 404s into the services). Bounded and reproducible: a few examples per operation, role and
mode (PORTAL_FUZZ_EXAMPLES, default 3), derandomized, no example database; each request runs in a
savepoint that is rolled back, so every example sees the same standing cast."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.cast import ROLES

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Path parameters pinned to the cast's objects, by path template (the most specific prefix wins).
PINS: dict[str, Callable] = {
    "/api/v1/applications/{id}/attachments/{attachment_pk}/": lambda c: {
        "id": c.a_draft.pk,
        "attachment_pk": c.a_draft.attachments.order_by("pk").first().pk,
    },
    "/api/v1/applications/{id}/resubmit/": lambda c: {"id": c.a_supplement.pk},
    "/api/v1/applications/{id}/withdraw/": lambda c: {"id": c.a_submitted.pk},
    "/api/v1/applications/{id}/": lambda c: {"id": c.a_draft.pk},
    "/api/v1/budget/pools/{id}/": lambda c: {"id": c.pool.pk},
    "/api/v1/enterprises/{id}/": lambda c: {"id": c.enterprise_a.pk},
    "/api/v1/letters/verify/{code}/": lambda c: {"code": c.letter.code},
    "/api/v1/letters/{id}/": lambda c: {"id": c.letter.pk},
    "/api/v1/payments/acceptance-files/{id}/": lambda c: {"id": c.acceptance_file.pk},
    "/api/v1/payments/acceptance/{id}/": lambda c: {"id": c.acceptance.pk},
    "/api/v1/payments/accounts/{id}/": lambda c: {"id": c.account_pending.pk},
    "/api/v1/payments/awards/{id}/": lambda c: {"id": c.payment_award.pk},
    "/api/v1/payments/batches/{id}/file/{fmt}/": lambda c: {"id": c.payment_batch_paid.pk, "fmt": "xlsx"},
    "/api/v1/payments/batches/{id}/": lambda c: {"id": c.payment_batch.pk},
    "/api/v1/payments/clawbacks/{id}/": lambda c: {"id": c.clawback.pk},
    "/api/v1/payments/tranches/{id}/": lambda c: {"id": c.tranche_waiting.pk},
    "/api/v1/preapprovals/{id}/": lambda c: {"id": c.a_preapproval.pk},
    "/api/v1/parties/{id}/": lambda c: {"id": c.b_two_party.pk},
    "/api/v1/programs/{code}/": lambda c: {"code": c.standard.code},
    "/api/v1/redemptions/{id}/": lambda c: {"id": c.redemption.pk},
    "/api/v1/reviews/applications/{id}/decision/": lambda c: {"id": c.a_bureau.pk},
    "/api/v1/reviews/applications/{id}/experts/": lambda c: {"id": c.a_expert.pk},
    "/api/v1/reviews/applications/{id}/": lambda c: {"id": c.a_formal.pk},
    "/api/v1/reviews/batches/{id}/": lambda c: {"id": c.window_competitive.pk},
    "/api/v1/reviews/expert-assignments/{id}/": lambda c: {"id": c.expert_assignment.pk},
    "/api/v1/reviews/notices/{id}/": lambda c: {"id": c.notice.pk},
    "/api/v1/reviews/objections/{id}/": lambda c: {"id": c.objection.pk},
    "/api/v1/reviews/proposals/{id}/": lambda c: {"id": c.proposal.pk},
    "/api/v1/vouchers/{id}/": lambda c: {"id": c.voucher.pk},
    "/api/v1/windows/{id}/": lambda c: {"id": c.window.pk},
}


def pinned(path: str, cast) -> dict | None:
    for prefix in sorted(PINS, key=len, reverse=True):
        if path.startswith(prefix):
            return PINS[prefix](cast)
    return None


@pytest.fixture(scope="module")
def wsgi(world):
    """The WSGI application, with Django's per-request connection recycling switched off (the whole
    module runs inside one transaction, which closing the connection would end), and a record of
    the exception behind any 500."""
    errors: list[BaseException] = []

    def remember(sender, request=None, **kwargs):
        import sys

        errors.append(sys.exc_info()[1])

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(remember)
    try:
        yield get_wsgi_application(), errors
    finally:
        got_request_exception.disconnect(remember)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(wsgi):
    app, _errors = wsgi
    return schemathesis.openapi.from_wsgi("/api/schema/", app)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _template(route: str) -> str:
    """A Django route as drf-spectacular writes its path: {id} for pk, {name} for other arguments."""
    route = re.sub(r"\^|\$", "", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    route = re.sub(r"<(?:\w+:)?pk>", "{id}", route)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_the_schema_documents_every_api_pattern(api_schema):
    from .harness import project_patterns

    documented = {op.path for op in _operations(api_schema)}
    routes = {_template("/" + p.route) for p in project_patterns() if p.route.startswith("api/v1/")}
    missing = sorted(routes - documented)
    assert not missing, f"API routes missing from the OpenAPI schema: {missing}"


def _fuzz_operation(operation, role: str, world, app, errors: list, failures: list[str]) -> None:
    cast = world.cast
    headers = {} if role == "anon" else {"Authorization": f"Token {cast.tokens[role]}"}
    fixed = pinned(operation.path, cast) if "{" in operation.path else None
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if fixed:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    seen: list[str] = []

    @settings(
        max_examples=EXAMPLES * len(strategies),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        errors.clear()
        with transaction.atomic():
            try:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as exc:
                cause = f" ({errors[-1]!r})" if errors else ""
                text = str(exc).strip().splitlines()
                seen.append(f"{operation.label} as {role}: {' | '.join(text[:12])}{cause}")
            finally:
                transaction.set_rollback(True)

    run()
    if seen:
        failures.append(seen[0] + (f"  [+{len(seen) - 1} more]" if len(seen) > 1 else ""))


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz(role, world, wsgi, api_schema):
    app, errors = wsgi
    failures: list[str] = []
    for operation in _operations(api_schema):
        _fuzz_operation(operation, role, world, app, errors, failures)
    assert not failures, "\n\n".join(failures)
