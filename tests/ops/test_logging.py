"""JSON log lines with time, level, logger, message, request id and user id; the request id is the
caller's X-Request-ID when well-formed, answered in the response, and travels with queued tasks."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.conf import settings
from django.test import Client

from portal import logging as portal_logging
from portal.logging import JsonFormatter, RequestContextFilter
from tests.factories import UserFactory

from .helpers import PRODUCTION_ENV, clean_env, run_python


@pytest.fixture
def log_lines():
    """The lines the portal's own handler set-up (settings.LOGGING: JSON formatter, request filter)
    writes for the request logger, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("portal.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_the_settings_log_json_through_the_request_filter():
    handler = settings.LOGGING["handlers"]["console"]
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == "portal.logging.JsonFormatter"
    assert handler["filters"] == ["request_context"]
    assert settings.LOGGING["filters"]["request_context"]["()"] == "portal.logging.RequestContextFilter"
    assert settings.MIDDLEWARE.index("portal.middleware.RequestIdMiddleware") < settings.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


@pytest.mark.django_db
def test_a_request_line_carries_the_request_id_and_the_user_id(log_lines):
    user = UserFactory()
    client = Client()
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    r = client.get("/inbox/", HTTP_X_REQUEST_ID="edge-7f3a9c1e-0001")
    assert r.status_code == 200 and r["X-Request-ID"] == "edge-7f3a9c1e-0001"
    [line] = [entry for entry in log_lines() if entry.get("path") == "/inbox/"]
    assert line["request_id"] == "edge-7f3a9c1e-0001" and line["user_id"] == user.pk
    assert line["level"] == "INFO" and line["logger"] == "portal.request" and line["status"] == 200
    assert line["message"] == "GET /inbox/ 200" and line["method"] == "GET" and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", line["time"]), line["time"]


@pytest.mark.django_db
def test_an_anonymous_request_gets_an_id_of_its_own(log_lines):
    r = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged line")
    made = r["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    [line] = [entry for entry in log_lines() if entry.get("path") == "/healthz"]
    assert line["request_id"] == made and line["user_id"] is None
    assert Client().get("/healthz")["X-Request-ID"] != made


@pytest.mark.django_db
def test_django_request_warnings_carry_the_request_id():
    """django.request logs a 4xx answer after the middleware returned: the id comes from the request."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        Client().get("/no-such-page/", HTTP_X_REQUEST_ID="edge-7f3a9c1e-0404")
    finally:
        logger.removeHandler(handler)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == "edge-7f3a9c1e-0404" and line["status_code"] == 404 and line["level"] == "WARNING"


def test_lines_outside_a_request_have_no_ids():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "plain %s", ("line",), None)
    RequestContextFilter().filter(record)
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "plain line" and data["request_id"] is None and data["user_id"] is None
    assert data["level"] == "WARNING"


def test_chinese_stays_readable():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "文书生成失败", (), None)
    RequestContextFilter().filter(record)
    assert "文书生成失败" in JsonFormatter().format(record)


def test_the_request_id_travels_with_a_queued_task():
    headers: dict = {}
    tokens = portal_logging.bind(request_id="edge-7f3a9c1e-0002")
    try:
        portal_logging._on_publish(headers=headers)
    finally:
        portal_logging.unbind(tokens)
    assert headers == {portal_logging.TASK_HEADER: "edge-7f3a9c1e-0002"}


def test_production_logs_json_at_info():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('portal.request').info('hello %s', 'world', extra={'path': '/x'})"
    )
    out = run_python(code, clean_env(**PRODUCTION_ENV))
    assert out.returncode == 0, out.stderr
    [line] = [json.loads(text) for text in out.stderr.splitlines() if text.startswith("{")]
    assert line["message"] == "hello world" and line["level"] == "INFO" and line["path"] == "/x"
    assert {"time", "request_id", "user_id", "logger"} <= set(line)
