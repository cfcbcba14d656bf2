"""Security settings: the content security policy and the templates it relies on, TOTP two-factor
login for staff, login lockout (forms and the API token endpoint), CSRF on every form, and the
production settings. (`check --deploy` runs in tests/portal/test_deploy_check.py; the CSP header of
every page answered in the permission matrix is checked there, request by request.)"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent, Role
from tests.factories import PASSWORD, UserFactory

from .harness import assert_strict_csp

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ content security policy


def test_the_policy_in_settings_is_strict():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    header = "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())
    assert_strict_csp(header)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/catalogue/", "/notices/", "/verify/", "/no-such-page/"])
def test_pages_carry_the_policy(client, url):
    r = client.get(url)
    assert_strict_csp(r.headers.get("Content-Security-Policy", ""))
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"


def _template_files() -> list[Path]:
    dirs = [Path(d) for d in engines["django"].engine.dirs]
    from django.apps import apps

    dirs += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if str(app.path).startswith(str(ROOT)) and ".venv" not in Path(app.path).parts
    ]
    return sorted({p for d in dirs if d.is_dir() for p in d.rglob("*.html")})


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I), "an inline <script> (no src)"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S), "an on*= event handler attribute"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S), "a style= attribute"),
    (re.compile(r"<style\b", re.I), "an inline <style> block"),
    (re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I), "a javascript: URL"),
]


def test_no_template_holds_inline_script_or_style():
    files = _template_files()
    assert len(files) > 30, files  # the project's templates were found
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}: {m.group(0)[:80]}")
    assert not problems, "\n".join(problems)


def test_the_scan_would_see_inline_script():
    sample = '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><script src="/s.js"></script>'
    found = [what for pattern, what in INLINE if pattern.search(sample)]
    assert len(found) == 3


# ------------------------------------------------------------------ TOTP two-factor login for staff


def totp_token(device: TOTPDevice) -> str:
    """The code the authenticator shows now, or for the next time step when the current one has been
    used (the device accepts one step either side and never the same step twice)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t - totp.t() + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


def login(client: Client, user) -> None:
    r = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:500]


