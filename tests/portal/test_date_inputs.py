"""Date inputs keep their stored value (issue 17): <input type="date"> takes ISO dates only, so a
localised 2025/07/01 would be dropped and every edit would ask for the date again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vouchers.forms_redemption import ProviderForm
from vouchers.models import ComputeProvider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_provider_form_shows_its_stored_dates(language):
    provider = ComputeProvider(
        name="广州黄埔智算中心有限公司",
        credit_code="91440112MA5D0000X1",
        district="黄埔区",
        valid_from=dt.date(2025, 7, 1),
        valid_to=dt.date(2027, 6, 30),
    )
    with translation.override(language):
        html = str(ProviderForm(instance=provider))
    assert 'type="date"' in html
    assert 'value="2025-07-01"' in html and 'value="2027-06-30"' in html
