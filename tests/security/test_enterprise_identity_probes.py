"""Issue 12, 实名核验 — the probes as a new user tried them:

- "anyone can register Huawei's credit code under any name and become its 法人": a claim now needs the
  business licence; the claimant of a code is the owner of an *unverified* enterprise that cannot
  submit; a second claimant of the same code is told to ask for an invitation or contest; the bureau
  sees that the code's division (深圳) is not the claimed district, and may transfer the owner role.
- "an owner PATCHes is_above_scale": the fact does not change; a request with evidence goes to the
  bureau, which alone makes it true (verified by the bureau).

Each test failed before the change (the first two registered the code and patched the fact)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Enterprise, EnterpriseMember
from portal.models import AuditEvent, Role
from tests.factories import EnterpriseFactory, UserFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

HUAWEI = "91440300708461136T"  # 华为技术有限公司, as printed on its licence (division 440300 深圳市)
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ANY_NAME = {
    "name": "随便写的科技有限公司",
    "registered_district": "huangpu",
    "tax_district": "huangpu",
    "stats_district": "huangpu",
    "industry": "ai",
    "legal_representative": "任意人",
    "contact_name": "任意人",
    "contact_phone": "13800000000",
}


def licence() -> SimpleUploadedFile:
    return SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")


def test_huaweis_code_under_any_name_without_the_licence_is_refused(api_for):
    squatter = UserFactory(role=Role.ENTERPRISE)
    response = api_for(squatter).post("/api/v1/enterprises/", {**ANY_NAME, "credit_code": HUAWEI}, format="json")
    assert response.status_code == 400
    assert "营业执照" in response.json()["business_licence"][0]
    assert not Enterprise.objects.exists() and not EnterpriseMember.objects.exists()


def test_a_claim_with_a_licence_makes_no_verified_owner_and_the_rightful_claimant_can_contest(api_for):
    squatter = UserFactory(role=Role.ENTERPRISE)
    response = api_for(squatter).post(
        "/api/v1/enterprises/",
        {**ANY_NAME, "credit_code": HUAWEI, "claimant_is_legal_representative": True, "business_licence": licence()},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["verification_state"] == "unverified"  # not a verified 法人 of anything
    enterprise = Enterprise.objects.get(credit_code=HUAWEI)
    # the rightful claimant is not silently refused: told to ask for an invitation, or to contest
    rightful = UserFactory(role=Role.ENTERPRISE)
    response = api_for(rightful).post(
        "/api/v1/enterprises/",
        {
            **ANY_NAME,
            "name": "华为技术有限公司",
            "credit_code": HUAWEI,
            "claimant_is_legal_representative": True,
            "business_licence": licence(),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "邀请" in response.json()["credit_code"][0] and "争议认领" in response.json()["credit_code"][0]
    response = api_for(rightful).post(
        "/api/v1/enterprise-claims/",
        {
            "credit_code": HUAWEI,
            "name": "华为技术有限公司",
            "legal_representative": "赵明路",
            "registered_district": "other",
            "statement": "本公司代码被他人以其他名称登记。",
            "claimant_is_legal_representative": False,
            "business_licence": licence(),
            "authorization": licence(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    contested = response.json()["id"]
    # the bureau sees both claims, each with the division check: 深圳 is not the claimed Huangpu
    bureau = UserFactory(role=Role.BUREAU_ADMIN)
    queue = api_for(bureau).get("/api/v1/enterprise-claims/?state=pending").json()["results"]
    assert {c["kind"] for c in queue} == {"registration", "contested"}
    first = next(c for c in queue if c["kind"] == "registration")
    assert "440300" in first["division"]["warning"] and "不在广州市" in first["division"]["warning"]
    response = api_for(bureau).post(
        f"/api/v1/enterprise-claims/{first['id']}/refuse/", {"reason": "营业执照与所报企业名称不符。"}, format="json"
    )
    assert response.status_code == 200
    response = api_for(bureau).post(f"/api/v1/enterprise-claims/{contested}/accept/", {}, format="json")
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.is_verified and enterprise.name == "华为技术有限公司"
    assert enterprise.members.get(member_role="owner").user == rightful
    assert not EnterpriseMember.objects.filter(user=squatter).exists()
    assert AuditEvent.objects.filter(action="enterprise.claim_accept", actor=bureau).exists()


def test_an_owner_patching_is_above_scale_changes_nothing_until_the_bureau_verifies(api_for):
    enterprise = EnterpriseFactory(is_above_scale=False)
    owner = member(enterprise)
    url = f"/api/v1/enterprises/{enterprise.pk}/"
    response = api_for(owner).patch(url, {"is_above_scale": True}, format="json")
    assert response.status_code == 400
    enterprise.refresh_from_db()
    assert enterprise.is_above_scale is False
    response = api_for(owner).patch(
        url, {"is_above_scale": True, "evidence": [SimpleUploadedFile("证明.pdf", PDF)]}, format="multipart"
    )
    assert response.status_code == 202
    enterprise.refresh_from_db()
    assert enterprise.is_above_scale is False  # a request, not a change
    change = response.json()["pending_fact_change"]["id"]
    reviewer = UserFactory(role=Role.REVIEWER)
    assert api_for(reviewer).post(f"/api/v1/fact-changes/{change}/accept/").status_code == 200
    enterprise.refresh_from_db()
    facts = {f["fact"]: f for f in api_for(owner).get(url).json()["facts"]}
    assert enterprise.is_above_scale is True and facts["is_above_scale"]["source"] == "bureau"
