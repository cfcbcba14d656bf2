"""Letters are made after the response (issue 17): on the embedded default the 补正 notice's PDF is
no longer rendered inside the "退回补正" request; the pages say 生成中 and poll the letter's state
until it is 已出具. The test settings run in-process work at commit ("inline"); these tests set
"deferred" to see the page between the request and the work, then run the work explicitly."""

from __future__ import annotations

import threading
from unittest import mock

import pytest

from applications.workflow import State
from portal import outbox
from portal.background import BackgroundWorker
from portal.models import OutboxMessage
from reviews.models import Letter
from tests.reviews.conftest import assign_to, make_app

pytestmark = pytest.mark.django_db

RETURN = {"m_invoice": "on", "m_exchange_certificate": "on", "n_exchange_certificate": "须加盖公章", "note": "请补正"}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def returned(catalogue, enterprise_a, owner_a, reviewer, client_for, settings, django_capture_on_commit_callbacks):
    """An application returned for supplement through the page, its letter's PDF not yet made."""
    settings.PORTAL_EAGER_TASKS = "deferred"
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.FORMAL_REVIEW,
        materials=["business_license", "credit_commitment", "contract"],
    )
    assign_to(app, reviewer)
    with (
        mock.patch("reviews.letters.render.letter_pdf", side_effect=AssertionError("rendered in the request")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(reviewer).post(f"/review/applications/{app.pk}/formal/return/", RETURN)
    assert response.status_code == 302
    return app, Letter.objects.get(application=app, kind=Letter.Kind.SUPPLEMENT)


def test_return_for_supplement_answers_before_the_pdf_is_made(returned, reviewer, owner_a, client_for):
    app, letter = returned
    assert letter.status == Letter.Status.PENDING and not letter.sha256
    assert (
        OutboxMessage.objects.filter(published_at__isnull=True, task="reviews.letters.tasks.letter_generate").count()
        == 1
    )
    for user, url in ((reviewer, f"/review/applications/{app.pk}/"), (owner_a, f"/applications/{app.pk}/")):
        page = client_for(user).get(url).content.decode()
        assert "生成中" in page and f"/letters/{letter.pk}/status/" in page, user
    status = client_for(owner_a).get(f"/letters/{letter.pk}/status/").json()
    assert status == {
        "id": letter.pk,
        "number": letter.number,
        "status": "pending",
        "label": "生成中",
        "ready": False,
        "done": False,
        "download_url": "",
    }

    assert outbox.outbox_run_pending() >= 1  # the work the request left: the PDF, the notifications
    letter.refresh_from_db()
    assert letter.status == Letter.Status.READY and letter.sha256
    status = client_for(owner_a).get(f"/letters/{letter.pk}/status/").json()
    assert status["ready"] and status["label"] == "已出具"
    assert status["download_url"] == f"/letters/{letter.pk}/download/"
    assert client_for(owner_a).get(status["download_url"]).status_code == 200
    assert outbox.outbox_run_pending() == 0  # nothing left, nothing run twice


def test_letter_status_is_refused_to_the_wrong_cast_and_changes_nothing(
    returned, owner_b, expert, provider_user, reviewer_th, client_for
):
    _app, letter = returned
    for user in (owner_b, expert, provider_user, reviewer_th):
        assert client_for(user).get(f"/letters/{letter.pk}/status/").status_code == 404, user
    anonymous = client_for(None).get(f"/letters/{letter.pk}/status/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PENDING and not letter.sha256


def test_background_mode_hands_the_work_to_the_worker_thread(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_EAGER_TASKS = "background"
    with (
        mock.patch.object(outbox._worker, "submit") as submit,
        mock.patch.object(outbox, "_publish_one") as publish_now,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.outbox_enqueue("reviews.letters.tasks.letters_generate_pending")
        assert submit.call_count == 1 and publish_now.call_count == 0  # nothing ran in the request
        submit.call_args.args[0]()  # the job the thread runs publishes the message
        assert publish_now.call_count == 1


def test_inline_mode_runs_at_commit(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_EAGER_TASKS = "inline"
    with mock.patch.object(outbox._worker, "submit") as submit, django_capture_on_commit_callbacks(execute=True):
        message = outbox.outbox_enqueue("reviews.letters.tasks.letters_generate_pending")
    assert submit.call_count == 0
    message.refresh_from_db()
    assert message.published_at is not None


def test_worker_runs_jobs_in_order_on_its_own_thread_and_survives_a_failure():
    seen: list[tuple[str, str]] = []
    worker = BackgroundWorker()

    def job(name: str):
        def run():
            seen.append((name, threading.current_thread().name))
            if name == "bad":
                raise RuntimeError("boom")

        return run

    for name in ("first", "bad", "last"):
        worker.submit(job(name))
    worker.join()
    assert [name for name, _ in seen] == ["first", "bad", "last"]
    assert {thread for _, thread in seen} == {"portal-background"}
