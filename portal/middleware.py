"""Staff accounts (reviewers, experts, administrators) must pass TOTP two-factor login when
settings.PORTAL_STAFF_REQUIRE_2FA is on (production). Every request gets an id for the log lines
written for it, and behind the reverse proxy the client's address is the one the proxy saw."""

import contextlib
import ipaddress
import logging
import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from . import logging as portal_logging

request_logger = logging.getLogger("portal.request")


class RequestIdMiddleware:
    """请求编号 request id: the proxy's X-Request-ID when it sent a well-formed one, else a new one;
    bound to every log line written while the request is served, answered in X-Request-ID, and one
    line per request (INFO, logger portal.request: method, path, status, duration)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = portal_logging.request_id_accept(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        tokens = portal_logging.bind(request_id=request_id, request=request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if request_logger.isEnabledFor(logging.INFO):
                request_logger.info("%s %s %s", request.method, request.path, response.status_code,
                                    extra={"method": request.method, "path": request.path,
                                           "status": response.status_code,
                                           "duration_ms": round((time.monotonic() - started) * 1000, 1)})
            return response
        finally:
            portal_logging.unbind(tokens)


class TrustedProxyMiddleware:
    """Behind the portal's own reverse proxy (settings.PORTAL_BEHIND_PROXY; gunicorn is reachable
    from nothing else) the client's address is the proxy's X-Real-IP, which it sets itself: the audit
    trail, the login lockout and the throttles then see the client, not the proxy. Without the
    setting the header is ignored, so that no client can choose its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PORTAL_BEHIND_PROXY:
            real = request.META.get("HTTP_X_REAL_IP", "").strip()
            with contextlib.suppress(ValueError):  # not an address: keep the connection's
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(real))
        return self.get_response(request)

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/verify/", "/notices/", "/catalogue/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.PORTAL_STAFF_REQUIRE_2FA and user is not None and user.is_authenticated
                and (user.is_staff_role or user.is_staff or user.is_superuser) and not user.is_verified()
                and not request.path.startswith(EXEMPT_PREFIXES)):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse
                from django.utils.translation import gettext

                return JsonResponse({"detail": gettext("工作人员账户须先完成两步验证（TOTP）。")}, status=403)
            return redirect(f"{reverse('otp_verify')}?next={request.path}")
        return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie set by
    /i18n/setlang/); the browser's Accept-Language is deliberately not followed, so that a
    Chinese civil servant on an English-language browser still gets the Chinese interface."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # the thread's next piece of work (a test, an eager task) must not inherit this reader's language
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectNullCharactersMiddleware:
    """A NUL character (\\x00) in the path, the query string or a form field is refused with 400:
    PostgreSQL cannot store or compare it, and a view passing the raw value on to a query answered
    500. (Django's form fields and DRF's serializer fields refuse it already; this covers the raw
    request.GET / request.POST reads and the filters.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext

            message = gettext("请求中含有不允许的空字符，请检查后重试。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            return True
        # Under /api/ DRF parses the body itself, only with the parsers of the view: reading
        # request.POST here would consume a multipart body that a JSON-only view must refuse (415).
        if request.method == "POST" and request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
            return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists())
        return False
