"""Benchmarks: the production settings (DEBUG off, every middleware, staff two-factor login) served
over plain http on loopback, so no SSL redirect, no HSTS and no Secure-only cookies; a fixed secret
and loopback hosts unless the environment gives others. Never for deployment."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" + "x7Qm2Lr9Vt4Kp8Zc3Nw6Hd1Fs5Jb0Gy")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# What production requires of a deployment and a measurement does not use: no mail leaves (the
# backend is replaced below) and no letter is printed for real.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
os.environ.setdefault("PORTAL_SITE_URL", "https://portal.bench.invalid")

from .production import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405 - no per-request log lines in the measurement
