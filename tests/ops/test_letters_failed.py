"""A letter whose PDF keeps failing is not retried for ever: when its retries are used up it is
failed (生成失败), which the bureau sees on the letters page, in the admin, in the API and in the
metrics, and an administrator sends it back to generation (page, API, admin action; audited)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from portal.models import AuditEvent, Role
from reviews.letters import render, services
from reviews.letters.tasks import letter_generate, letters_generate_pending
from reviews.models import Letter
from tests.factories import UserFactory
from tests.letters.helpers import make_application, make_award

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7\n% a stand-in for the rendered letter\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_storage(private_storage, settings):
    """tests/conftest.py's private storage, and the site's address that letters print (their verification
    link and QR code)."""
    settings.SITE_URL = "https://portal.example.cn"


@pytest.fixture
def letter(catalogue, enterprise_a, owner_a, reviewer) -> Letter:
    application = make_application(enterprise=enterprise_a, programme=catalogue["hp-data-trading"], created_by=owner_a)
    make_award(application=application, amount="10000.00")
    with transaction.atomic():  # the PDF would be queued on commit: the test's transaction never commits
        return services.letter_create(application=application, kind=Letter.Kind.APPROVAL, actor=reviewer)


@pytest.fixture
def failed(letter, monkeypatch) -> Letter:
    monkeypatch.setattr(render, "letter_pdf", lambda lt: (_ for _ in ()).throw(OSError("font missing")))
    # an eager task follows Celery's retries in-process when it does not propagate
    monkeypatch.setitem(letter_generate.app.conf, "task_eager_propagates", False)
    result = letter_generate.apply(args=[letter.pk])
    assert result.failed()
    monkeypatch.setattr(render, "letter_pdf", lambda lt: FAKE_PDF)  # the cause is fixed
    letter.refresh_from_db()
    return letter


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return client


def test_retries_used_up_make_the_letter_failed(failed):
    assert failed.status == Letter.Status.FAILED and not failed.sha256
    assert failed.attempts == letter_generate.max_retries + 1 and "OSError: font missing" in failed.last_error
    event = AuditEvent.objects.get(action="letter.generate_failed")
    assert event.target_id == str(failed.pk) and event.after["status"] == "failed"


def test_a_failure_with_retries_left_keeps_the_letter_pending(letter):
    services.letter_note_failure(letter_id=letter.pk, error="OSError: busy")
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PENDING and letter.attempts == 1
    assert not AuditEvent.objects.filter(action="letter.generate_failed").exists()


def test_the_periodic_sweep_leaves_failed_letters_to_a_person(failed, monkeypatch):
    queued = []
    monkeypatch.setattr(letter_generate, "delay", lambda pk: queued.append(pk))
    Letter.objects.filter(pk=failed.pk).update(created_at=failed.created_at.replace(year=2000))
    assert letters_generate_pending() == 0 and queued == []


def test_the_bureau_sees_the_failure_on_the_letters_page(failed, reviewer, bureau_admin, owner_a):
    page = signed_in(bureau_admin).get("/letters/").content.decode()
    assert "生成失败" in page and "font missing" in page and f"/letters/{failed.pk}/retry/" in page
    page = signed_in(reviewer).get("/letters/").content.decode()
    assert "生成失败" in page and "font missing" in page and "/retry/" not in page  # no button
    page = signed_in(owner_a).get("/letters/").content.decode()
    assert "生成失败" in page and "font missing" not in page


def test_the_api_says_failed(failed, reviewer, owner_a):
    data = signed_in(reviewer).get(f"/api/v1/letters/{failed.pk}/").json()
    assert data["status"] == "failed" and data["failed"] is True and data["attempts"] == 7
    assert "font missing" in data["generation_error"]
    data = signed_in(owner_a).get(f"/api/v1/letters/{failed.pk}/").json()
    assert data["failed"] is True and data["generation_error"] is None
    listed = signed_in(reviewer).get("/api/v1/letters/?status=failed").json()
    assert [row["id"] for row in listed["results"]] == [failed.pk]


def test_an_administrator_retries_it_on_the_page(failed, bureau_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = signed_in(bureau_admin).post(f"/letters/{failed.pk}/retry/")
    assert r.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Letter.Status.READY and failed.sha256 and failed.last_error == ""
    event = AuditEvent.objects.get(action="letter.retry")
    assert (
        event.actor_id == bureau_admin.pk
        and event.before["status"] == "failed"
        and "font" in event.before["last_error"]
    )


def test_an_administrator_retries_it_through_the_api(failed, bureau_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = signed_in(bureau_admin).post(f"/api/v1/letters/{failed.pk}/retry/", content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "pending"  # queued; generated after commit
    failed.refresh_from_db()
    assert failed.status == Letter.Status.READY
    again = signed_in(bureau_admin).post(f"/api/v1/letters/{failed.pk}/retry/", content_type="application/json")
    assert again.status_code == 400 and "生成失败" in again.content.decode()


def test_only_administrators_retry(failed, reviewer, owner_a, owner_b):
    for user, status in ((reviewer, 403), (owner_a, 403), (owner_b, 404)):
        assert signed_in(user).post(f"/api/v1/letters/{failed.pk}/retry/").status_code == status, user
        assert signed_in(user).post(f"/letters/{failed.pk}/retry/").status_code == status, user
    failed.refresh_from_db()
    assert failed.status == Letter.Status.FAILED
    assert not AuditEvent.objects.filter(action="letter.retry").exists()


def test_the_admin_filters_and_retries(failed, django_capture_on_commit_callbacks):
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client = signed_in(sysadmin)
    page = client.get("/admin/reviews/letter/?status__exact=failed").content.decode()
    assert failed.number in page and "font missing" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/admin/reviews/letter/", {"action": "retry_failed", "_selected_action": [failed.pk]})
    assert r.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Letter.Status.READY
    assert AuditEvent.objects.get(action="letter.retry").actor_id == sysadmin.pk


def test_failed_letters_in_the_metrics(failed, settings):
    settings.PORTAL_METRICS_ALLOWED_IPS = ["127.0.0.1"]
    text = Client().get("/metrics").content.decode()
    assert 'portal_letters{status="failed"} 1.0' in text
