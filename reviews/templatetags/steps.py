"""{% application_stepper app %}: the progress stepper of an application (reviews.service_steps)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from portal.pagination import Capped
from portal.workdays import workdays_between
from reviews.service_steps import application_steps

register = template.Library()


@register.inclusion_tag("guide/_stepper.html")
def application_stepper(app) -> dict:
    return {"steps": application_steps(app), **payment_promise(app)}


def payment_promise(app) -> dict:
    """快申快享 承诺兑付日期, once the application is submitted, with the working days it was promised in."""
    promised = getattr(app, "payment_promised_on", None)
    if promised is None or app.submitted_at is None:
        return {}
    return {
        "promised_on": promised,
        "promise_workdays": workdays_between(timezone.localdate(app.submitted_at), promised),
    }


@register.inclusion_tag("guide/_rating_prompt.html")
def rating_prompt(app, user) -> dict:
    """评价本次服务: offered to the applying enterprise once its application has ended."""
    from reviews.models import ServiceRating
    from reviews.services.ratings import rating_allowed

    if not rating_allowed(actor=user, application=app):
        return {"show": False}
    return {"show": True, "app": app, "rating": ServiceRating.objects.filter(application=app).first()}


@register.inclusion_tag("guide/_ratings_todo.html")
def ratings_todo(user) -> dict:
    """待评价: the enterprise's ended applications it has not rated yet (its workbench's to-dos)."""
    from applications.selectors import applications_for_actor
    from applications.workflow import TERMINAL
    from portal.models import Role

    if getattr(user, "role", "") != Role.ENTERPRISE:
        return {"apps": []}
    apps = (
        applications_for_actor(actor=user)
        .filter(state__in=TERMINAL, service_rating__isnull=True)
        .exclude(submitted_at__isnull=True)
        .select_related("programme")
        .order_by("-decided_at", "-pk")
    )
    return {"apps": Capped(apps, 10)}  # a to-do panel of the workbench: the ten latest, and how many in all
