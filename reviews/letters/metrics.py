"""Letters by status, for the portal's Prometheus metrics (settings.PORTAL_METRICS_COLLECTORS):
a standing count of failed letters is the alert that a letter needs a person (生成失败)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from reviews.models import Letter


def letters_by_status() -> Iterator[GaugeMetricFamily]:
    counts = dict(Letter.objects.order_by().values_list("status").annotate(n=Count("pk")))
    family = GaugeMetricFamily("portal_letters", "Official letters by status.", labels=["status"])
    for status in Letter.Status.values:
        family.add_metric([status], counts.get(status, 0))
    yield family
