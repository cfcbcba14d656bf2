"""Production: behind HTTPS, secret from the environment, no DEBUG, secure cookies, HSTS, CSP,
and TOTP two-factor login for staff. `manage.py check --deploy` passes with zero warnings.

Safe by default: the module refuses to load (ImproperlyConfigured, naming each variable) unless the
environment gives everything production needs — a secret, the host names, PostgreSQL, Redis (the
broker of the Celery worker and beat, and the cache), a real mail server and the portal's public
https address (printed in the verification line of every letter, which is immutable once issued).
Every variable is described in .env.example."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, env

NOT_A_MAIL_SERVER = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def _problems() -> list[str]:
    problems = []
    secret = env.str("DJANGO_SECRET_KEY", default="")
    if len(secret) < 50 or secret.startswith("dev-only"):
        problems.append("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
    if not env.list("DJANGO_ALLOWED_HOSTS", default=[]):
        problems.append(
            "DJANGO_ALLOWED_HOSTS must list the host names the portal answers to (e.g. ai-vouchers.example.gov.cn)."
        )
    if not env.str("DATABASE_URL", default=""):
        problems.append(
            "DATABASE_URL must be set to the PostgreSQL database "
            "(postgres://user:password@host:5432/portal); production does not run on SQLite."
        )
    elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append(f"DATABASE_URL must point to PostgreSQL (postgres://…), not {DATABASES['default']['ENGINE']}.")
    if not env.str("REDIS_URL", default=""):
        problems.append(
            "REDIS_URL must be set (redis://host:6379/0): the broker of the Celery worker and beat "
            "and the shared cache; production does not run tasks in the web process."
        )
    backend = env.str("EMAIL_BACKEND", default="")
    if not backend or backend in NOT_A_MAIL_SERVER:
        problems.append(
            "EMAIL_BACKEND must name a real mail backend "
            "(django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, …), "
            f"not {backend or 'the console default'}."
        )
    site = env.str("PORTAL_SITE_URL", default="")
    parts = urlsplit(site)
    if parts.scheme != "https" or not parts.netloc:
        problems.append(
            "PORTAL_SITE_URL must be the portal's public https address (https://ai-vouchers.example"
            ".gov.cn): it is printed in the verification line of every letter, "
            f"{'and is not set' if not site else f'not {site}'}."
        )
    return problems


if problems := _problems():
    raise ImproperlyConfigured(
        "The production settings (portal.settings.production) refuse to start; see "
        ".env.example:\n" + "\n".join(f"  - {p}" for p in problems)
    )

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SITE_URL = env.str("PORTAL_SITE_URL").rstrip("/")

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The containers' own probes and the metrics scraper speak plain http to gunicorn inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600

PORTAL_STAFF_REQUIRE_2FA = env.bool("PORTAL_STAFF_REQUIRE_2FA", default=True)
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="INFO")
