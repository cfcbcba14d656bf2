import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit import audit_record
from portal.models import AuditEvent


@pytest.mark.django_db
def test_audit_events_are_append_only_in_python():
    event = audit_record(actor=None, action="test.thing", target_type="x", target_id=1, after={"a": 1})
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get().after == {"a": 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_update_and_delete_of_audit_events():
    event = audit_record(actor=None, action="test.thing", target_type="x", target_id=1)
    for sql in (
        "UPDATE portal_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"
