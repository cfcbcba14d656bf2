"""Document numbers stay unique and gapless when decisions are taken in parallel (PostgreSQL, threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from reviews.letters import services
from reviews.models import Letter, LetterSeries

from .helpers import make_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(fns):
    barrier = threading.Barrier(len(fns))
    errors = []

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # collected and checked by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_parallel_decisions_get_unique_gapless_numbers(catalogue, enterprise_a, owner_a, reviewer):
    programme = catalogue["hp-data-trading"]
    apps = [make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a) for _ in range(24)]
    failing = {a.pk for a in apps[::4]}  # every fourth decision fails after taking its number

    def decide(app):
        def fn():
            with transaction.atomic():
                services.letter_create(
                    application=app, kind="supplement", actor=reviewer, context={"items": [{"label": "营业执照"}]}
                )
                if app.pk in failing:
                    raise RuntimeError("decision rolled back")

        return fn

    errors = run_in_threads([decide(a) for a in apps])
    assert len(errors) == len(failing) and all(isinstance(e, RuntimeError) for e in errors)
    serials = sorted(Letter.objects.values_list("serial", flat=True))
    assert serials == list(range(1, len(apps) - len(failing) + 1))  # unique, no gap, none reused
    assert LetterSeries.objects.get(prefix="穗开政数补字").last_serial == len(serials)  # 补正通知书's series
    assert Letter.objects.values("number").distinct().count() == len(serials)


def test_first_use_of_a_new_series_races_safely(catalogue, enterprise_a, owner_a, reviewer_th):
    """No counter row yet: several transactions create it at once; one wins, the others lock it."""
    programme = catalogue["th-consortium"]  # th2024's: issued by Tianhe's bureau (所属区域)
    reviewer = reviewer_th
    apps = [make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a) for _ in range(8)]

    def decide(app):
        def fn():
            with transaction.atomic():
                services.letter_create(
                    application=app, kind="supplement", actor=reviewer, context={"items": [{"label": "审计报告"}]}
                )

        return fn

    assert run_in_threads([decide(a) for a in apps]) == []
    assert sorted(Letter.objects.values_list("serial", flat=True)) == list(range(1, 9))
