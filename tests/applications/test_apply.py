"""Apply: a draft per programme with a reference, saved as typed (autosave and every step),
validated field by field with the calculator's messages, the estimate stored, claims normalised."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import Application, ProjectClaim
from applications.services import application_create, application_save_draft
from portal.models import AuditEvent

from .conftest import DRAFT_DATA

pytestmark = pytest.mark.django_db


def test_create_page_opens_a_draft_with_reference_and_carried_estimate_inputs(client_for, owner_a, compute):
    url = reverse("applications:create", args=[compute.code])
    page = client_for(owner_a).get(url + "?eligible_cost=250000")
    assert page.status_code == 200 and "算力券" in page.content.decode()
    assert Application.objects.count() == 0  # a GET opens nothing
    response = client_for(owner_a).post(url, {"in_eligible_cost": "250000"})
    app = Application.objects.get()
    assert response["Location"] == reverse("applications:edit", args=[app.pk])
    assert re.fullmatch(r"GZAI-\d{4}-\d{6}", app.reference)
    assert (app.state, app.enterprise, app.created_by) == ("draft", owner_a.membership.enterprise, owner_a)
    assert app.inputs == {"eligible_cost": "250000.00"}
    assert app.estimate_amount == Decimal("250000.00")


def test_references_are_sequential_and_unique(compute, owner_a, agent_a):
    refs = [application_create(actor=u, programme=compute).application.reference for u in (owner_a, agent_a, owner_a)]
    assert len(set(refs)) == 3
    serials = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert serials == sorted(serials) and serials[1] == serials[0] + 1


def test_unknown_programme_is_404(client_for, owner_a, catalogue):
    assert client_for(owner_a).get(reverse("applications:create", args=["no-such"])).status_code == 404


def test_user_without_enterprise_cannot_create(client_for, compute):
    from tests.factories import UserFactory

    lone = UserFactory()
    response = client_for(lone).post(reverse("applications:create", args=[compute.code]))
    assert response.status_code == 302 and response["Location"] == reverse("applications:enterprise_register")
    assert not Application.objects.exists()
    with pytest.raises(PermissionDenied):
        application_create(actor=lone, programme=compute)


def test_form_is_built_from_the_programme_inputs(client_for, owner_a, catalogue, compute):
    app = application_create(actor=owner_a, programme=catalogue["th-software-matching"]).application
    page = client_for(owner_a).get(reverse("applications:edit", args=[app.pk])).content.decode()
    assert 'name="in_superior_funding"' in page and 'name="in_level"' in page
    for choice in catalogue["th-software-matching"].inputs[1]["choices"]:
        assert f'value="{choice["value"]}"' in page
    assert "data-autosave" in page


def test_autosave_keeps_what_was_typed_and_reports_field_errors(client_for, owner_a, draft_a):
    url = reverse("applications:autosave", args=[draft_a.pk])
    response = client_for(owner_a).post(
        url, {"title": "改名后的项目", "in_eligible_cost": "十二万", "invoice_numbers": "发票#1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["errors"]["in_eligible_cost"] == "“智能算力服务成本”须为数字"
    assert "发票号码" in body["errors"]["invoice_numbers"]
    draft_a.refresh_from_db()
    assert draft_a.title == "改名后的项目"
    assert draft_a.draft_data["inputs"]["eligible_cost"] == "十二万"  # nothing typed is lost
    assert draft_a.draft_data["invoice_numbers"] == "发票#1"
    assert "eligible_cost" not in draft_a.inputs and draft_a.estimate_amount is None
    # The earlier valid invoice claim stays until a valid list replaces it.
    assert list(draft_a.claims.filter(kind="invoice").values_list("value", flat=True)) == ["26442000000012345678"]
    # The form shows the text as typed when the applicant comes back.
    page = client_for(owner_a).get(reverse("applications:edit", args=[draft_a.pk])).content.decode()
    assert 'value="十二万"' in page


def test_autosave_computes_the_estimate(client_for, owner_a, draft_a):
    body = (
        client_for(owner_a)
        .post(reverse("applications:autosave", args=[draft_a.pk]), {"in_eligible_cost": "1,200,000"})
        .json()
    )
    assert body["errors"] == {}
    assert body["estimate_amount"] == "500000.00"  # the per-enterprise cap binds
    assert body["estimate"]["capped_by"] == "cap_per_enterprise_period"
    assert all(isinstance(v, str) for v in body["estimate"]["parameters"].values())
    draft_a.refresh_from_db()
    assert draft_a.estimate_amount == Decimal("500000.00")
    assert draft_a.inputs == {"eligible_cost": "1200000.00"}


def test_autosave_of_part_of_the_form_blanks_nothing(client_for, owner_a, draft_a):
    client_for(owner_a).post(reverse("applications:autosave", args=[draft_a.pk]), {"description": "只改简介"})
    draft_a.refresh_from_db()
    assert draft_a.title == DRAFT_DATA["title"] and draft_a.inputs == {"eligible_cost": "300000.00"}
    assert draft_a.claims.count() == 2


def test_claims_are_normalised_and_deduplicated(owner_a, draft_a):
    application_save_draft(
        actor=owner_a,
        application=draft_a,
        data={
            "contract_numbers": "ht 2026－001\nHT-2026-001，ＨＴ-2026-002;",
            "project_key": " gz-llm 01 ",
            "invoice_numbers": "26442000000012345678\n 26442000000012345679 ",
        },
    )
    claims = set(ProjectClaim.objects.filter(application=draft_a).values_list("kind", "value"))
    assert claims == {
        ("contract", "HT2026-001"),
        ("contract", "HT-2026-001"),
        ("contract", "HT-2026-002"),
        ("invoice", "26442000000012345678"),
        ("invoice", "26442000000012345679"),
        ("project", "GZ-LLM01"),
    }


def test_saving_a_step_redirects_onward_and_is_audited(client_for, owner_a, draft_a):
    response = client_for(owner_a).post(
        reverse("applications:edit", args=[draft_a.pk]),
        {"title": "新的项目名称", "in_eligible_cost": "200000", "next_step": "submit"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("applications:submit", args=[draft_a.pk])
    draft_a.refresh_from_db()
    assert draft_a.title == "新的项目名称" and draft_a.estimate_amount == Decimal("200000.00")
    assert AuditEvent.objects.filter(action="application.save_draft", target_id=str(draft_a.pk)).exists()


def test_saving_a_step_with_errors_keeps_text_and_shows_messages(client_for, owner_a, draft_a):
    response = client_for(owner_a).post(
        reverse("applications:edit", args=[draft_a.pk]), {"title": "x" * 201, "in_eligible_cost": "-5"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不能为负数" in page and "最多 200 个字符" in page
    draft_a.refresh_from_db()
    assert draft_a.title == DRAFT_DATA["title"] and draft_a.draft_data["title"] == "x" * 201


def test_strict_save_refuses_everything_on_one_bad_field(owner_a, draft_a):
    with pytest.raises(ValidationError) as exc:
        application_save_draft(
            actor=owner_a,
            application=draft_a,
            strict=True,
            data={"title": "好名字", "inputs": {"eligible_cost": "abc", "nonsense": "1"}},
        )
    assert set(exc.value.message_dict) == {"inputs.eligible_cost", "inputs.nonsense"}
    draft_a.refresh_from_db()
    assert draft_a.title == DRAFT_DATA["title"]


def test_choice_bool_and_uscc_inputs_use_the_calculator_rules(owner_a, catalogue):
    app = application_create(actor=owner_a, programme=catalogue["th-scenario-demo"]).application
    saved = application_save_draft(
        actor=owner_a,
        application=app,
        data={
            "inputs": {
                "contract_paid": "1000000",
                "supplier_uscc": "91440101MA5XXXXXX",
                "buyer_uscc": owner_a.membership.enterprise.credit_code.lower(),
            }
        },
    )
    assert "inputs.supplier_uscc" in saved.errors
    assert app.__class__.objects.get(pk=app.pk).inputs["buyer_uscc"] == owner_a.membership.enterprise.credit_code


def test_drafts_of_closed_policy_cannot_be_created(owner_a, compute):
    import datetime as dt

    compute.policy.valid_to = dt.date(2020, 1, 1)
    compute.policy.save()
    with pytest.raises(ValidationError):
        application_create(actor=owner_a, programme=compute)
    assert not Application.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_references(catalogue, owner_a, agent_a):
    import threading

    from django.db import connection

    programme = catalogue["hp-compute-voucher"]
    refs: list[str] = []
    barrier = threading.Barrier(6)

    def create(user):
        try:
            barrier.wait()
            refs.append(application_create(actor=user, programme=programme).application.reference)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(u,)) for u in [owner_a, agent_a] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(refs) == 6 and len(set(refs)) == 6
