"""Settings of the processes the fault tests start (Celery workers, a gunicorn server): the test
settings against the test database and the fault tests' own Redis (from the environment), tasks
through the real broker, a short visibility timeout so that a killed worker's task is redelivered
within seconds (production: 10 minutes), and private files where the test looks for them."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 5}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("PORTAL_FAULT_STORAGE"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PORTAL_LIST_COUNT_SECONDS = 30
