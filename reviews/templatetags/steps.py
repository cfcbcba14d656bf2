"""{% application_stepper app %}: the progress stepper of an application (reviews.service_steps)."""

from __future__ import annotations

from django import template

from reviews.service_steps import application_steps

register = template.Library()


@register.inclusion_tag("guide/_stepper.html")
def application_stepper(app) -> dict:
    return {"steps": application_steps(app)}


@register.inclusion_tag("guide/_rating_prompt.html")
def rating_prompt(app, user) -> dict:
    """评价本次服务: offered to the applying enterprise once its application has ended."""
    from reviews.models import ServiceRating
    from reviews.services.ratings import rating_allowed

    if not rating_allowed(actor=user, application=app):
        return {"show": False}
    return {"show": True, "app": app, "rating": ServiceRating.objects.filter(application=app).first()}
