"""Submit: only within an open window, with the declaration (承诺), complete, once; the enterprise is
notified after commit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationEvent
from applications.services import application_create, application_submit, attachment_add
from applications.workflow import State
from portal.models import AuditEvent, Notification
from vouchers.models import ApplicationWindow

from .conftest import DRAFT_DATA, PDF, attach_all, upload

pytestmark = pytest.mark.django_db


def _submit(client, app, declaration=True):
    return client.post(reverse("applications:submit", args=[app.pk]), {"declaration": "on"} if declaration else {})


def test_submit_records_declaration_window_and_notifies(
    client_for, owner_a, agent_a, complete_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client_for(agent_a), complete_a)
    assert response.status_code == 302
    app = Application.objects.get(pk=complete_a.pk)
    assert app.state == "submitted"
    assert app.declared_by == agent_a and app.declared_at is not None and app.submitted_at is not None
    assert app.window == ApplicationWindow.objects.get()
    assert app.estimate_amount is not None
    assert ApplicationEvent.objects.filter(application=app, action="submit", to_state="submitted").count() == 1
    assert AuditEvent.objects.filter(action="application.submit", target_id=str(app.pk)).count() == 1
    notes = Notification.objects.filter(kind="submitted")
    assert {n.recipient for n in notes} == {owner_a, agent_a}
    assert all(app.reference in n.subject for n in notes)
    assert {m.to[0] for m in mail.outbox} == {owner_a.email, agent_a.email}
    detail = client_for(owner_a).get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "已提交，待形式审查" in detail


def test_without_declaration_nothing_changes(client_for, owner_a, complete_a):
    response = _submit(client_for(owner_a), complete_a, declaration=False)
    assert response.status_code == 400
    assert "承诺" in response.content.decode()
    complete_a.refresh_from_db()
    assert complete_a.state == "draft" and complete_a.declared_at is None


def test_outside_any_window_is_refused_with_clear_message(
    client_for, owner_a, complete_a, django_capture_on_commit_callbacks
):
    ApplicationWindow.objects.update(
        opens_at=timezone.now() - dt.timedelta(days=60), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client_for(owner_a), complete_a)
    assert response.status_code == 400
    assert "当前不在申报期内" in response.content.decode()
    complete_a.refresh_from_db()
    assert complete_a.state == "draft" and complete_a.submitted_at is None and complete_a.declared_at is None
    assert not Notification.objects.exists()
    assert not ApplicationEvent.objects.filter(application=complete_a, action="submit").exists()


def test_before_the_next_window_the_message_names_it(owner_a, complete_a):
    ApplicationWindow.objects.update(
        opens_at=timezone.now() + dt.timedelta(days=3), closes_at=timezone.now() + dt.timedelta(days=30)
    )
    with pytest.raises(ValidationError) as exc:
        application_submit(actor=owner_a, application=complete_a, declaration=True)
    assert "下一批次“2026年第一批”将于" in exc.value.messages[0]


def test_incomplete_application_lists_what_is_missing(owner_a, compute):
    app = application_create(actor=owner_a, programme=compute, data={"inputs": {"eligible_cost": "abc"}}).application
    attachment_add(actor=owner_a, application=app, material="contract", upload=upload("c.pdf", PDF))
    with pytest.raises(ValidationError) as exc:
        application_submit(actor=owner_a, application=app, declaration=True)
    errors = exc.value.message_dict
    assert set(errors) == {"title", "inputs.eligible_cost", "contract_numbers", "materials"}
    assert errors["inputs.eligible_cost"] == ["“智能算力服务成本”须为数字"]  # the text as typed is checked
    assert "营业执照" in errors["materials"][0] and "算力服务合同" not in errors["materials"][0]
    app.refresh_from_db()
    assert app.state == "draft"


def test_submit_page_shows_the_checklist_of_problems(client_for, owner_a, draft_a):
    page = client_for(owner_a).get(reverse("applications:submit", args=[draft_a.pk])).content.decode()
    assert "提交前请完成以下事项" in page and "尚未上传以下材料" in page


def test_double_click_submits_once(client_for, owner_a, complete_a, django_capture_on_commit_callbacks):
    c = client_for(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _submit(c, complete_a), _submit(c, complete_a)
    assert first.status_code == second.status_code == 302
    assert ApplicationEvent.objects.filter(application=complete_a, action="submit").count() == 1
    assert Notification.objects.filter(recipient=owner_a, kind="submitted").count() == 1


def test_a_second_submit_is_idempotent_and_changes_nothing(owner_a, complete_a):
    """A retry after a lost answer (issue 12) finds the application submitted: no error, no change."""
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    complete_a.refresh_from_db()
    declared_at = complete_a.declared_at
    again = application_submit(actor=owner_a, application=complete_a, declaration=True)
    assert again.state == State.SUBMITTED
    complete_a.refresh_from_db()
    assert complete_a.declared_at == declared_at
    assert ApplicationEvent.objects.filter(application=complete_a, action="submit").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_submit_once(catalogue, owner_a):
    programme = catalogue["hp-compute-voucher"]
    ApplicationWindow.objects.create(
        programme=programme,
        name="并发",
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    app = application_create(actor=owner_a, programme=programme, data=DRAFT_DATA).application
    attach_all(app, owner_a)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def click():
        try:
            barrier.wait()
            application_submit(actor=owner_a, application=app.pk, declaration=True)
            results.append("ok")  # the later clicks find it submitted (idempotent)
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok", "ok", "ok"]
    assert ApplicationEvent.objects.filter(application=app, action="submit").count() == 1
