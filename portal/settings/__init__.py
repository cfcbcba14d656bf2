"""Which settings module a process runs on — one rule for every command (manage.py, Celery worker
and beat, gunicorn through portal.wsgi): `DJANGO_SETTINGS_MODULE` when the environment sets it, else
the development settings (`portal.settings.dev`: the embedded default, SQLite and in-process tasks).
Deployments set `DJANGO_SETTINGS_MODULE=portal.settings.production` (the Dockerfile and
docker-compose.yml do), which refuses to start without the services production needs."""

from __future__ import annotations

import os

DEFAULT_SETTINGS_MODULE = "portal.settings.dev"


def settings_module() -> str:
    """Apply the rule and return the module chosen."""
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
