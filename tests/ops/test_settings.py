"""Safe by default: the production settings refuse to start without PostgreSQL, Redis, a real mail
server and the public https address, naming the variable; every command picks its settings by one
rule; .env.example lists every variable the settings, compose and gunicorn read."""

from __future__ import annotations

import re

import pytest

from .helpers import PRODUCTION_ENV, ROOT, clean_env, run_python

SETUP = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def test_a_complete_production_environment_starts():
    out = run_python(SETUP, clean_env(**PRODUCTION_ENV))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "https://portal.example.cn"


@pytest.mark.parametrize(
    ("change", "named", "says"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL", "PostgreSQL"),
        ({"DATABASE_URL": "sqlite:////tmp/portal.sqlite3"}, "DATABASE_URL", "sqlite3"),
        ({"REDIS_URL": None}, "REDIS_URL", "broker"),
        ({"EMAIL_BACKEND": None}, "EMAIL_BACKEND", "mail"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND", "console"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "EMAIL_BACKEND", "locmem"),
        ({"PORTAL_SITE_URL": None}, "PORTAL_SITE_URL", "is not set"),
        ({"PORTAL_SITE_URL": "http://127.0.0.1:8000"}, "PORTAL_SITE_URL", "https"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY", "50 characters"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS", "host names"),
    ],
    ids=lambda v: "-".join(f"{k}={v}" for k, v in v.items()) if isinstance(v, dict) else None,
)
def test_production_refuses_to_start_naming_the_variable(change, named, says):
    out = run_python(SETUP, clean_env(**{**PRODUCTION_ENV, **change}))
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and "refuse to start" in out.stderr
    problems = [line for line in out.stderr.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 1 and named in problems[0] and says in problems[0], out.stderr[-1500:]


def test_every_missing_variable_is_named_at_once():
    out = run_python(SETUP, clean_env(DJANGO_SETTINGS_MODULE="portal.settings.production"))
    assert out.returncode != 0
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_BACKEND",
        "PORTAL_SITE_URL",
    ):
        assert name in out.stderr, name


# ------------------------------------------------------------------ one settings rule for every command

ENTRY_POINTS = {
    "manage.py": "import sys, manage; sys.argv = ['manage.py', 'shell', '-c', "
    "'from django.conf import settings; print(settings.SETTINGS_MODULE)']; manage.main()",
    "wsgi": "import portal.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE)",
    "celery": "from portal.celery import app; from django.conf import settings; print(settings.SETTINGS_MODULE)",
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_entry_point_follows_one_rule(entry):
    default = run_python(ENTRY_POINTS[entry], clean_env())
    assert default.returncode == 0, default.stderr[-2000:]
    assert default.stdout.strip().splitlines()[-1] == "portal.settings.dev"
    chosen = run_python(ENTRY_POINTS[entry], clean_env(DJANGO_SETTINGS_MODULE="portal.settings.test"))
    assert chosen.returncode == 0, chosen.stderr[-2000:]
    assert chosen.stdout.strip().splitlines()[-1] == "portal.settings.test"


# ------------------------------------------------------------------ .env.example

READS = [
    re.compile(r"""env\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']"""),  # django-environ: env.str("X", …)
    re.compile(r"""os\.environ(?:\.get|\.setdefault)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""),
]
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def _read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in [*sorted((ROOT / "portal" / "settings").glob("*.py")), ROOT / "deploy" / "gunicorn.conf.py"]:
        text = path.read_text(encoding="utf-8")
        for pattern in READS:
            names.update(pattern.findall(text))
    return names


def _documented() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.M))


def test_the_scan_finds_the_variables():
    names = _read_by_settings()
    assert {"DATABASE_URL", "REDIS_URL", "PORTAL_SITE_URL", "PORTAL_STAFF_REQUIRE_2FA", "WEB_CONCURRENCY"} <= names


def test_env_example_lists_every_variable_the_settings_read():
    missing = _read_by_settings() - _documented()
    assert not missing, f".env.example does not describe: {sorted(missing)}"


def test_env_example_lists_every_variable_compose_reads():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    missing = set(COMPOSE_VARIABLE.findall(compose)) - _documented()
    assert not missing, f".env.example does not describe: {sorted(missing)}"


def _comment_above(lines: list[str], name: str) -> str:
    """The comment lines directly above the variable's line (up to another variable or a blank line)."""
    at = next(i for i, line in enumerate(lines) if re.match(rf"^#?\s*{name}=", line))
    above = []
    for line in reversed(lines[:at]):
        if not line.startswith("#") or re.match(r"^#?\s*[A-Z][A-Z0-9_]*=", line):
            break
        above.append(line)
    return "\n".join(reversed(above))


def test_env_example_marks_what_production_requires():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "PORTAL_SITE_URL",
        "POSTGRES_PASSWORD",
        "PORTAL_SERVER_NAME",
    ):
        assert "REQUIRED" in _comment_above(lines, name), name
    assert "\nEMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend\n" in text
