"""Matching reruns when what it reads changes: a parameter's dated value or an application window
(opened, moved, closed). Fact imports and upheld contests ask for it in their services. The request
is queued once the transaction commits and debounced: one pending run at a time."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from vouchers.models import ApplicationWindow, ParameterValue

from .tasks import matching_request


@receiver(post_save, sender=ParameterValue, dispatch_uid="proactive.parameter_saved")
def _parameter_saved(sender, instance, **kwargs) -> None:
    matching_request("parameter")


@receiver(post_save, sender=ApplicationWindow, dispatch_uid="proactive.window_saved")
def _window_saved(sender, instance, **kwargs) -> None:
    matching_request("window")
