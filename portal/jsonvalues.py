"""Values as stored in JSON columns (audit rows, award parameters and explanations, the catalogue's
spec, application inputs): decimals as strings (never floats), dates and times in ISO form, sets as
lists, anything else as its text. The one conversion every app uses."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class StoredJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, set | frozenset):
            return sorted(o, key=str)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def json_safe(value: Any) -> Any:
    """`value` with every part JSON can hold as it is, and the rest converted as the module says."""
    return json.loads(json.dumps(value, cls=StoredJSONEncoder))
