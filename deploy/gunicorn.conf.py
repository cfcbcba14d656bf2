"""gunicorn's settings in the image (docker-compose.yml `web`): reachable only from the proxy on
the compose network; WEB_CONCURRENCY worker processes (default 4); the portal logs each request as
JSON itself (portal.middleware.RequestIdMiddleware), so gunicorn writes no access log; Prometheus
counters of all workers are added up through PROMETHEUS_MULTIPROC_DIR (emptied at start)."""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # without Docker: a local address nginx reaches
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
worker_tmp_dir = "/dev/shm"  # noqa: S108 - the heartbeat files of gunicorn's workers, in memory
forwarded_allow_ips = "*"  # only the proxy reaches gunicorn (no published port)
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
}


def on_starting(server):
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
