"""Enterprise space: register with the credit-code rules, edit the profile, invite agents, remove them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import Enterprise, EnterpriseMember, Invitation
from applications.selectors import enterprise_of
from portal.models import AuditEvent, Role
from tests.factories import UserFactory, make_uscc

pytestmark = pytest.mark.django_db

REGISTER = {
    "name": "广州丙智算科技有限公司",
    "registered_district": "huangpu",
    "tax_district": "huangpu",
    "stats_district": "huangpu",
    "industry": "ai",
    "is_above_scale": "on",
    "has_independent_accounts": "on",
    "legal_representative": "赵六",
    "contact_name": "赵六",
    "contact_phone": "020-88886666",
    "contact_email": "contact@bing.example.cn",
    "address": "广州市黄埔区科学城",
    "claimant_is_legal_representative": "on",
}


def licence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("营业执照.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def test_new_enterprise_user_is_prompted_to_register(client_for):
    user = UserFactory(role=Role.ENTERPRISE)
    response = client_for(user).get(reverse("applications:dashboard"))
    assert response.status_code == 200
    assert "登记企业信息" in response.content.decode()
    assert reverse("applications:enterprise_register") in response.content.decode()


def test_register_with_valid_code_makes_the_user_owner(client_for):
    user = UserFactory(role=Role.ENTERPRISE)
    code = make_uscc(4242)
    response = client_for(user).post(
        reverse("applications:enterprise_register"),
        {**REGISTER, "credit_code": code.lower(), "business_licence": licence()},
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.name == REGISTER["name"] and enterprise.is_above_scale
    assert EnterpriseMember.objects.get(user=user).member_role == "owner"
    assert AuditEvent.objects.filter(action="enterprise.register", target_id=str(enterprise.pk)).exists()


def test_register_with_bad_check_character_is_refused_in_chinese(client_for):
    user = UserFactory(role=Role.ENTERPRISE)
    code = make_uscc(4242)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client_for(user).post(reverse("applications:enterprise_register"), {**REGISTER, "credit_code": wrong})
    assert response.status_code == 400
    assert "校验位不正确" in response.content.decode()
    assert not Enterprise.objects.filter(credit_code=wrong).exists()
    assert not EnterpriseMember.objects.filter(user=user).exists()


def test_register_taken_code_is_refused(client_for, enterprise_a):
    user = UserFactory(role=Role.ENTERPRISE)
    response = client_for(user).post(
        reverse("applications:enterprise_register"), {**REGISTER, "credit_code": enterprise_a.credit_code}
    )
    assert response.status_code == 400
    assert "已注册" in response.content.decode()
    assert Enterprise.objects.count() == 1


def test_staff_cannot_use_enterprise_pages(client_for, reviewer):
    response = client_for(reviewer).post(
        reverse("applications:enterprise_register"), {**REGISTER, "credit_code": make_uscc(77)}
    )
    assert response.status_code == 403
    assert not Enterprise.objects.exists()


def test_member_with_enterprise_is_sent_to_it(client_for, owner_a):
    response = client_for(owner_a).get(reverse("applications:enterprise_register"))
    assert response.status_code == 302 and response["Location"] == reverse("applications:enterprise")


def test_members_see_only_their_own_enterprise(client_for, owner_a, owner_b, enterprise_a, enterprise_b):
    page = client_for(owner_b).get(reverse("applications:enterprise")).content.decode()
    assert enterprise_b.name in page
    assert enterprise_a.name not in page and enterprise_a.credit_code not in page


def test_owner_edits_profile_but_not_credit_code(client_for, owner_a, enterprise_a):
    # (the name, the legal representative and the eligibility facts of a verified enterprise change only
    # through the bureau: tests/applications/test_verification_facts.py)
    code = enterprise_a.credit_code
    data = {
        **{k: v for k, v in REGISTER.items() if k in ("contact_name", "contact_phone", "contact_email", "address")},
        **{
            f: getattr(enterprise_a, f)
            for f in (
                "name",
                "legal_representative",
                "registered_district",
                "tax_district",
                "stats_district",
                "industry",
            )
        },
        "is_above_scale": "on",
        "has_independent_accounts": "on",
        "credit_code": make_uscc(999),
    }
    response = client_for(owner_a).post(reverse("applications:enterprise_edit"), data)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.contact_name == REGISTER["contact_name"] and enterprise_a.address == REGISTER["address"]
    assert enterprise_a.credit_code == code
    assert "credit_code" not in client_for(owner_a).get(reverse("applications:enterprise_edit")).content.decode()


def test_agent_cannot_edit_profile(client_for, agent_a, enterprise_a):
    before = enterprise_a.name
    assert client_for(agent_a).get(reverse("applications:enterprise_edit")).status_code == 403
    response = client_for(agent_a).post(reverse("applications:enterprise_edit"), {**REGISTER, "name": "篡改"})
    assert response.status_code == 403
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == before


def _invite(client, email="colleague@example.cn"):
    return client.post(reverse("applications:enterprise_invite"), {"email": email})


def _token_from_mail() -> str:
    return re.search(r"/enterprise/join/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_owner_invites_agent_who_registers_and_accepts(
    client_for, owner_a, enterprise_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_for(owner_a))
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["colleague@example.cn"]
    token = _token_from_mail()
    invitation = Invitation.objects.get()
    assert invitation.token_hash != token and len(invitation.token_hash) == 64  # only the hash is stored

    # Anonymous: asked to sign in with the invited address, nothing joined.
    page = client_for().get(reverse("applications:invitation_accept", args=[token]))
    assert page.status_code == 200 and "colleague@example.cn" in page.content.decode()

    colleague = UserFactory(role=Role.ENTERPRISE, email="Colleague@example.cn")
    response = client_for(colleague).post(reverse("applications:invitation_accept", args=[token]))
    assert response.status_code == 302
    assert enterprise_of(colleague) == enterprise_a
    assert colleague.membership.member_role == "agent"
    # The link works once.
    other = UserFactory(role=Role.ENTERPRISE, email="colleague2@example.cn")
    assert client_for(other).post(reverse("applications:invitation_accept", args=[token])).status_code == 400
    assert enterprise_of(other) is None


def test_invitation_for_another_address_is_refused(client_for, owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(owner_a))
    token = _token_from_mail()
    stranger = UserFactory(role=Role.ENTERPRISE, email="stranger@example.cn")
    response = client_for(stranger).post(reverse("applications:invitation_accept", args=[token]))
    assert response.status_code == 400
    assert "colleague@example.cn" in response.content.decode()
    assert enterprise_of(stranger) is None
    assert Invitation.objects.get().accepted_at is None


def test_member_of_another_enterprise_cannot_accept(
    client_for, owner_a, owner_b, enterprise_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(owner_a), email=owner_b.email)
    token = _token_from_mail()
    assert client_for(owner_b).post(reverse("applications:invitation_accept", args=[token])).status_code == 400
    assert enterprise_of(owner_b) == enterprise_b


def test_revoked_invitation_no_longer_works(client_for, owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(owner_a))
    token = _token_from_mail()
    invitation = Invitation.objects.get()
    client_for(owner_a).post(reverse("applications:invitation_revoke", args=[invitation.pk]))
    colleague = UserFactory(role=Role.ENTERPRISE, email="colleague@example.cn")
    assert client_for(colleague).get(reverse("applications:invitation_accept", args=[token])).status_code == 404
    assert client_for(colleague).post(reverse("applications:invitation_accept", args=[token])).status_code == 400
    assert enterprise_of(colleague) is None


def test_agent_cannot_invite(client_for, agent_a):
    response = _invite(client_for(agent_a))
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invalid_email_gets_field_message(client_for, owner_a):
    response = _invite(client_for(owner_a), email="not-an-email")
    assert response.status_code == 400
    assert "有效的电子邮箱" in response.content.decode()
    assert not Invitation.objects.exists()


def test_owner_removes_agent(client_for, owner_a, agent_a):
    response = client_for(owner_a).post(reverse("applications:member_remove", args=[agent_a.membership.pk]))
    assert response.status_code == 302
    assert not EnterpriseMember.objects.filter(user=agent_a).exists()
    assert AuditEvent.objects.filter(action="enterprise.member_remove").exists()


def test_agent_cannot_remove_anyone(client_for, owner_a, agent_a):
    response = client_for(agent_a).post(reverse("applications:member_remove", args=[owner_a.membership.pk]))
    assert response.status_code == 403
    assert EnterpriseMember.objects.filter(user=owner_a).exists()


def test_owner_cannot_remove_self_or_other_enterprises_agents(client_for, owner_a, owner_b, enterprise_a):
    from tests.factories import member

    agent_b = member(owner_b.membership.enterprise, EnterpriseMember.MemberRole.AGENT)
    client_for(owner_a).post(reverse("applications:member_remove", args=[owner_a.membership.pk]))
    client_for(owner_a).post(reverse("applications:member_remove", args=[agent_b.membership.pk]))
    assert EnterpriseMember.objects.filter(user=owner_a).exists()
    assert EnterpriseMember.objects.filter(user=agent_b).exists()


def test_owner_b_cannot_revoke_a_invitation(client_for, owner_a, owner_b, django_capture_on_commit_callbacks):
    _invite(client_for(owner_a))
    invitation = Invitation.objects.get()
    client_for(owner_b).post(reverse("applications:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
