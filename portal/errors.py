"""Error answers in the user's language: JSON under /api/ (what API clients parse), pages elsewhere.

A database that is down or restarting (OperationalError, InterfaceError) is not a programming error:
the answer is 503 with a clear message and Retry-After, never a 500 traceback page. Django calls
`server_error` for any exception that escapes a view or a middleware, inside its `except` block, so
the exception at hand is the one being handled. Nothing here touches the database."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from .api_auth import locked_out_detail

logger = logging.getLogger("portal.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _page(template: str, status: int) -> HttpResponse:
    # Rendered without the request: no context processor may query the database that just failed.
    return HttpResponse(loader.render_to_string(template), status=status, content_type="text/html; charset=utf-8")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("系统繁忙：数据库暂时不可用，您的操作未完成，请稍后重试。")
    if _is_api(request):
        response: HttpResponse = _json(message, 503)
    else:
        response = _page("errors/503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json(_("请求有误。"), 400)
    return defaults.bad_request(request, exception, template_name="errors/400.html")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json(str(exception or "") or _("您无权进行此操作。"), 403)
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return _json(_("未找到。"), 404)
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        logger.warning("database unavailable answering %s %s: %r", request.method, request.path, exc)
        return database_unavailable(request)
    if _is_api(request):
        return _json(_("系统内部错误，已记录，请稍后重试。"), 500)
    return _page("errors/500.html", 500)


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE): JSON under
    /api/ (the token endpoint), the lockout page elsewhere; 429 either way."""

    if _is_api(request):
        return _json(locked_out_detail(), 429)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {}, status=429)
