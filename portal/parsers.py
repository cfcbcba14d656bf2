"""Request parsers of the API. JSON is parsed by DRF's parser with a limit on nesting: a body nested
deeper than MAX_JSON_DEPTH (no form of the portal nests more than a few levels) is refused with 400,
never left to exhaust Python's recursion in the parser or in the code that walks it afterwards (a
500)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32


def json_depth_check(data, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ParseError when lists and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise ParseError(too_deep())
        stack.extend((child, depth + 1) for child in children)


def too_deep() -> str:
    return _("请求体的 JSON 嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_JSON_DEPTH}


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested too deep with 400. A subclass that reads the JSON
    another way (vouchers.api_catalogue: decimals) overrides `load`."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = self.load(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep()) from None
        json_depth_check(data)
        return data

    def load(self, stream, media_type=None, parser_context=None):
        return super().parse(stream, media_type, parser_context)
