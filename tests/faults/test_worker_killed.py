"""A Celery worker killed (SIGKILL) while it renders official letters: after a new worker starts,
every letter has its PDF exactly once (one file, one generation in the audit trail, one attempt
counted) and its notification reached each member of the enterprise exactly once. The work is
redelivered because tasks are acknowledged late and requeued when their worker is lost
(settings: acks_late, reject_on_worker_lost, visibility timeout), and it is done once because the
tasks are idempotent (a letter with its PDF is left alone; inbox rows are unique per event)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction

from applications.models import EnterpriseMember
from portal.models import AuditEvent, Notification, Role
from reviews.letters.services import letter_create
from reviews.models import Letter
from tests.factories import UserFactory, member
from tests.letters.helpers import make_application, make_award

from .conftest import fault, process_env, real_broker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), fault]

LETTERS = 8


def _ready() -> int:
    return Letter.objects.filter(status=Letter.Status.READY).count()


def test_a_worker_killed_mid_task_leaves_every_letter_done_exactly_once(
    catalogue, enterprise_a, redis_server, processes, fault_storage
):
    owner = member(enterprise_a, EnterpriseMember.MemberRole.OWNER, email="owner-fault@example.cn")
    member(enterprise_a, EnterpriseMember.MemberRole.AGENT, email="agent-fault@example.cn")
    admin = UserFactory(role=Role.BUREAU_ADMIN)
    programme = catalogue["hp-data-trading"]
    apps = [make_application(enterprise=enterprise_a, programme=programme, created_by=owner) for _ in range(LETTERS)]
    for app in apps:
        make_award(application=app, amount="10000.00")  # within the enterprise cap

    # Decided and numbered here; the PDFs are queued on commit to the fault tests' own Redis.
    with real_broker(redis_server.url):
        for app in apps:
            with transaction.atomic():
                letter_create(application=app, kind=Letter.Kind.APPROVAL, actor=admin)
    ids = list(Letter.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == LETTERS and _ready() == 0
    assert int(redis_server.cli("llen", "celery")) == LETTERS

    env = process_env(fault_storage, redis_server.url)
    first = processes.worker(env, "first")
    # Kill it while a task is in flight: some letters done, one taken and not yet acknowledged.
    wait_for(
        lambda: _ready() >= 2 and int(redis_server.cli("hlen", "unacked") or 0) >= 1,
        timeout=120,
        interval=0.05,
        what="the first letters rendered",
    )
    processes.kill(first)
    done_at_kill = _ready()
    assert done_at_kill < LETTERS, "the worker finished everything before it was killed"
    assert int(redis_server.cli("hlen", "unacked")) >= 1, "no task was in flight when the worker was killed"

    processes.worker(env, "second")
    wait_for(lambda: _ready() == LETTERS, timeout=120, what="every letter rendered after the restart")
    members = 2
    wait_for(
        lambda: (
            Notification.objects.filter(dedupe_key__startswith="letter:", emailed_at__isnull=False).count()
            == LETTERS * members
        ),
        timeout=60,
        what="every letter notification delivered",
    )

    for letter in Letter.objects.filter(pk__in=ids):
        assert letter.attempts == 1, (letter.number, letter.attempts)
        with letter.pdf.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == letter.sha256
    files = [p for p in (fault_storage / "letters").rglob("*") if p.is_file()]
    assert len(files) == LETTERS, sorted(p.name for p in files)
    generated = AuditEvent.objects.filter(action="letter.generate").values_list("target_id", flat=True)
    assert sorted(generated) == sorted(str(pk) for pk in ids)
    notes = Notification.objects.filter(dedupe_key__startswith="letter:")
    assert notes.count() == LETTERS * members
    assert {n.dedupe_key for n in notes} == {f"letter:{pk}" for pk in ids}
    assert int(redis_server.cli("llen", "celery") or 0) == 0
