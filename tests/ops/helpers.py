"""What the operations tests share: the environment of a complete production configuration, and
running Python in a fresh process with a given environment (settings are read once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "x7#kq2!vZp9@Lm4$Rt8^Wn1&Yb6*Hc3(Jd5)Fg0_Se2+Ua7=Qi9-Ko4",
    "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    "DATABASE_URL": "postgres://portal:secret@db.invalid:5432/portal",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.cn",
    "PORTAL_SITE_URL": "https://portal.example.cn",
}


def clean_env(**values: str | None) -> dict[str, str]:
    """Only PATH and HOME of this environment (not the test run's DATABASE_URL, REDIS_URL, …), plus
    `values` (a None value leaves the variable out)."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update({k: v for k, v in values.items() if v is not None})
    return env


def run_python(code: str, env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
