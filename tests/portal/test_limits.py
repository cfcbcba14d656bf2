"""portal.limits: a length limit is the field's, refused with the field's name and limit, never cut."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from portal.limits import length_problem, max_length, require_length
from portal.models import AuditEvent, CalendarDay


def test_the_limit_is_read_from_the_model_field():
    assert max_length(CalendarDay, "note") == 100
    with pytest.raises(ImproperlyConfigured):
        max_length(AuditEvent, "note")  # a text column has no limit to read


def test_a_value_that_fits_is_returned_whole():
    assert require_length("春" * 100, model=CalendarDay, field="note") == "春" * 100
    assert length_problem("", model=CalendarDay, field="note") is None


def test_an_over_long_value_is_refused_with_the_field_and_its_limit():
    with pytest.raises(ValidationError) as exc:
        require_length("春" * 101, model=CalendarDay, field="note", key="why")
    assert exc.value.message_dict == {"why": ["“说明”不能超过 100 个字符（现为 101 个）。"]}
    assert length_problem("x" * 101, model=CalendarDay, field="note", label="节日名称").startswith("“节日名称”")
