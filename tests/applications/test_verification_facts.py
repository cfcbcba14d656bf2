"""Eligibility facts are not the owner's to change at will: a change on the profile page or through
PATCH /api/v1/enterprises/{id}/ is a request with evidence the bureau verifies (accepted: applied,
verified by the bureau; refused: nothing changes); department data imported by `facts_import` sets
facts as verified with its source and date; the estimate and the decision page say which facts are
verified and which are the enterprise's own statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from applications.models import Enterprise, FactChangeRequest, FactImport, FactSource
from applications.verification_facts import fact_change_accept, fact_change_refuse, facts_import
from portal.models import AuditEvent, Notification
from tests.factories import EnterpriseFactory, make_uscc, member
from tests.reviews.conftest import clock  # noqa: F401 - the reviews' clock (2026-03-10), a fixture here

from .conftest import PDF, stored_files, upload

pytestmark = pytest.mark.django_db


def profile(enterprise, **changes) -> dict:
    data = {
        f: getattr(enterprise, f)
        for f in (
            "name",
            "legal_representative",
            "registered_district",
            "tax_district",
            "stats_district",
            "industry",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
        )
    }
    data.update(
        {f: "on" for f in ("is_above_scale", "is_startup", "has_independent_accounts") if getattr(enterprise, f)}
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_the_profile_page_sends_a_fact_change_to_the_bureau(
    client_for, owner_a, enterprise_a, reviewer, private_storage, django_capture_on_commit_callbacks
):
    client = client_for(owner_a)
    url = reverse("applications:enterprise_edit")
    # without evidence: refused, and nothing else of the form applied either
    response = client.post(url, profile(enterprise_a, is_above_scale=False, contact_name="新联系人"))
    assert response.status_code == 400 and "证明材料" in response.content.decode()
    enterprise_a.refresh_from_db()
    assert enterprise_a.is_above_scale and enterprise_a.contact_name != "新联系人"
    assert not FactChangeRequest.objects.exists() and stored_files(private_storage) == []
    # with evidence: the contact applies, the fact waits for the bureau
    response = client.post(
        url,
        profile(
            enterprise_a,
            is_above_scale=False,
            industry="software_it",
            contact_name="新联系人",
            change_note="已退出规上统计。",
            evidence=upload("统计部门证明.pdf", PDF),
        ),
    )
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.is_above_scale and enterprise_a.industry == "ai" and enterprise_a.contact_name == "新联系人"
    change = FactChangeRequest.objects.get()
    assert change.changes == {"is_above_scale": False, "industry": "software_it"} and change.state == "pending"
    assert change.before == {"is_above_scale": True, "industry": "ai"}
    assert change.documents.get().kind == "evidence"
    assert "正由主管部门核验" in client.get(reverse("applications:enterprise")).content.decode()
    # the bureau sees it in the queue and accepts
    assert enterprise_a.name in client_for(reviewer).get(reverse("applications:verification_queue")).content.decode()
    page = client_for(reviewer).get(reverse("applications:verification_fact_change", args=[change.pk]))
    assert "规模以上企业" in page.content.decode() and "软件和信息技术服务业" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(
            reverse("applications:verification_fact_change", args=[change.pk]), {"decision": "accept"}
        )
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert not enterprise_a.is_above_scale and enterprise_a.industry == "software_it"
    record = enterprise_a.fact_records.get(fact="is_above_scale")
    assert record.source == FactSource.BUREAU and record.fact_change == change and record.value == "False"
    assert enterprise_a.verified_facts()["is_above_scale"] == "主管部门核验"
    event = AuditEvent.objects.get(action="enterprise.fact_change_accept")
    assert event.before == {"is_above_scale": True, "industry": "ai"} and event.actor == reviewer
    assert Notification.objects.filter(recipient=owner_a, subject__contains="已核验通过").exists()


def test_an_owner_cannot_make_the_enterprise_above_scale_through_the_api(api_for, owner_a, enterprise_a, reviewer):
    Enterprise.objects.filter(pk=enterprise_a.pk).update(is_above_scale=False)
    enterprise_a.fact_records.filter(fact="is_above_scale").update(value="False")
    url = f"/api/v1/enterprises/{enterprise_a.pk}/"
    response = api_for(owner_a).patch(url, {"is_above_scale": True, "contact_phone": "020-1"}, format="json")
    assert response.status_code == 400 and "证明材料" in response.json()["evidence"][0]
    enterprise_a.refresh_from_db()
    assert not enterprise_a.is_above_scale and enterprise_a.contact_phone != "020-1"
    response = api_for(owner_a).patch(
        url, {"is_above_scale": True, "evidence": [upload("规上证明.pdf", PDF)]}, format="multipart"
    )
    assert response.status_code == 202 and "主管部门核验" in response.json()["message"]
    assert response.json()["is_above_scale"] is False
    assert response.json()["pending_fact_change"]["changes"] == {"is_above_scale": True}
    change = FactChangeRequest.objects.get()
    response = api_for(owner_a).post(f"/api/v1/fact-changes/{change.pk}/accept/")
    assert response.status_code == 403
    response = api_for(reviewer).post(
        f"/api/v1/fact-changes/{change.pk}/refuse/", {"reason": "证明材料不是统计部门出具的。"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "refused"
    enterprise_a.refresh_from_db()
    assert not enterprise_a.is_above_scale


def test_a_new_request_replaces_the_pending_one_and_refusing_needs_a_reason(owner_a, enterprise_a, reviewer):
    from applications.membership import enterprise_update

    first = enterprise_update(
        actor=owner_a, enterprise=enterprise_a, is_startup=True, evidence=[upload("a.pdf", PDF)]
    ).fact_change
    second = enterprise_update(
        actor=owner_a, enterprise=enterprise_a, is_startup=True, tax_district="tianhe", evidence=[upload("b.pdf", PDF)]
    ).fact_change
    first.refresh_from_db()
    assert first.state == "withdrawn" and second.state == "pending"
    with pytest.raises(Exception, match="原因"):
        fact_change_refuse(actor=reviewer, request=second, reason=" ")
    fact_change_refuse(actor=reviewer, request=second, reason="不符合")
    with pytest.raises(Exception, match="已处理"):
        fact_change_accept(actor=reviewer, request=second)
    enterprise_a.refresh_from_db()
    assert not enterprise_a.is_startup and enterprise_a.tax_district == "huangpu"


def test_the_name_of_a_verified_enterprise_changes_through_the_bureau(api_for, owner_a, enterprise_a):
    response = api_for(owner_a).patch(
        f"/api/v1/enterprises/{enterprise_a.pk}/", {"name": "华为技术有限公司"}, format="json"
    )
    assert response.status_code == 400
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "广州甲智能科技有限公司"


def test_an_agent_cannot_request_a_change(api_for, agent_a, enterprise_a):
    response = api_for(agent_a).patch(
        f"/api/v1/enterprises/{enterprise_a.pk}/",
        {"is_above_scale": False, "evidence": [upload("a.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 403 and not FactChangeRequest.objects.exists()


# ---------------------------------------------------------------- department data


def test_a_directory_of_above_scale_enterprises_sets_the_fact_as_verified(tmp_path):
    listed = EnterpriseFactory(is_above_scale=False, facts_verified=False)
    csv_file = tmp_path / "规上企业名录.csv"
    csv_file.write_text(
        f"序号,统一社会信用代码,企业名称\n1,{listed.credit_code.lower()},甲\n2,{make_uscc(8001)},未登记\n",
        encoding="utf-8-sig",
    )
    call_command(
        "facts_import",
        str(csv_file),
        "--source",
        "广州市统计局规上企业名录",
        "--date",
        "2026-03-31",
        "--set",
        "is_above_scale=是",
    )
    listed.refresh_from_db()
    batch = FactImport.objects.get()
    assert listed.is_above_scale and (batch.rows, batch.applied, batch.unknown) == (2, 1, 1)
    assert listed.verified_facts() == {"is_above_scale": "部门数据导入：广州市统计局规上企业名录（2026-03-31）"}
    record = listed.fact_records.get()
    assert record.source == FactSource.IMPORT and record.fact_import == batch
    assert AuditEvent.objects.get(action="enterprise.facts_import").after["is_above_scale"] is True


def test_an_xlsx_with_fact_columns_and_a_bad_row_imports_nothing(tmp_path):
    from openpyxl import Workbook

    one, two = EnterpriseFactory(facts_verified=False), EnterpriseFactory(facts_verified=False)
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "注册地", "税收关系所在地", "统计关系所在地", "所属行业"])
    sheet.append([one.credit_code, "天河区", "天河区", "天河区", "人工智能"])
    sheet.append([two.credit_code, "海珠区", "天河区", "天河区", "人工智能"])
    path = tmp_path / "部门数据.xlsx"
    book.save(path)
    with pytest.raises(CommandError, match="第3行"):
        call_command("facts_import", str(path), "--source", "区统计局", "--date", "2026-04-01")
    one.refresh_from_db()
    assert one.registered_district == "huangpu" and not FactImport.objects.exists()
    sheet.delete_rows(3)
    book.save(path)
    call_command("facts_import", str(path), "--source", "区统计局", "--date", "2026-04-01")
    one.refresh_from_db()
    assert one.in_district("tianhe")
    assert set(one.verified_facts()) == {"registered_district", "tax_district", "stats_district", "industry"}


# ---------------------------------------------------------------- the estimate and the decision page


def test_the_estimate_says_which_facts_are_verified(client_for, compute, owner_a, enterprise_a):
    from applications.services import application_create

    from .conftest import DRAFT_DATA

    app = application_create(actor=owner_a, programme=compute, data=DRAFT_DATA).application
    facts = app.estimate["facts"]
    assert facts == [
        {
            "fact": "district",
            "label": "注册地、纳税地、统计地",
            "value": "黄埔区",
            "verified": True,
            "source": "主管部门核验",
        }
    ]
    enterprise_a.fact_records.filter(fact="tax_district").delete()  # one of the three only stated
    from applications.services import application_save_draft

    app = application_save_draft(actor=owner_a, application=app, data={"title": "改名"}).application
    assert app.estimate["facts"][0]["verified"] is False and app.estimate["facts"][0]["source"].startswith("企业自报")
    page = client_for(owner_a).get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "所依据的企业认定事实" in page and "企业自报（未经核验）" in page


@pytest.mark.usefixtures("clock")
def test_the_decision_page_says_which_facts_are_verified(client_for, catalogue, reviewer_th):
    reviewer = reviewer_th  # a Tianhe programme: Tianhe's bureau decides it
    from applications.workflow import State
    from tests.reviews.conftest import assign_to, make_app, make_pool

    # 招商引资奖励(纳入规上): Tianhe, above-scale, a fixed amount
    programme = next(
        p for p in catalogue.values() if (p.spec or {}).get("requires_above_scale") and p.formula == "fixed"
    )
    tianhe = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}
    enterprise = EnterpriseFactory(**tianhe)
    enterprise.fact_records.filter(fact="is_above_scale").delete()
    member(enterprise)
    make_pool(programme, 2026)
    inputs = {m["name"]: True for m in programme.inputs if m["type"] == "bool"}
    app = make_app(enterprise, programme, state=State.BUREAU_REVIEW, inputs=inputs)
    assign_to(app, reviewer)
    page = client_for(reviewer).get(reverse("reviews:decision", args=[app.pk])).content.decode()
    assert "所依据的企业认定事实" in page
    assert '规模以上企业：是 — <span class="missing">企业自报（未经核验）</span>' in page
    assert "注册地、纳税地、统计地：天河区 — <strong>已核验</strong>（主管部门核验）" in page


@pytest.mark.django_db
def test_a_file_with_many_bad_rows_lists_fifty_and_says_how_many_more():
    with pytest.raises(ValidationError) as exc:
        facts_import(
            rows=[{"credit_code": ""} for _ in range(60)],
            source="区统计局",
            source_date=dt.date(2026, 4, 1),
            file_name="x.csv",
            sha256="0" * 64,
        )
    assert len(exc.value.messages) == 51 and exc.value.messages[-1] == "另有 10 处错误未列出。"
    assert not FactImport.objects.exists()
