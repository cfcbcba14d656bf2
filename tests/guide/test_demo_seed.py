"""The demo shows every state completely (issue 17): the seeded approved application has its
materials, its estimate, decision and amount, and its timeline; its page shows them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from applications.models import Application
from applications.workflow import State
from portal.models import User
from tests.approvals import ensure_default_chains as ensure_chains

pytestmark = pytest.mark.django_db


def test_the_seeded_approved_application_is_complete(settings, tmp_path, client_for):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    ensure_chains()
    call_command("demo_seed", verbosity=0)
    app = Application.objects.get(reference="DEMO-SLQ-000001")
    assert app.state == State.APPROVED and app.estimate_amount and app.declared_at
    codes = {m["code"] for m in app.programme.materials}
    assert codes and codes <= set(app.attachments.filter(superseded_at__isnull=True).values_list("material", flat=True))
    assert [e.to_state for e in app.events.order_by("created_at")] == [
        State.SUBMITTED,
        State.FORMAL_REVIEW,
        State.BUREAU_REVIEW,
        State.APPROVED_PENDING_NOTICE,
        State.IN_PUBLIC_NOTICE,
        State.APPROVED,
    ]
    assert app.decisions.get(current=True).amount == app.awards.get().amount
    page = client_for(User.objects.get(email="owner-a@demo.cn")).get(f"/applications/{app.pk}/").content.decode()
    assert "未上传" not in page and "200,000.00" in page and "公示期满，核定生效" in page
    call_command("demo_seed", verbosity=0)  # still idempotent
    assert app.events.count() == 6
