from django import template

from portal.navigation import main_nav as build_main_nav

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context):
    request = context.get("request")
    if request is None:
        return []
    return build_main_nav(getattr(request, "user", None), request.path)
