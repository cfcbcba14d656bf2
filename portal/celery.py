"""Celery app. Without REDIS_URL tasks run eagerly in-process (settings.CELERY_TASK_ALWAYS_EAGER).

The settings module follows the one rule of portal/settings/__init__.py. A worker writes its
heartbeat from a timer of its own main loop and beat from each tick of its scheduler (portal.health:
what /readyz and the containers' health checks read); each tick of beat also publishes the work that
waited in the outbox while the broker was down (portal.outbox)."""

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler

from portal.settings import settings_module

settings_module()

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["reviews.letters"])  # reviews/letters/tasks.py

HEARTBEAT_SECONDS = 15.0


def _heartbeat(kind: str) -> None:
    import logging

    from portal.health import heartbeat_write

    try:
        heartbeat_write(kind)
    except Exception:  # a heartbeat never takes the worker or beat down; readiness reports its absence
        logging.getLogger("portal.health").exception("could not write the %s heartbeat", kind)


class HeartbeatStep(bootsteps.StartStopStep):
    """The worker's heartbeat, on the timer of its main loop (stops when that loop is stuck)."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        _heartbeat("worker")
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, _heartbeat, ("worker",), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(HeartbeatStep)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler, writing beat's heartbeat at most every HEARTBEAT_SECONDS as it ticks
    (settings.CELERY_BEAT_MAX_LOOP_INTERVAL keeps the ticks frequent)."""

    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        import time

        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_SECONDS:
            self._last_heartbeat = now
            _heartbeat("beat")
        _relay_outbox()
        return super().tick(*args, **kwargs)


def _relay_outbox() -> None:
    """Publish the work asked for while the broker was down (portal.outbox), at every tick."""
    import logging

    from portal.outbox import outbox_relay

    try:
        outbox_relay()
    except Exception:  # the database may be down too: beat goes on ticking, the next tick retries
        logging.getLogger("portal.outbox").exception("outbox relay failed")


def _connect_logging_signals() -> None:
    from portal.logging import connect_celery_signals

    connect_celery_signals()


_connect_logging_signals()
