"""Input no view can store: a NUL character (\\x00) anywhere in the path, the query string or a form
answers 400 with a message (PostgreSQL cannot hold it; raw reads of it answered 500 there)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application
from portal.models import AuditEvent
from vouchers.models import ApplicationWindow

pytestmark = pytest.mark.django_db

GETS = [
    "/api/v1/applications/?programme=a%00b",
    "/applications/?programme=a%00b",
    "/review/?enterprise=a%00b",
    "/api/v1/reviews/queue/?enterprise=a%00b",
    "/vouchers/?q=a%00b",
    "/letters/?q=a%00b",
    "/api/v1/reviews/objections/?status=a%00b",
    "/verify/a%00b/",
    "/catalogue/?a%00=1",
]


@pytest.mark.parametrize("url", GETS)
def test_a_nul_character_in_a_request_is_refused_with_400(url, client_for, owner_a, bureau_admin):
    for user in (owner_a, bureau_admin):
        client = client_for(user)
        client.raise_request_exception = False
        r = client.get(url)
        assert r.status_code == 400, (url, r.status_code)
        assert "空字符" in r.content.decode()


def test_a_nul_character_in_a_form_changes_nothing(client_for, bureau_admin, reviewer, catalogue, owner_a):
    from reviews.services import assignments
    from tests.cast import _submitted

    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )
    app = _submitted(programme, owner_a, n=1)
    assignments.reviewer_assign(actor=bureau_admin, application=app, reviewer=reviewer)
    client = client_for(reviewer)
    client.raise_request_exception = False
    before = (AuditEvent.objects.count(), Application.objects.get(pk=app.pk).state)
    r = client.post(f"/review/applications/{app.pk}/formal/pass/", {"note": "通过\x00"})
    assert r.status_code == 400 and "空字符" in r.content.decode()
    assert (AuditEvent.objects.count(), Application.objects.get(pk=app.pk).state) == before
