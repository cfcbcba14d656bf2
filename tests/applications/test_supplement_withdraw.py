"""Supplement requests (补正) as the applicant sees and answers them, and withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import Application, Attachment
from applications.services import (
    application_resubmit,
    application_submit,
    application_transition,
    application_withdraw,
    attachment_add,
    supplement_request_record,
)

from .conftest import PDF, PNG, upload

pytestmark = pytest.mark.django_db

ITEMS = [
    {"code": "invoice", "label": "发票", "note": "发票金额与合同不一致，请重新上传"},
    {"code": "explain_usage", "label": "算力使用说明", "note": "说明用于哪些模型"},
]


@pytest.fixture
def returned_a(complete_a, owner_a, reviewer):
    """Submitted, then returned for supplement as the reviewer side does it."""
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    due = dt.date.today() + dt.timedelta(days=7)

    def apply(app):
        app.due_date = due

    request = supplement_request_record(
        application=complete_a,
        requested_by=reviewer,
        due_date=due,
        review_due_date=None,
        note="请一次性补正以下材料。",
        items=ITEMS,
    )
    application_transition(
        actor=reviewer,
        application=complete_a,
        transition="request_supplement",
        message="请一次性补正以下材料。",
        data={"supplement_request": request.pk},
        apply=apply,
    )
    complete_a.refresh_from_db()
    return complete_a


def test_applicant_sees_each_item_and_the_deadline(client_for, agent_a, returned_a):
    page = client_for(agent_a).get(reverse("applications:detail", args=[returned_a.pk])).content.decode()
    assert "待补正" in page and "待补正事项" in page
    for item in ITEMS:
        assert item["label"] in page and item["note"] in page
    assert returned_a.due_date.strftime("%Y-%m-%d") in page
    dashboard = client_for(agent_a).get(reverse("applications:dashboard")).content.decode()
    assert "请于 " + returned_a.due_date.strftime("%Y-%m-%d") + " 前补正" in dashboard


def test_resubmit_requires_every_item_answered(owner_a, returned_a):
    with pytest.raises(ValidationError) as exc:
        application_resubmit(actor=owner_a, application=returned_a, answers={"explain_usage": "用于 Qwen 推理"})
    assert set(exc.value.message_dict) == {"answers.invoice"}
    returned_a.refresh_from_db()
    assert returned_a.state == "supplement_requested"


def test_resubmit_with_file_and_answer_keeps_one_history(client_for, owner_a, returned_a):
    c = client_for(owner_a)
    old = Attachment.objects.get(application=returned_a, material="invoice")
    response = c.post(
        reverse("applications:attachment_upload", args=[returned_a.pk]),
        {"material": "invoice", "file": upload("新发票.png", PNG, "image/png"), "replaces": str(old.pk)},
    )
    assert response.status_code == 302
    # A file under a supplement item's own code is accepted too.
    response = c.post(
        reverse("applications:attachment_upload", args=[returned_a.pk]),
        {"material": "explain_usage", "file": upload("说明.pdf", PDF)},
    )
    assert response.status_code == 302
    # Inputs may be corrected while returned.
    c.post(reverse("applications:edit", args=[returned_a.pk]), {"in_eligible_cost": "280000"})
    response = c.post(
        reverse("applications:resubmit", args=[returned_a.pk]),
        {"answer_invoice": "已重新上传正确的发票", "answer_explain_usage": ""},
    )
    assert response.status_code == 302
    app = Application.objects.get(pk=returned_a.pk)
    assert app.state == "formal_review" and app.due_date is None
    assert app.estimate_amount == Decimal("280000.00")
    event = app.events.get(action="resubmit")
    assert event.data["answers"] == {"invoice": "已重新上传正确的发票", "explain_usage": ""}
    assert len(event.data["files"]["explain_usage"]) == 1
    old.refresh_from_db()
    assert old.superseded_at is not None
    page = c.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "发票：已重新上传正确的发票" in page  # the answer next to the item it answers
    assert "形式审查中" in page
    actions = list(app.events.values_list("action", flat=True))
    assert actions[:1] == ["create"] and actions[-1] == "resubmit" and "request_supplement" in actions


def test_resubmit_page_shows_field_errors(client_for, owner_a, returned_a):
    response = client_for(owner_a).post(reverse("applications:resubmit", args=[returned_a.pk]), {})
    assert response.status_code == 400
    assert "请就“发票”作出说明或上传材料" in response.content.decode()
    returned_a.refresh_from_db()
    assert returned_a.state == "supplement_requested"


def test_resubmit_in_wrong_state_is_refused(owner_a, complete_a):
    with pytest.raises(ValidationError):
        application_resubmit(actor=owner_a, application=complete_a, answers={})
    complete_a.refresh_from_db()
    assert complete_a.state == "draft"


def test_no_supplement_page_without_an_open_request(client_for, owner_a, complete_a):
    response = client_for(owner_a).get(reverse("applications:resubmit", args=[complete_a.pk]))
    assert response.status_code == 302


def test_withdraw_draft_and_submitted(client_for, owner_a, complete_a):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    response = client_for(owner_a).post(reverse("applications:withdraw", args=[complete_a.pk]), {"reason": "项目取消"})
    assert response.status_code == 302
    complete_a.refresh_from_db()
    assert complete_a.state == "withdrawn"
    assert complete_a.events.get(action="withdraw").message == "项目取消"
    # Nothing more can be done with it.
    with pytest.raises(ValidationError):
        attachment_add(actor=owner_a, application=complete_a, material="contract", upload=upload("x.pdf", PDF))


def test_withdraw_with_empty_form_still_works(client_for, owner_a, draft_a):
    assert client_for(owner_a).post(reverse("applications:withdraw", args=[draft_a.pk]), {}).status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.state == "withdrawn"


def test_no_withdraw_after_decision(owner_a, reviewer, complete_a):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    application_transition(actor=reviewer, application=complete_a, transition="decline", message="不符合条件")
    with pytest.raises(ValidationError):
        application_withdraw(actor=owner_a, application=complete_a)
    complete_a.refresh_from_db()
    assert complete_a.state == "declined"


def test_reviewer_cannot_withdraw_for_the_applicant(reviewer, complete_a):
    with pytest.raises(PermissionDenied):
        application_withdraw(actor=reviewer, application=complete_a)
    complete_a.refresh_from_db()
    assert complete_a.state == "draft"


def test_withdraw_releases_a_reserved_award(owner_a, reviewer, bureau_admin, complete_a):
    from vouchers.models import Award
    from vouchers.services.budget import award_reserve, pool_set_amount

    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    application_transition(actor=reviewer, application=complete_a, transition="pass_formal_review")
    today = dt.date.today()
    pool = pool_set_amount(
        actor=bureau_admin, programme=complete_a.programme, fiscal_year=today.year, amount=Decimal("1000000")
    )
    award_reserve(
        actor=bureau_admin,
        application=complete_a,
        decided_on=today,
        parameters={},
        explanation=[],
        lines=[{"line": "", "enterprise_id": complete_a.enterprise_id, "amount": "300000"}],
        idempotency_key="t",
    )
    pool.refresh_from_db()
    assert pool.reserved == Decimal("300000")
    application_withdraw(actor=owner_a, application=complete_a, reason="不再需要")
    assert Award.objects.get(application=complete_a).status == Award.Status.RELEASED
    pool.refresh_from_db()
    assert pool.reserved == Decimal("0")


def test_resubmit_restores_the_reviewers_deadline(owner_a, reviewer, complete_a):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    review_due = dt.date.today() + dt.timedelta(days=3)
    request = supplement_request_record(
        application=complete_a,
        requested_by=reviewer,
        due_date=dt.date.today() + dt.timedelta(days=7),
        review_due_date=review_due,
        note="请补充说明。",
        items=[{"code": "note", "label": "说明", "note": ""}],
    )
    application_transition(
        actor=reviewer, application=complete_a, transition="request_supplement", data={"supplement_request": request.pk}
    )
    application_resubmit(actor=owner_a, application=complete_a, answers={"note": "已说明"})
    complete_a.refresh_from_db()
    assert complete_a.due_date == review_due


def test_decision_is_shown_to_the_applicant(client_for, owner_a, reviewer, complete_a):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    application_transition(
        actor=reviewer, application=complete_a, transition="decline", message="合同签订日期早于政策施行日期，不予支持。"
    )
    page = client_for(owner_a).get(reverse("applications:detail", args=[complete_a.pk])).content.decode()
    assert "审核结果" in page and "未获支持" in page and "合同签订日期早于政策施行日期" in page


def test_approved_amount_is_shown(client_for, owner_a, reviewer, bureau_admin, complete_a):
    from vouchers.services.budget import award_reserve, pool_set_amount

    application_submit(actor=owner_a, application=complete_a, declaration=True)
    for t in ("start_formal_review", "pass_formal_review"):
        application_transition(actor=reviewer, application=complete_a, transition=t)
    today = dt.date.today()
    pool_set_amount(
        actor=bureau_admin, programme=complete_a.programme, fiscal_year=today.year, amount=Decimal("1000000")
    )
    award_reserve(
        actor=bureau_admin,
        application=complete_a,
        decided_on=today,
        parameters={},
        explanation=[],
        lines=[{"line": "", "enterprise_id": complete_a.enterprise_id, "amount": "280000"}],
        idempotency_key="t2",
    )
    application_transition(actor=reviewer, application=complete_a, transition="approve", message="核定支持")
    page = client_for(owner_a).get(reverse("applications:detail", args=[complete_a.pk])).content.decode()
    assert "拟支持，待公示" in page and "280,000.00 元" in page


def test_an_upload_from_the_supplement_page_returns_to_it(client_for, owner_a, returned_a, private_storage):
    """Issue 17: uploading a file on the 补正 page led to the application's page, away from the answers."""
    c = client_for(owner_a)
    page = c.get(reverse("applications:resubmit", args=[returned_a.pk])).content.decode()
    assert 'name="back" value="resubmit"' in page
    url = reverse("applications:attachment_upload", args=[returned_a.pk])
    response = c.post(url, {"material": "explain_usage", "file": upload("说明.pdf", PDF), "back": "resubmit"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:resubmit", args=[returned_a.pk]) + "#materials"
    # a refused upload stays on the 补正 page too, with the reason and the answer boxes
    response = c.post(url, {"material": "explain_usage", "file": upload("空.pdf", b""), "back": "resubmit"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "逐项答复" in page and "文件未上传" in page and 'name="answer_invoice"' in page
    assert Attachment.objects.filter(application=returned_a, material="explain_usage").count() == 1
    # from the application's own page it returns there, as before; another value of back is ignored
    response = c.post(url, {"material": "other", "file": upload("附件.pdf", PDF), "back": "https://evil.example/"})
    assert response["Location"] == reverse("applications:detail", args=[returned_a.pk]) + "#materials"


def test_the_general_note_of_a_supplement_has_its_own_answer(client_for, owner_a, returned_a):
    """Issue 17: the reviewer's note on the request as a whole had no answer box of its own."""
    c = client_for(owner_a)
    page = c.get(reverse("applications:resubmit", args=[returned_a.pk])).content.decode()
    assert 'name="answer_general"' in page and "对补正总体说明的答复" in page
    Attachment.objects.filter(application=returned_a, material="invoice").update(uploaded_at=dt.datetime.now(dt.UTC))
    response = c.post(
        reverse("applications:resubmit", args=[returned_a.pk]),
        {"answer_invoice": "已重新上传", "answer_explain_usage": "用于推理", "answer_general": "已按通知全部补正"},
    )
    assert response.status_code == 302
    event = Application.objects.get(pk=returned_a.pk).events.get(action="resubmit")
    assert event.data["answers"]["general"] == "已按通知全部补正"
    page = c.get(reverse("applications:detail", args=[returned_a.pk])).content.decode()
    assert "对补正总体说明的答复：已按通知全部补正" in page and "general" not in page


def test_a_general_answer_without_a_general_note_is_refused(owner_a, complete_a, reviewer):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    application_transition(actor=reviewer, application=complete_a, transition="start_formal_review")
    due = dt.date.today() + dt.timedelta(days=7)
    request = supplement_request_record(
        application=complete_a, requested_by=reviewer, due_date=due, review_due_date=None, note="", items=ITEMS
    )
    application_transition(
        actor=reviewer,
        application=complete_a,
        transition="request_supplement",
        data={"supplement_request": request.pk},
    )
    with pytest.raises(ValidationError) as exc:
        application_resubmit(
            actor=owner_a,
            application=complete_a,
            answers={"invoice": "已说明", "explain_usage": "已说明", "general": "总体答复"},
        )
    assert "answers.general" in exc.value.message_dict
    complete_a.refresh_from_db()
    assert complete_a.state == "supplement_requested"


def test_the_error_summary_counts_every_problem_it_lists(client_for, owner_a, returned_a):
    """Issue 17 (seen on the demo's 补正 page): "请先处理以下 2 个问题" above three problems — the count
    was of the fields in error, and the missing materials are several lines of one."""
    others = Attachment.objects.filter(application=returned_a).exclude(material="invoice")
    two = list(others.values_list("pk", flat=True))
    Attachment.objects.filter(pk__in=two[:2]).delete()  # two materials missing: two lines of one error
    response = client_for(owner_a).post(reverse("applications:resubmit", args=[returned_a.pk]), {})
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), flags=re.S).group(0)
    listed = summary.count("<li>")
    assert listed >= 4 and f"请先处理以下 {listed} 个问题" in summary
