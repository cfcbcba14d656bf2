"""The journey under /api/v1/: enterprises, applications, attachments, submit, withdraw, resubmit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Attachment, Enterprise
from applications.services import application_create, application_transition, supplement_request_record
from portal.models import Role
from tests.factories import UserFactory, make_uscc

from .conftest import DRAFT_DATA, OFD, PDF, upload

pytestmark = pytest.mark.django_db

ENTERPRISE = {
    "name": "广州丁模型科技有限公司",
    "registered_district": "huangpu",
    "tax_district": "huangpu",
    "stats_district": "huangpu",
    "industry": "ai",
    "contact_name": "钱七",
    "contact_phone": "13800138000",
    "legal_representative": "钱七",
    "claimant_is_legal_representative": True,
}


def licence():
    return upload("营业执照.pdf", PDF)


def test_register_enterprise_and_read_it_back(api_for):
    user = UserFactory(role=Role.ENTERPRISE)
    c = api_for(user)
    assert c.get("/api/v1/enterprises/").json()["count"] == 0
    code = make_uscc(31337)
    response = c.post(
        "/api/v1/enterprises/", {**ENTERPRISE, "credit_code": code, "business_licence": licence()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["credit_code"] == code and response.json()["member_role"] == "owner"
    assert response.json()["verification_state"] == "unverified"  # until the bureau verifies the licence
    listing = c.get("/api/v1/enterprises/").json()
    assert [e["credit_code"] for e in listing["results"]] == [code]


def test_register_errors_are_field_messages_in_chinese(api_for, enterprise_a):
    user = UserFactory(role=Role.ENTERPRISE)
    response = api_for(user).post("/api/v1/enterprises/", {**ENTERPRISE, "credit_code": "123"}, format="json")
    assert response.status_code == 400
    assert "18位" in response.json()["credit_code"][0]
    response = api_for(user).post(
        "/api/v1/enterprises/", {**ENTERPRISE, "credit_code": enterprise_a.credit_code}, format="json"
    )
    assert response.status_code == 400 and "已注册" in response.json()["credit_code"][0]
    response = api_for(user).post("/api/v1/enterprises/", {"credit_code": make_uscc(5)}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert Enterprise.objects.count() == 1


def test_owner_patches_profile_but_not_credit_code(api_for, owner_a, enterprise_a):
    c = api_for(owner_a)
    url = f"/api/v1/enterprises/{enterprise_a.pk}/"
    assert c.patch(url, {"contact_phone": "020-11112222"}, format="json").status_code == 200
    response = c.patch(url, {"credit_code": make_uscc(8)}, format="json")
    assert response.status_code == 400 and "不能修改" in response.json()["credit_code"][0]
    enterprise_a.refresh_from_db()
    assert enterprise_a.contact_phone == "020-11112222" and enterprise_a.credit_code != make_uscc(8)


def test_journey_through_the_api(api_for, owner_a, reviewer, compute, django_capture_on_commit_callbacks):
    c = api_for(owner_a)
    response = c.post(
        "/api/v1/applications/",
        {
            "programme": compute.code,
            "title": "API 申报",
            "contract_numbers": ["HT-API-1"],
            "invoice_numbers": ["26442000000099999999"],
            "inputs": {"eligible_cost": "120000.50"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["reference"].startswith("GZAI-") and body["state"] == "draft" and body["state_label"] == "草稿"
    assert body["estimate_amount"] == "120000.50" and body["contract_numbers"] == ["HT-API-1"]

    # Draft updates are partial.
    response = c.patch(f"/api/v1/applications/{pk}/", {"description": "说明"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "API 申报"

    # Files, one of them OFD.
    for m in compute.materials:
        content, name = (OFD, "发票.ofd") if m["code"] == "invoice" else (PDF, f"{m['code']}.pdf")
        response = c.post(
            f"/api/v1/applications/{pk}/attachments/",
            {"material": m["code"], "file": upload(name, content)},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
    files = c.get(f"/api/v1/applications/{pk}/attachments/").json()
    assert len(files) == len(compute.materials)
    invoice = next(f for f in files if f["material"] == "invoice")
    assert invoice["content_type"] == "application/ofd"
    download = c.get(invoice["download_url"])
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")

    # Submit needs the declaration; a second submit (a retry) says it is submitted and changes nothing.
    response = c.post(f"/api/v1/applications/{pk}/submit/", {"declaration": False}, format="json")
    assert response.status_code == 400 and "承诺" in response.json()["declaration"][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(f"/api/v1/applications/{pk}/submit/", {"declaration": True}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = c.post(f"/api/v1/applications/{pk}/submit/", {"declaration": True}, format="json")
    assert response.status_code == 200 and "已提交" in response.json()["message"]
    assert response.json()["state"] == "submitted"
    assert c.patch(f"/api/v1/applications/{pk}/", {"title": "改"}, format="json").status_code == 400

    # Supplement request, answered through the API.
    app = Application.objects.get(pk=pk)
    application_transition(actor=reviewer, application=app, transition="start_formal_review")
    request = supplement_request_record(
        application=app,
        requested_by=reviewer,
        due_date=dt.date.today() + dt.timedelta(days=5),
        review_due_date=None,
        note="请补正。",
        items=[{"code": "usage_statement", "label": "算力使用明细", "note": "请加盖服务商公章"}],
    )
    application_transition(
        actor=reviewer, application=app, transition="request_supplement", data={"supplement_request": request.pk}
    )
    detail = c.get(f"/api/v1/applications/{pk}/").json()
    assert detail["state"] == "supplement_requested"
    assert detail["supplement_request"]["items"][0]["label"] == "算力使用明细"
    assert [e["action"] for e in detail["timeline"]][-1] == "request_supplement"
    response = c.post(f"/api/v1/applications/{pk}/resubmit/", {"answers": {}}, format="json")
    assert response.status_code == 400 and "answers.usage_statement" in response.json()
    response = c.post(
        f"/api/v1/applications/{pk}/resubmit/", {"answers": {"usage_statement": "已补盖章件"}}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "formal_review"

    response = c.post(f"/api/v1/applications/{pk}/withdraw/", {"reason": "测试撤回"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


def test_create_errors_are_per_field(api_for, owner_a, compute):
    c = api_for(owner_a)
    response = c.post("/api/v1/applications/", {"programme": "nope"}, format="json")
    assert response.status_code == 400 and "programme" in response.json()
    response = c.post(
        "/api/v1/applications/",
        {"programme": compute.code, "inputs": {"eligible_cost": "-1"}, "invoice_numbers": ["发票!"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["inputs.eligible_cost"] == ["“智能算力服务成本”不能为负数"]
    assert "发票号码" in response.json()["invoice_numbers"][0]
    assert not Application.objects.exists()


def test_upload_refused_by_content_over_the_api(api_for, owner_a, draft_a, private_storage):
    response = api_for(owner_a).post(
        f"/api/v1/applications/{draft_a.pk}/attachments/",
        {"material": "contract", "file": upload("x.pdf", b"MZ\x90\x00" * 50)},
        format="multipart",
    )
    assert response.status_code == 400 and "PDF" in response.json()["file"][0]
    assert not Attachment.objects.exists() and not any(private_storage.rglob("*.*"))


def test_list_filters_and_constant_queries(api_for, owner_a, compute, catalogue):
    other = catalogue["hp-data-trading"]
    for i in range(3):
        application_create(actor=owner_a, programme=compute, data={**DRAFT_DATA, "contract_numbers": f"C-{i}"})
    application_create(actor=owner_a, programme=other, data={"title": "数据交易"})
    c = api_for(owner_a)
    # keyset pages (no total): the rows of the page
    assert len(c.get("/api/v1/applications/", {"programme": other.code}).json()["results"]) == 1
    assert len(c.get("/api/v1/applications/", {"state": "draft"}).json()["results"]) == 4
    assert c.get("/api/v1/applications/", {"state": "submitted"}).json()["results"] == []
    assert c.get("/api/v1/applications/", {"state": "nonsense"}).status_code == 400

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/v1/applications/").status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for i in range(10):
        application_create(actor=owner_a, programme=compute, data={**DRAFT_DATA, "contract_numbers": f"D-{i}"})
    assert count_queries() == few


def test_schema_documents_the_endpoints(api_for, owner_a):
    response = api_for(owner_a).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/enterprises/",
        "/api/v1/applications/",
        "/api/v1/applications/{id}/attachments/",
        "/api/v1/applications/{id}/submit/",
        "/api/v1/applications/{id}/withdraw/",
        "/api/v1/applications/{id}/resubmit/",
    ):
        assert path in text
    assert "multipart/form-data" in text


def test_framework_messages_are_in_chinese_too(api_for, owner_a, draft_a):
    response = api_for(owner_a).post(f"/api/v1/applications/{draft_a.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["declaration"] == ["该字段是必填项。"]
    response = api_for(owner_a).post(
        f"/api/v1/applications/{draft_a.pk}/attachments/", {"material": "contract"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["file"] == ["请选择要上传的文件。"]
