"""Real concurrency for the PostgreSQL tests: run callables at once in threads."""

from __future__ import annotations

import threading

from django.db import connection


def run_in_threads(fns):
    """Start every callable in its own thread, released together by a barrier; return the results and
    the exceptions raised (each thread closes its own database connection)."""
    barrier = threading.Barrier(len(fns))
    results, errors = [], []

    def wrap(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # collected and checked by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors
