"""{% application_stepper app %}: the progress stepper of an application (reviews.service_steps)."""

from __future__ import annotations

from django import template

from reviews.service_steps import application_steps

register = template.Library()


@register.inclusion_tag("guide/_stepper.html")
def application_stepper(app) -> dict:
    return {"steps": application_steps(app)}
