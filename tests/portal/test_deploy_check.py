import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# What production refuses to start without besides the secret (tests/ops/test_settings.py).
SERVICES = {
    "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PORTAL_SITE_URL": "https://portal.example.cn",
}


def test_production_settings_pass_check_deploy_with_zero_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "x7#kq2!vZp9@Lm4$Rt8^Wn1&Yb6*Hc3(Jd5)Fg0_Se2+Ua7=Qi9-Ko4",
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
        **SERVICES,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_settings_refuse_a_missing_secret():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "",
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
        **SERVICES,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
