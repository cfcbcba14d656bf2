"""Staff accounts (reviewers, experts, administrators) must pass TOTP two-factor login when
settings.PORTAL_STAFF_REQUIRE_2FA is on (production). Every request gets an id for the log lines
written for it, and behind the reverse proxy the client's address is the one the proxy saw."""

import functools
import ipaddress
import logging
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

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
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            portal_logging.unbind(tokens)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(meta) -> str | None:
    """客户端地址 the client's address, by the one rule of settings.PORTAL_TRUSTED_PROXIES (the
    addresses or networks of the portal's own reverse proxies): the connection's peer, unless the
    peer is one of those proxies — then the nearest address in X-Forwarded-For that is not one of
    them (what a client wrote further left is its own claim), else the proxy's X-Real-IP. A header
    sent by anyone else changes nothing."""
    peer = meta.get("REMOTE_ADDR") or None
    trusted = _networks(tuple(settings.PORTAL_TRUSTED_PROXIES))
    peer_ip = _address(peer or "")
    if not trusted or peer_ip is None or not any(peer_ip in net for net in trusted):
        return peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = _address(hop)
        if ip is None:
            break  # a malformed hop: nothing further left can be trusted
        if not any(ip in net for net in trusted):
            return str(ip)
    real = _address(meta.get("HTTP_X_REAL_IP", ""))
    return str(real) if real is not None and not any(real in net for net in trusted) else peer


class TrustedProxyMiddleware:
    """The client's address (client_address) becomes REMOTE_ADDR before anything reads it, so the
    audit trail (portal.audit.client_ip), the login lockout (django-axes) and the throttles (DRF,
    NUM_PROXIES 0) all see the same one."""

    def __init__(self, get_response):
        self.get_response = get_response
        try:  # a mistyped entry stops the start, not every request
            _networks(tuple(settings.PORTAL_TRUSTED_PROXIES))
        except ValueError as exc:
            raise ImproperlyConfigured(f"PORTAL_TRUSTED_PROXIES: {exc}") from None

    def __call__(self, request):
        if settings.PORTAL_TRUSTED_PROXIES:
            request.META["REMOTE_ADDR"] = client_address(request.META)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """A request whose declared body (Content-Length) is larger than the portal ever takes is refused
    with 413 before anything reads it: a multipart upload carries one file of at most
    PORTAL_UPLOAD_MAX_FILE_BYTES and a form of at most DATA_UPLOAD_MAX_MEMORY_SIZE; any other body at
    most DATA_UPLOAD_MAX_MEMORY_SIZE. (Django counts only the form fields of a multipart body, and
    would stream the whole upload to disk before a view could refuse it.) The reverse proxy's
    client_max_body_size is the first line; this is the one that holds without it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = self.limit(request.META.get("CONTENT_TYPE", ""))
        if limit is not None and declared > limit:
            return self.refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def limit(content_type: str) -> int | None:
        form = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if form is None:
            return None
        if content_type.lower().startswith("multipart/"):
            return settings.PORTAL_UPLOAD_MAX_FILE_BYTES + form
        return form

    @staticmethod
    def refuse(request, limit: int):
        message = gettext("请求内容过大（上限 %(mb)s MB），未予处理。单个文件请勿超过 %(file_mb)s MB。") % {
            "mb": round(limit / 1024 / 1024, 1),
            "file_mb": round(settings.PORTAL_UPLOAD_MAX_FILE_BYTES / 1024 / 1024),
        }
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return response


# What an account that must pass the second factor reaches before passing it: the second-factor
# pages and logout (by name), static files and the language switch; nothing else, the password
# change and the public pages included.
SECOND_FACTOR_URL_NAMES = ("otp_setup", "otp_verify", "logout")
EXEMPT_PREFIXES = ("/static/", "/i18n/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PORTAL_STAFF_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and user.requires_second_factor
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path not in {reverse(name) for name in SECOND_FACTOR_URL_NAMES}
        ):
            if request.path.startswith("/api/"):
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
