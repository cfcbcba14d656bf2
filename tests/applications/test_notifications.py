"""The notification service: nothing before commit, one inbox row per recipient and key, e-mailed once."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.db import transaction

from applications.models import EnterpriseMember
from portal.models import Notification
from portal.notifications import notify_enterprise, notify_users
from portal.tasks import notification_deliver
from tests.factories import UserFactory, member


@pytest.mark.django_db
def test_notify_users_waits_for_commit_then_writes_inbox_and_email(owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_users(
            user_ids=[owner_a.pk],
            kind=Notification.Kind.SUBMITTED,
            subject="已提交",
            body="您的申报已提交。",
            link="/applications/1/",
            dedupe_key="submitted:1",
        )
        assert Notification.objects.count() == 0
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.subject, note.dedupe_key) == (owner_a, "submitted", "已提交", "submitted:1")
    assert note.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner_a.email]
    assert "/applications/1/" in mail.outbox[0].body


@pytest.mark.django_db
def test_rolled_back_transaction_notifies_no_one(owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify_users(user_ids=[owner_a.pk], kind="submitted", subject="x", body="y")
        raise RuntimeError
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_notify_enterprise_reaches_every_active_member_only(
    enterprise_a, owner_a, agent_a, owner_b, django_capture_on_commit_callbacks
):
    gone = member(enterprise_a, EnterpriseMember.MemberRole.AGENT)
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_enterprise(enterprise_id=enterprise_a.pk, kind="decision", subject="结果", body="b", dedupe_key="d:1")
    assert set(Notification.objects.values_list("recipient", flat=True)) == {owner_a.pk, agent_a.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner_a.email, agent_a.email])


@pytest.mark.django_db
def test_task_run_twice_creates_and_sends_nothing_twice(owner_a):
    kwargs = {"user_ids": [owner_a.pk], "kind": "letter", "subject": "s", "body": "b", "dedupe_key": "letter:9"}
    assert notification_deliver.apply(kwargs=kwargs, throw=True).result == 1
    assert notification_deliver.apply(kwargs=kwargs, throw=True).result == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_calls_without_key_are_distinct_events(owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(user_ids=[owner_a.pk], kind="reminder", subject="s", body="b")
        notify_users(user_ids=[owner_a.pk], kind="reminder", subject="s", body="b")
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_smtp_failure_keeps_inbox_row_and_retry_sends_once(owner_a, monkeypatch):
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("down")
        mail.outbox.append(kwargs)
        return 1

    monkeypatch.setattr("portal.tasks.send_mail", flaky)
    # throw=False: run the eager retry as a worker would instead of raising Retry
    notification_deliver.apply(
        kwargs={"user_ids": [owner_a.pk], "kind": "decision", "subject": "s", "body": "b", "dedupe_key": "k"},
        throw=False,
    )
    note = Notification.objects.get()
    assert note.emailed_at is not None
    assert calls["n"] == 2  # retried after the SMTP error, sent once
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_unknown_kind_is_refused():
    user = UserFactory()
    with pytest.raises(ValueError):
        notify_users(user_ids=[user.pk], kind="nonsense", subject="s", body="b")
