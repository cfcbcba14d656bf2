"""Staff accounts (reviewers, experts, administrators) must pass TOTP two-factor login when
settings.PORTAL_STAFF_REQUIRE_2FA is on (production)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/verify/", "/notices/", "/catalogue/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.PORTAL_STAFF_REQUIRE_2FA and user is not None and user.is_authenticated
                and user.is_staff_role and not user.is_verified()
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