@pytest.fixture
def two_factor(settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True


STAFF = [Role.REVIEWER, Role.EXPERT, Role.BUREAU_ADMIN, Role.SYSADMIN]
HOME_OF = {Role.REVIEWER: "/review/", Role.EXPERT: "/expert/", Role.BUREAU_ADMIN: "/review/", Role.SYSADMIN: "/review/"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_must_enrol_and_pass_totp(role, two_factor):
    user = UserFactory(role=role, is_staff=role in (Role.BUREAU_ADMIN, Role.SYSADMIN))
    client = Client()
    login(client, user)
    target = HOME_OF[role]

    # Not verified: pages send to the verification, which sends to the enrolment; the API refuses.
    r = client.get(target)
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_verify"))
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_setup"))
    r = client.get(r["Location"])
    assert r.status_code == 200 and "<svg" in r.content.decode()
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and "两步验证" in api.json()["detail"]
    assert client.get("/admin/").status_code == 302

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "000000" if totp_token(device) != "000000" else "111111"
    r = client.post(f"{reverse('otp_setup')}?next={target}", {"token": wrong})
    assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    assert client.get(target).status_code == 302
    # A wrong code throttles the device (django-otp): even the right one is refused for a moment.
    r = client.post(f"{reverse('otp_setup')}?next={target}", {"token": totp_token(device)})
    assert r.status_code == 200 and client.get(target).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    device.throttle_reset()  # the moment passes

    r = client.post(f"{reverse('otp_setup')}?next={target}", {"token": totp_token(device)})
    assert r.status_code == 302 and r["Location"] == target
    assert client.get(target).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.totp_enrolled", target_id=str(user.pk)).exists()

    # A new session: verification with the enrolled device (no second enrolment).
    other = Client()
    login(other, user)
    r = other.get(target)
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_verify"))
    assert other.get(r["Location"]).status_code == 200
    assert other.get("/api/v1/me/").status_code == 403
    r = other.post(f"{reverse('otp_verify')}?next={target}", {"token": totp_token(device)})
    assert r.status_code == 302 and r["Location"] == target
    assert other.get(target).status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_the_password_alone_cannot_enrol_another_authenticator(two_factor):
    """With an enrolled device, a session that has not passed TOTP (someone who has only the
    password) is sent to the verification; no new device is made for them."""
    reviewer = UserFactory(role=Role.REVIEWER)
    TOTPDevice.objects.create(user=reviewer, name="default", confirmed=True)
    intruder = Client()
    login(intruder, reviewer)
    r = intruder.get(reverse("otp_setup"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_verify"))
    r = intruder.post(reverse("otp_setup"), {"token": "123456"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1
    assert intruder.get("/review/").status_code == 302


@pytest.mark.django_db
def test_a_verified_session_may_add_an_authenticator(two_factor):
    reviewer = UserFactory(role=Role.REVIEWER)
    device = TOTPDevice.objects.create(user=reviewer, name="default", confirmed=True)
    client = Client()
    login(client, reviewer)
    r = client.post(f"{reverse('otp_verify')}?next=/review/", {"token": totp_token(device)})
    assert r.status_code == 302
    assert client.get(reverse("otp_setup")).status_code == 200
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=False).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.PROVIDER])
def test_enterprise_and_provider_users_are_not_asked(role, two_factor, enterprise_a):
    from applications.models import EnterpriseMember
    from tests.factories import member

    user = (
        member(enterprise_a, EnterpriseMember.MemberRole.OWNER) if role == Role.ENTERPRISE else UserFactory(role=role)
    )
    client = Client()
    login(client, user)
    r = client.get("/applications/" if role == Role.ENTERPRISE else "/vouchers/")
    assert r.status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_production_settings_require_totp_for_staff():
    code = (
        "import django, os; django.setup(); from django.conf import settings; "
        "print(settings.PORTAL_STAFF_REQUIRE_2FA, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "x7#kq2!vZp9@Lm4$Rt8^Wn1&Yb6*Hc3(Jd5)Fg0_Se2+Ua7=Qi9-Ko4",
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
        # what production refuses to start without (tests/ops/test_settings.py)
        "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "PORTAL_SITE_URL": "https://portal.example.cn",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


# ------------------------------------------------------------------ the API token endpoint


@pytest.mark.django_db
def test_staff_need_their_totp_code_for_an_api_token(two_factor):
    reviewer = UserFactory(role=Role.REVIEWER)
    url = reverse("api-token")
    r = Client().post(url, {"username": reviewer.email, "password": PASSWORD})
    assert r.status_code in (400, 403) and "两步验证" in r.content.decode()
    device = TOTPDevice.objects.create(user=reviewer, name="default", confirmed=True)
    r = Client().post(url, {"username": reviewer.email, "password": PASSWORD, "otp_token": "12345"})
    assert r.status_code in (400, 403)
    r = Client().post(url, {"username": reviewer.email, "password": PASSWORD, "otp_token": totp_token(device)})
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert Client().get("/api/v1/reviews/queue/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


@pytest.mark.django_db
def test_enterprise_users_get_a_token_with_their_password(two_factor, owner_a):
    r = Client().post(reverse("api-token"), {"username": owner_a.email, "password": PASSWORD})
    assert r.status_code == 200 and r.json()["token"]


@pytest.mark.django_db
def test_a_staff_token_issued_before_enrolment_is_refused(two_factor):
    from knox.models import AuthToken

    reviewer = UserFactory(role=Role.REVIEWER)
    _instance, token = AuthToken.objects.create(user=reviewer)
    r = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code in (401, 403) and "两步验证" in r.content.decode()


# ------------------------------------------------------------------ login lockout


@pytest.mark.django_db
def test_the_api_token_endpoint_locks_out_like_the_login_form(settings):
    victim = UserFactory(email="victim@example.cn")
    url = reverse("api-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = Client().post(url, {"username": victim.email, "password": "wrong-password"})
        assert r.status_code in (400, 429)
    r = Client().post(url, {"username": victim.email, "password": PASSWORD})
    assert r.status_code == 429, r.content
    assert "锁定" in r.json()["detail"]
    # The same lock holds on the login form, and the other way round.
    r = Client().post(reverse("login"), {"username": victim.email, "password": PASSWORD})
    assert r.status_code == 429


@pytest.mark.django_db
def test_failures_on_the_form_lock_the_api_too(settings):
    victim = UserFactory(email="victim2@example.cn")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": victim.email, "password": "wrong-password"})
    r = Client().post(reverse("api-token"), {"username": victim.email, "password": PASSWORD})
    assert r.status_code == 429 and "token" not in r.json()


@pytest.mark.django_db
def test_the_api_documentation_page_has_no_inline_script(client):
    r = client.get("/api/docs/")
    html = r.content.decode()
    assert r.status_code == 200 and not INLINE[0][0].search(html) and not INLINE[3][0].search(html)
    assert_strict_csp(r.headers["Content-Security-Policy"])
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
