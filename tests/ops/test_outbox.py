"""The outbox (portal.outbox): work asked for in a transaction is written in it, published when it
commits, and — when the broker is unreachable then — published by the relay that beat runs at each
tick once the broker is back (the Redis-down fault test drives that with real processes). Here the
broker that is down is a real connection refused: a Redis address nothing listens on."""

from __future__ import annotations

import socket

import pytest
from django.db import transaction

from portal.models import OutboxMessage
from portal.outbox import outbox_enqueue, outbox_relay, outbox_waiting
from reviews.letters import services
from reviews.models import Letter
from tests.faults.conftest import real_broker
from tests.letters.helpers import make_application, make_award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def dead_broker() -> str:
    """A Redis address on which nothing listens (a port just released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def approval(catalogue, enterprise_a, owner_a):
    application = make_application(enterprise=enterprise_a, programme=catalogue["hp-data-trading"], created_by=owner_a)
    make_award(application=application, amount="10000.00")
    return application


def test_a_letter_is_written_to_the_outbox_and_generated_at_commit(
    approval, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_create(application=approval, kind=Letter.Kind.APPROVAL, actor=reviewer)
    message = OutboxMessage.objects.get(task=services.LETTER_GENERATE_TASK)
    assert message.kwargs == {"letter_id": letter.pk}
    assert message.published_at is not None and message.attempts == 1
    letter.refresh_from_db()
    assert letter.sha256 and letter.pdf and letter.status == Letter.Status.READY
    assert outbox_waiting() == 0


def test_a_rolled_back_transaction_asks_for_nothing(approval, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.letter_create(application=approval, kind=Letter.Kind.APPROVAL, actor=reviewer)
        raise RuntimeError("the decision fails after the letter was asked for")
    assert not OutboxMessage.objects.exists() and not Letter.objects.exists()


def test_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown task"):
        outbox_enqueue("portal.tasks.no_such_task", x=1)
    assert not OutboxMessage.objects.exists()


def test_with_the_broker_down_the_request_waits_in_the_outbox(
    approval, reviewer, dead_broker, django_capture_on_commit_callbacks
):
    with real_broker(dead_broker), django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_create(application=approval, kind=Letter.Kind.APPROVAL, actor=reviewer)
    message = OutboxMessage.objects.get(task=services.LETTER_GENERATE_TASK)
    assert message.published_at is None and message.attempts == 1
    assert "Error" in message.last_error
    assert outbox_waiting() == 1
    letter.refresh_from_db()
    assert letter.sha256 == ""  # nothing rendered: the work was never published

    # The relay, while the broker is still down, publishes nothing and counts the attempt.
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=message.created_at.replace(year=2000))
    with real_broker(dead_broker):
        assert outbox_relay() == 0
    message.refresh_from_db()
    assert message.published_at is None and message.attempts == 2

    # The broker back (here: tasks run in-process again), the relay publishes it and the PDF is made.
    assert outbox_relay() == 1
    message.refresh_from_db()
    letter.refresh_from_db()
    assert message.published_at is not None and letter.sha256
    assert outbox_relay() == 0  # published once


def test_a_notification_with_the_broker_down_reaches_the_inbox_at_once(
    owner_a, dead_broker, django_capture_on_commit_callbacks
):
    from portal.models import Notification
    from portal.notifications import notify_users

    with real_broker(dead_broker), django_capture_on_commit_callbacks(execute=True):
        notify_users(
            user_ids=[owner_a.pk],
            kind=Notification.Kind.REMINDER,
            subject="提醒",
            body="请补正。",
            dedupe_key="outbox-test",
        )
    note = Notification.objects.get(recipient=owner_a, dedupe_key="outbox-test")
    assert note.emailed_at is None
    assert outbox_waiting() == 1
    OutboxMessage.objects.update(created_at=note.created_at.replace(year=2000))
    assert outbox_relay() == 1  # back: the delivery e-mails the row, creating no second one
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert Notification.objects.filter(recipient=owner_a, dedupe_key="outbox-test").count() == 1
