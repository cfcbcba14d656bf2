"""实名核验: claiming an enterprise with the business licence (and the power of attorney), the bureau's
queue (accept / refuse with a reason, audited, the claimant notified), an unverified enterprise that
drafts and estimates but cannot submit, a new claim after a refusal, and contested claims on a code
someone else registered (the owner role transferred when the bureau accepts)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import (
    Application,
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    FactSource,
    VerificationDocument,
    VerificationState,
)
from applications.services import application_create, enterprise_register
from applications.verification import claim_accept, claim_contest, claim_refuse
from applications.workflow import State
from portal.models import AuditEvent, Notification, Role
from tests.factories import EnterpriseFactory, UserFactory, make_uscc, member

from .conftest import DRAFT_DATA, EXE, PDF, attach_all, stored_files, upload

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "广州庚智能科技有限公司",
    "registered_district": "tianhe",
    "tax_district": "tianhe",
    "stats_district": "tianhe",
    "industry": "ai",
    "legal_representative": "郑庚",
    "contact_name": "郑庚",
    "contact_phone": "020-38001234",
}


def tianhe_code(n: int) -> str:
    from portal.uscc import ALPHABET, check_character

    body = f"91440106{n:09d}"
    body = body[:8] + "".join(ALPHABET[int(c)] for c in body[8:17])
    return body + check_character(body)


def register(user, code=None, **extra):
    extra.setdefault("claimant_is_legal_representative", True)
    return enterprise_register(
        actor=user, credit_code=code or tianhe_code(1), business_licence=upload("执照.pdf", PDF), **{**PROFILE, **extra}
    )


def page_register(client, code, **files):
    return client.post(reverse("applications:enterprise_register"), {**PROFILE, "credit_code": code, **files})


# ---------------------------------------------------------------- claiming at registration


def test_the_page_needs_the_licence_and_the_power_of_attorney_of_a_non_representative(client_for, private_storage):
    user = UserFactory(role=Role.ENTERPRISE)
    client = client_for(user)
    response = page_register(client, tianhe_code(2))
    page = response.content.decode()
    assert response.status_code == 400 and "请上传营业执照" in page and "授权委托书" in page
    response = page_register(client, tianhe_code(2), business_licence=upload("执照.pdf", PDF))
    assert response.status_code == 400 and "认领人不是法定代表人" in response.content.decode()
    response = page_register(
        client, tianhe_code(2), business_licence=upload("执照.exe", EXE), claimant_is_legal_representative="on"
    )
    assert response.status_code == 400 and "按文件内容识别" in response.content.decode()
    assert not Enterprise.objects.exists() and not EnterpriseMember.objects.exists()
    assert not VerificationDocument.objects.exists() and stored_files(private_storage) == []
    response = page_register(
        client, tianhe_code(2), business_licence=upload("执照.pdf", PDF), authorization=upload("委托书.pdf", PDF)
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.verification_state == VerificationState.UNVERIFIED
    claim = enterprise.claims.get()
    assert claim.kind == "registration" and claim.state == "pending" and claim.claimant == user
    assert not claim.claimant_is_legal_representative and claim.legal_representative == "郑庚"
    assert sorted(claim.documents.values_list("kind", flat=True)) == ["authorization", "business_licence"]
    assert AuditEvent.objects.filter(action="enterprise.claim_registration", target_id=str(enterprise.pk)).exists()
    # the owner sees where the verification stands
    page = client.get(reverse("applications:enterprise")).content.decode()
    assert "实名核验：待核验" in page and "正由主管部门核验" in page


def test_an_unverified_enterprise_drafts_and_estimates_but_cannot_submit(client_for, api_for, compute):
    user = UserFactory(role=Role.ENTERPRISE)
    register(
        user, code=make_uscc(7001), registered_district="huangpu", tax_district="huangpu", stats_district="huangpu"
    )
    app = application_create(actor=user, programme=compute, data=DRAFT_DATA).application
    attach_all(app, user)
    app.refresh_from_db()
    assert app.estimate_amount is not None  # estimated
    before = (app.state, app.submitted_at, app.declared_at, AuditEvent.objects.exclude(action="auth.login").count())
    response = client_for(user).post(reverse("applications:submit", args=[app.pk]), {"declaration": "on"})
    page = response.content.decode()
    assert response.status_code == 400 and "尚未通过实名核验" in page
    assert reverse("applications:enterprise_verification") in page  # what to do
    response = api_for(user).post(f"/api/v1/applications/{app.pk}/submit/", {"declaration": True}, format="json")
    assert response.status_code == 400 and "实名核验" in response.json()["enterprise"][0]
    app.refresh_from_db()
    assert (
        app.state,
        app.submitted_at,
        app.declared_at,
        AuditEvent.objects.exclude(action="auth.login").count(),
    ) == before
    # the page before submitting says why
    assert "尚未通过实名核验" in client_for(user).get(reverse("applications:submit", args=[app.pk])).content.decode()
    # verified, the same draft goes in
    claim_accept(actor=UserFactory(role=Role.REVIEWER), claim=EnterpriseClaim.objects.get())
    response = client_for(user).post(reverse("applications:submit", args=[app.pk]), {"declaration": "on"})
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED


# ---------------------------------------------------------------- the bureau's queue


def test_the_queue_shows_the_claim_with_the_division_check_and_accepting_verifies(
    client_for, reviewer_th, django_capture_on_commit_callbacks
):
    reviewer = reviewer_th  # the claims are Tianhe enterprises': Tianhe's bureau verifies them
    user = UserFactory(role=Role.ENTERPRISE)
    enterprise = register(user, code=make_uscc(7002))  # a Huangpu code (440112) claimed as Tianhe
    claim = enterprise.claims.get()
    queue = client_for(reviewer).get(reverse("applications:verification_queue")).content.decode()
    assert enterprise.name in queue and reverse("applications:verification_claim", args=[claim.pk]) in queue
    page = client_for(reviewer).get(reverse("applications:verification_claim", args=[claim.pk])).content.decode()
    assert "440112 属于黄埔区" in page and "天河区" in page  # the division against the claimed district
    doc = claim.documents.get()
    assert reverse("applications:verification_document", args=[doc.pk]) in page
    download = client_for(reviewer).get(reverse("applications:verification_document", args=[doc.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(
            reverse("applications:verification_claim", args=[claim.pk]),
            {"decision": "accept", "facts_verified": ["registered_district"], "reason": ""},
        )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    claim.refresh_from_db()
    assert enterprise.is_verified and enterprise.verified_via == "bureau" and claim.state == "accepted"
    assert claim.decided_by == reviewer
    assert enterprise.verified_facts() == {"registered_district": "主管部门核验"}
    record = enterprise.fact_records.get(fact="registered_district")
    assert record.source == FactSource.BUREAU and record.recorded_by == reviewer
    assert AuditEvent.objects.filter(action="enterprise.claim_accept", target_id=str(enterprise.pk)).exists()
    note = Notification.objects.get(recipient=user)
    assert "实名核验已通过" in note.subject


def test_refusing_needs_a_reason_then_the_owner_uploads_again(
    client_for, reviewer_th, private_storage, django_capture_on_commit_callbacks
):
    reviewer = reviewer_th  # the claims are Tianhe enterprises': Tianhe's bureau verifies them
    user = UserFactory(role=Role.ENTERPRISE)
    enterprise = register(user, claimant_is_legal_representative=True)
    claim = enterprise.claims.get()
    url = reverse("applications:verification_claim", args=[claim.pk])
    response = client_for(reviewer).post(url, {"decision": "refuse", "reason": " "})
    assert response.status_code == 400 and "请填写不通过的原因" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "pending" and not AuditEvent.objects.filter(action="enterprise.claim_refuse").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(reviewer).post(url, {"decision": "refuse", "reason": "营业执照照片不清晰"})
    enterprise.refresh_from_db()
    assert enterprise.verification_state == VerificationState.REFUSED
    assert "营业执照照片不清晰" in Notification.objects.get(recipient=user).body
    assert AuditEvent.objects.get(action="enterprise.claim_refuse").note == "营业执照照片不清晰"
    # a decided claim is not decided again
    response = client_for(reviewer).post(url, {"decision": "accept"})
    assert response.status_code == 400 and "已处理" in response.content.decode()
    # the owner is told why and uploads again
    client = client_for(user)
    page = client.get(reverse("applications:enterprise_verification")).content.decode()
    assert "营业执照照片不清晰" in page and "提交核验" in page
    response = client.post(
        reverse("applications:enterprise_verification"),
        {
            "legal_representative": "郑庚",
            "claimant_is_legal_representative": "on",
            "business_licence": upload("清晰执照.pdf", PDF),
        },
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.verification_state == VerificationState.UNVERIFIED
    assert enterprise.claims.filter(state="pending").count() == 1
    # once pending, not twice
    response = client.post(
        reverse("applications:enterprise_verification"),
        {
            "legal_representative": "郑庚",
            "claimant_is_legal_representative": "on",
            "business_licence": upload("again.pdf", PDF),
        },
    )
    assert response.status_code == 400 and enterprise.claims.count() == 2


def test_an_agent_cannot_claim_again_and_staff_decide_through_the_api(api_for, reviewer_th, bureau_admin_th):
    reviewer = reviewer_th  # the claims are Tianhe enterprises': Tianhe's bureau verifies them
    bureau_admin = bureau_admin_th  # the claims are Tianhe enterprises': Tianhe's bureau verifies them
    user = UserFactory(role=Role.ENTERPRISE)
    enterprise = register(user, claimant_is_legal_representative=True)
    agent = member(enterprise, EnterpriseMember.MemberRole.AGENT)
    claim = enterprise.claims.get()
    response = api_for(agent).post(
        f"/api/v1/enterprises/{enterprise.pk}/verification/",
        {
            "legal_representative": "郑庚",
            "claimant_is_legal_representative": True,
            "business_licence": upload("x.pdf", PDF),
        },
        format="multipart",
    )
    assert response.status_code == 403 and enterprise.claims.count() == 1
    # the claimant sees their claim; the agent does not; the division check is for staff only
    assert api_for(user).get(f"/api/v1/enterprise-claims/{claim.pk}/").json()["division"] is None
    assert api_for(agent).get(f"/api/v1/enterprise-claims/{claim.pk}/").status_code == 404
    listing = api_for(reviewer).get("/api/v1/enterprise-claims/?state=pending").json()
    assert [c["id"] for c in listing["results"]] == [claim.pk]
    response = api_for(reviewer).post(f"/api/v1/enterprise-claims/{claim.pk}/refuse/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "原因" in response.json()["reason"][0]
    response = api_for(user).post(f"/api/v1/enterprise-claims/{claim.pk}/accept/", {}, format="json")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == "pending"
    response = api_for(bureau_admin).post(
        f"/api/v1/enterprise-claims/{claim.pk}/accept/",
        {"facts_verified": ["registered_district", "industry"]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    data = api_for(user).get(f"/api/v1/enterprises/{enterprise.pk}/").json()
    assert data["verification_state"] == "verified"
    facts = {f["fact"]: f for f in data["facts"]}
    assert facts["industry"]["verified"] and facts["industry"]["source"] == "bureau"
    assert not facts["is_above_scale"]["verified"] and facts["is_above_scale"]["source"] == "declared"


def test_documents_are_for_staff_and_their_uploader_only(client_for, api_for, owner_b, reviewer_th):
    reviewer = reviewer_th  # the claims are Tianhe enterprises': Tianhe's bureau verifies them
    user = UserFactory(role=Role.ENTERPRISE)
    doc = register(user, claimant_is_legal_representative=True).claims.get().documents.get()
    assert client_for(user).get(reverse("applications:verification_document", args=[doc.pk])).status_code == 200
    assert client_for(owner_b).get(reverse("applications:verification_document", args=[doc.pk])).status_code == 404
    assert api_for(owner_b).get(f"/api/v1/verification-documents/{doc.pk}/").status_code == 404
    assert api_for(reviewer).get(f"/api/v1/verification-documents/{doc.pk}/").status_code == 200


# ---------------------------------------------------------------- a code someone else registered


def test_a_second_claimant_is_told_to_ask_for_an_invitation_or_contest(client_for, api_for, owner_a, enterprise_a):
    user = UserFactory(role=Role.ENTERPRISE)
    response = page_register(
        client_for(user),
        enterprise_a.credit_code,
        business_licence=upload("x.pdf", PDF),
        claimant_is_legal_representative="on",
    )
    page = response.content.decode()
    assert response.status_code == 400 and "邀请您作为经办人加入" in page and "争议认领" in page
    assert reverse("applications:enterprise_contest") in page
    response = api_for(user).post(
        "/api/v1/enterprises/",
        {
            **PROFILE,
            "credit_code": enterprise_a.credit_code,
            "business_licence": upload("x.pdf", PDF),
            "claimant_is_legal_representative": True,
        },
        format="multipart",
    )
    assert response.status_code == 400 and "邀请" in response.json()["credit_code"][0]
    assert Enterprise.objects.count() == 1 and not EnterpriseMember.objects.filter(user=user).exists()


def test_a_contested_claim_accepted_transfers_the_owner_role(
    client_for, reviewer, owner_a, agent_a, enterprise_a, django_capture_on_commit_callbacks
):
    rightful = UserFactory(role=Role.ENTERPRISE)
    client = client_for(rightful)
    url = reverse("applications:enterprise_contest")
    assert enterprise_a.credit_code in client.get(f"{url}?code={enterprise_a.credit_code}").content.decode()
    response = client.post(
        url,
        {
            "credit_code": enterprise_a.credit_code,
            "name": "广州甲智能科技有限公司",
            "legal_representative": "甲法人",
            "registered_district": "tianhe",
            "statement": "",
            "claimant_is_legal_representative": "on",
            "business_licence": upload("执照.pdf", PDF),
        },
    )
    assert response.status_code == 400 and "请填写认领说明" in response.content.decode()
    assert not EnterpriseClaim.objects.exists()
    response = client.post(
        url,
        {
            "credit_code": enterprise_a.credit_code,
            "name": "广州甲智能科技有限公司",
            "legal_representative": "甲法人",
            "registered_district": "tianhe",
            "statement": "本企业代码被他人冒用登记。",
            "claimant_is_legal_representative": "on",
            "business_licence": upload("执照.pdf", PDF),
            "evidence": upload("说明.pdf", PDF),
        },
    )
    assert response.status_code == 302
    claim = EnterpriseClaim.objects.get()
    assert claim.kind == "contested" and claim.enterprise == enterprise_a
    assert "争议认领" in client.get(url).content.decode()
    # the enterprise's members see nothing of it; the bureau sees the division against the claimed district
    assert client_for(owner_a).get(reverse("applications:verification_claim", args=[claim.pk])).status_code == 403
    page = client_for(reviewer).get(reverse("applications:verification_claim", args=[claim.pk])).content.decode()
    assert "440112 属于黄埔区" in page and owner_a.email in page
    with django_capture_on_commit_callbacks(execute=True):
        claim_accept(actor=reviewer, claim=claim)
    enterprise_a.refresh_from_db()
    assert enterprise_a.members.get(member_role="owner").user == rightful
    assert not EnterpriseMember.objects.filter(user=owner_a).exists()  # the former owner's link ends
    assert EnterpriseMember.objects.get(user=agent_a).member_role == "agent"  # for the new owner to decide
    assert enterprise_a.legal_representative == "甲法人" and enterprise_a.is_verified
    event = AuditEvent.objects.get(action="enterprise.claim_accept")
    assert event.after["former_owners"] == [owner_a.pk] and event.after["owner"] == rightful.pk
    assert Notification.objects.filter(recipient=owner_a, subject__contains="负责人已变更").exists()
    assert Notification.objects.filter(recipient=rightful, subject__contains="已通过").exists()


def test_a_refused_contested_claim_changes_nothing_of_the_enterprise(reviewer, owner_a, enterprise_a):
    rightful = UserFactory(role=Role.ENTERPRISE)
    claim = claim_contest(
        actor=rightful,
        credit_code=enterprise_a.credit_code,
        name="冒名",
        legal_representative="x",
        registered_district="huangpu",
        claimant_is_legal_representative=True,
        statement="是我的",
        business_licence=upload("x.pdf", PDF),
    )
    before = Enterprise.objects.filter(pk=enterprise_a.pk).values().get()
    claim_refuse(actor=reviewer, claim=claim, reason="营业执照与现登记一致，认领人无授权。")
    assert Enterprise.objects.filter(pk=enterprise_a.pk).values().get() == before
    assert enterprise_a.members.get().user == owner_a


@pytest.mark.parametrize("who", ["member", "staff", "unknown_code"])
def test_contested_claims_refused_change_nothing(who, owner_b, reviewer, enterprise_a):
    actor = {"member": owner_b, "staff": reviewer}.get(who) or UserFactory(role=Role.ENTERPRISE)
    code = make_uscc(7777) if who == "unknown_code" else enterprise_a.credit_code
    with pytest.raises(Exception) as error:
        claim_contest(
            actor=actor,
            credit_code=code,
            name="x",
            legal_representative="x",
            registered_district="huangpu",
            claimant_is_legal_representative=True,
            statement="x",
            business_licence=upload("x.pdf", PDF),
        )
    assert ("尚未登记" in str(error.value)) if who == "unknown_code" else True
    assert not EnterpriseClaim.objects.exists() and not VerificationDocument.objects.exists()


def test_staff_register_for_the_bureau_verified_and_need_no_licence(bureau_admin):
    enterprise = enterprise_register(actor=bureau_admin, credit_code=tianhe_code(9), **PROFILE)
    assert enterprise.is_verified and not enterprise.members.exists() and not enterprise.claims.exists()


def test_the_unverified_owner_edits_facts_directly_as_statements(client_for):
    user = UserFactory(role=Role.ENTERPRISE)
    enterprise = register(user, claimant_is_legal_representative=True)
    done_url = reverse("applications:enterprise_edit")
    response = client_for(user).post(
        done_url, {**PROFILE, "name": "广州庚智能（更正）科技有限公司", "is_above_scale": "on"}
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.is_above_scale and enterprise.name == "广州庚智能（更正）科技有限公司"
    assert enterprise.verified_facts() == {} and not enterprise.fact_changes.exists()


def test_the_verifier_predicate_refuses_experts_and_enterprises(expert, owner_a):
    other = EnterpriseFactory(verified=False)
    claim = EnterpriseClaim.objects.create(
        enterprise=other, claimant=owner_a, kind="registration", name="x", legal_representative="x"
    )
    for actor in (expert, owner_a):
        with pytest.raises(Exception):
            claim_accept(actor=actor, claim=claim)
    claim.refresh_from_db()
    assert claim.state == "pending"


# ---------------------------------------------------------------- 实名核验 (enterprise verification)


def test_a_bureau_verifies_only_the_enterprises_of_its_district(client_for, reviewer, reviewer_th):
    """A claim on a Tianhe-registered enterprise is in Tianhe's queue, not Huangpu's; Huangpu's reviewer
    can neither open it nor decide it, and nothing changes."""
    from django.core.exceptions import PermissionDenied

    enterprise = enterprise_register(
        actor=UserFactory(role=Role.ENTERPRISE),
        credit_code=tianhe_code(41),
        business_licence=upload("执照.pdf", PDF),
        claimant_is_legal_representative=True,
        **PROFILE,
    )
    claim = enterprise.claims.get()
    queue = reverse("applications:verification_queue")
    assert enterprise.name in client_for(reviewer_th).get(queue).content.decode()
    assert enterprise.name not in client_for(reviewer).get(queue).content.decode()
    page = reverse("applications:verification_claim", args=[claim.pk])
    assert client_for(reviewer).get(page).status_code == 404
    assert client_for(reviewer).post(page, {"decision": "accept", "reason": ""}).status_code == 404
    with pytest.raises(PermissionDenied):
        claim_accept(actor=reviewer, claim=claim)
    claim.refresh_from_db()
    enterprise.refresh_from_db()
    assert claim.state == EnterpriseClaim.State.PENDING and not enterprise.is_verified
    assert not AuditEvent.objects.filter(action="enterprise.claim_accept").exists()
