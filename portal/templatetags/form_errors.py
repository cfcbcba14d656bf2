"""Form problems as people read them: the summary at the top of a form (templates/_error_summary.html)
names each field by its label and links to it; a field in error says so to assistive technology."""

from django import template

register = template.Library()


@register.filter
def error_aware(field):
    """The field's widget, marked aria-invalid and described by its error text when it has errors."""
    if not field.errors:
        return field
    ids = " ".join(x for x in (f"{field.auto_id}-error", f"{field.auto_id}-help" if field.help_text else "") if x)
    return field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": ids})


@register.simple_tag
def error_target(form, message):
    """Where a form-wide message leads (form.error_targets, e.g. a missing material's row), or ""."""
    return (getattr(form, "error_targets", None) or {}).get(str(message), "")


@register.filter
def problem_count(form) -> int:
    """How many problems the summary lists: every message, not every field with one (a field may
    have two, and the form-wide messages are one line each)."""
    return sum(len(messages) for messages in form.errors.values())
