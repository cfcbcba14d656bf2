"""portal.inserts.insert_row writes the row the ORM's create would write, on the database under test
(SQLite by default, PostgreSQL with DATABASE_URL), and returns it as a query would load it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from portal.inserts import insert_row
from portal.models import AuditEvent, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "created_at")]


def _values(**changes) -> dict:
    return {
        "created_at": timezone.now(),
        "actor_id": None,
        "actor_label": "system",
        "action": "test.insert",
        "target_type": "vouchers.award",
        "target_id": "42",
        "ip_address": None,
        "before": None,
        "after": None,
        "note": "",
        **changes,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"ip_address": "203.0.113.7", "after": {"金额": "1,234.50", "列表": [1, 2.5, None, True]}},
        {"ip_address": "2001:db8::1", "before": {"a": {"b": []}}, "after": [], "note": "说明：含“引号”和'单引号'"},
        {"ip_address": "::ffff:192.0.2.1", "after": "字符串", "actor_label": "a" * 200},
    ],
)
def test_a_row_inserted_reads_as_one_the_orm_created(changes):
    user = UserFactory()
    values = _values(**{"actor_id": user.pk, "actor_label": user.email, **changes})
    mine = insert_row(AuditEvent, values)
    orm = AuditEvent.objects.create(**{k: v for k, v in values.items() if k != "created_at"})
    stored, theirs = AuditEvent.objects.get(pk=mine.pk), AuditEvent.objects.get(pk=orm.pk)
    assert [getattr(stored, f) for f in FIELDS] == [getattr(theirs, f) for f in FIELDS]
    assert stored.created_at == values["created_at"] == mine.created_at
    assert [getattr(mine, f) for f in FIELDS] == [getattr(stored, f) for f in FIELDS]
    assert not mine._state.adding and mine.pk != orm.pk
    with pytest.raises(ValueError):  # still append-only
        mine.save()


def test_every_field_but_the_key_must_be_given():
    values = _values()
    for missing in ("created_at", "note"):
        with pytest.raises(ValueError, match=missing):
            insert_row(AuditEvent, {k: v for k, v in values.items() if k != missing})
    with pytest.raises(ValueError):
        insert_row(AuditEvent, {**values, "id": 7})
    assert not AuditEvent.objects.exists()


def test_a_model_with_save_receivers_is_refused():
    def heard(**kwargs):
        pass

    post_save.connect(heard, sender=AuditEvent, dispatch_uid="test-inserts")
    try:
        with pytest.raises(ValueError, match="signal"):
            insert_row(AuditEvent, _values())
    finally:
        post_save.disconnect(sender=AuditEvent, dispatch_uid="test-inserts")
    assert insert_row(AuditEvent, _values()).pk


def test_the_database_still_refuses_a_bad_row():
    """Constraints stay the backstop: a notification for no recipient is refused and nothing is kept."""
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    values = {f.attname: f.get_default() for f in fields}
    values.update(recipient_id=None, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(Notification, values)
    assert not Notification.objects.exists()
    assert isinstance(values["created_at"], dt.datetime)
