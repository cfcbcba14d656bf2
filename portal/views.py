from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_record, client_ip
from .forms import OTPTokenForm, RegistrationForm
from .health import readiness
from .metrics import metrics_allowed, metrics_text
from .pagination import page_of
from .services import user_confirm_email, user_register


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """存活检查 liveness for load balancers and the compose healthcheck: answers without touching the
    database, the cache or the session (also the trivial view the load benchmark compares with)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """就绪检查 readiness: 200 when the database answers, Redis answers (when configured) and a
    Celery worker's heartbeat is recent (or tasks run in-process: "embedded"); otherwise 503 with
    the reason of each failed check (portal.health)."""
    result = readiness()
    body = {"status": "ok" if result.ready else "unavailable", "checks": result.checks}
    if result.problems:
        body["problems"] = result.problems
    return JsonResponse(body, status=200 if result.ready else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the scraper only (a bearer token or an allowed address: portal.metrics)."""
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    text, content_type = metrics_text()
    return HttpResponse(text, content_type=content_type)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            ip=client_ip(request),
        )
        return render(request, "registration/register_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "registration/register.html", {"form": form}, status=400 if form.errors else 200)


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    user = user_confirm_email(token=token, ip=client_ip(request))
    if user is None:
        return render(request, "registration/confirm_failed.html", status=400)
    messages.success(request, _("邮箱已确认，请登录。"))
    return redirect("login")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = page_of(request, request.user.notifications.all(), 50)
    return render(request, "portal/inbox.html", {"notifications": page.object_list, "page": page})


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(request.user.notifications, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.link or "inbox")


def _safe_next(request: HttpRequest) -> str:
    workbench = reverse("workbench")  # each role's own starting page (portal.views_workbench)
    nxt = request.GET.get("next") or request.POST.get("next") or workbench
    return nxt if url_has_allowed_host_and_scheme(nxt, {request.get_host()}) else workbench


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator (staff). The secret is shown once as a QR code. An account that has
    an authenticator enrols another only from a session verified with it: otherwise the password
    alone would let anyone enrol their own and pass the second factor."""
    if not request.user.is_verified() and TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _safe_next(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="default", confirmed=False
    )
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(actor=request.user, action="auth.totp_enrolled", target=request.user, ip=client_ip(request))
            messages.success(request, _("两步验证已启用。"))
            return redirect(_safe_next(request))
        form.add_error("token", _("验证码不正确或已过期。"))
    svg = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
    return render(request, "registration/otp_setup.html", {"form": form, "qr_svg": svg.getvalue().decode()})


RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")  # a recovery code (django-otp static token): 8 base32 letters


def _recovery_code_login(request: HttpRequest, raw: str) -> bool:
    """A recovery code (manage.py staff_create / staff_otp_reset) in place of the TOTP code: it
    works once, and its use is audited."""
    code = "".join((raw or "").split()).lower()
    if not RECOVERY_CODE.match(code):
        return False
    for device in StaticDevice.objects.filter(user=request.user, confirmed=True):
        if device.verify_token(code):
            otp_login(request, device)
            audit_record(
                actor=request.user,
                action="auth.recovery_code_used",
                target=request.user,
                ip=client_ip(request),
                after={"remaining": device.token_set.count()},
            )
            return True
    return False


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    if not devices.exists():
        return redirect(f"/accounts/otp/setup/?next={_safe_next(request)}")
    if request.method == "POST" and _recovery_code_login(request, request.POST.get("token", "")):
        messages.warning(
            request, _("已使用一个恢复码登录。恢复码每个只能使用一次；如验证器已丢失，请联系系统管理员重置两步验证。")
        )
        return redirect(_safe_next(request))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", _("验证码不正确或已过期。"))
    return render(request, "registration/otp_verify.html", {"form": form})
