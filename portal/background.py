"""后台执行 the in-process background worker of the embedded default (no Redis: tasks run in this
process). Work handed to it runs on one daemon thread after the request that asked for it has
answered, so a letter's PDF (WeasyPrint, seconds) never holds up the page that issued it.

One thread, one queue, first in first out: on SQLite a single writer besides the requests keeps
lock waits short. Each job closes its database connections when it ends (the thread is not a
request, so nothing else would). Work lost with the process (a restart between the commit and the
job) is still in the outbox and is published when the worker next starts (portal.outbox)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from django.db import close_old_connections, connections

logger = logging.getLogger("portal.background")


class BackgroundWorker:
    """A queue of callables run one at a time on a daemon thread; `join()` waits until it is idle
    (for tests and for an orderly shutdown)."""

    def __init__(self, *, on_start: Callable[[], None] | None = None) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._on_start = on_start

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)
        self._ensure_started()

    def join(self) -> None:
        self._jobs.join()

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="portal-background", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if self._on_start is not None:
            self._guarded(self._on_start)
        while True:
            job = self._jobs.get()
            try:
                self._guarded(job)
            finally:
                self._jobs.task_done()

    @staticmethod
    def _guarded(job: Callable[[], None]) -> None:
        close_old_connections()
        try:
            job()
        except Exception:  # one failed job never stops the worker; the work stays in the outbox
            logger.exception("background job failed")
        finally:
            connections.close_all()
