"""Log lines as JSON objects, one a line, each with its time, level, logger, message, the request id
and the user id of the request (or Celery task) it was written for.

The request id comes from the proxy's `X-Request-ID` (nginx sets one per request; deploy/nginx) or is
made here (portal.middleware.RequestIdMiddleware); it is answered in the response's `X-Request-ID`
and travels with the tasks the request queues (a header of the task message), so the lines of a
request and of the work it caused share one id."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import re
import uuid
from typing import Any

from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_request_id", default=None)
_request: contextvars.ContextVar[Any] = contextvars.ContextVar("portal_request", default=None)

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
TASK_HEADER = "portal_request_id"
_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_accept(incoming: str | None) -> str:
    """The caller's X-Request-ID when it looks like one (letters, digits and ._:-, 8–128 long;
    nothing that could forge a log line), else a new one."""
    if incoming and REQUEST_ID_PATTERN.match(incoming):
        return incoming
    return request_id_new()


def current_request_id() -> str | None:
    return _request_id.get()


def bind(*, request_id: str | None, request: Any = None) -> tuple[contextvars.Token, contextvars.Token]:
    return _request_id.set(request_id), _request.set(request)


def unbind(tokens: tuple[contextvars.Token, contextvars.Token]) -> None:
    _request_id.reset(tokens[0])
    _request.reset(tokens[1])


def _user_id(request: Any) -> int | None:
    """The signed-in user's id if the request has resolved its user already: a log line never
    makes the request look its user up (that would be a query inside logging)."""
    if request is None:
        return None
    user = request.__dict__.get("user")  # a lazy object (AuthenticationMiddleware) or the user (DRF)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx answer after the middleware has returned: its record carries the request
        request = getattr(record, "request", None) or _request.get()
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or getattr(request, "request_id", None)
        if not hasattr(record, "user_id"):
            try:
                record.user_id = _user_id(request)
            except Exception:  # a log line must never fail because of the request it describes
                record.user_id = None
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter with the portal's field names and an ISO 8601 time with the
    offset; Chinese text stays readable (not \\u-escaped)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        fmt = args[0] if args else kwargs.pop("fmt", None)
        super().__init__(
            fmt or "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s", *args[1:], **kwargs
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC).astimezone()
        return moment.isoformat(timespec="milliseconds")


# ------------------------------------------------------------------ Celery: the id travels with the task


def _on_publish(headers: dict | None = None, **kwargs) -> None:
    rid = _request_id.get()
    if rid and headers is not None:
        headers.setdefault(TASK_HEADER, rid)


def _on_prerun(task_id: str | None = None, task: Any = None, **kwargs) -> None:
    request = getattr(task, "request", None)
    if task_id is None or getattr(request, "is_eager", False):
        return  # an eager task runs inside the request that queued it: its id stays
    _task_tokens[task_id] = bind(request_id=getattr(request, TASK_HEADER, None) or task_id)


def _on_postrun(task_id: str | None = None, **kwargs) -> None:
    tokens = _task_tokens.pop(task_id, None) if task_id else None
    if tokens is not None:
        with contextlib.suppress(ValueError):  # set in another context; nothing to restore
            unbind(tokens)


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="portal.logging.publish")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="portal.logging.prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="portal.logging.postrun")
