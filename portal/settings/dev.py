"""Development: the embedded default (SQLite, tasks in-process, console e-mail), DEBUG on, logs as
text, /metrics open to this machine."""

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
PORTAL_METRICS_ALLOWED_IPS = env.list("PORTAL_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
if env.str("LOG_FORMAT", default="text") == "text":
    LOGGING["handlers"]["console"]["formatter"] = "text"
