"""统一身份认证 for enterprises: an enterprise identity the provider asserts (统一社会信用代码, 企业名称,
法定代表人) counts as verified (applications.identity → applications.verification), through the same
real provider and the portal's pages as tests/portal/test_oidc.py."""

from __future__ import annotations

import pytest
from django.test import Client

from applications.models import Enterprise, EnterpriseMember, VerifiedVia
from portal.models import AuditEvent, ExternalIdentity, User
from tests.factories import make_uscc

from .oidc_flow import PEOPLE, sign_in_with_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def asserting(oidc):
    """Makes the provider assert an enterprise for the person "enterprise"; puts the claims back after."""

    def assert_enterprise(**claims):
        oidc.set_claims("enterprise", {**PEOPLE["enterprise"], **claims})

    yield assert_enterprise
    oidc.set_claims("enterprise", PEOPLE["enterprise"])


def landing(client: Client, response) -> str:
    assert response.status_code == 302, response
    return client.get(response["Location"], follow=True).content.decode()


def test_an_asserted_enterprise_is_created_verified_with_the_person_as_its_owner(client, asserting):
    code = make_uscc(7101)
    asserting(uscc=code, enterprise_name="广州丙人工智能有限公司", legal_representative="赵六")
    page = landing(client, sign_in_with_provider(client, "enterprise"))
    user = User.objects.get(pk=client.session["_auth_user_id"])
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.is_verified and enterprise.verified_via == VerifiedVia.IDENTITY_PROVIDER
    assert enterprise.name == "广州丙人工智能有限公司" and enterprise.legal_representative == "赵六"
    assert "粤商通" in enterprise.verification_note
    membership = EnterpriseMember.objects.get(user=user)
    assert membership.enterprise == enterprise and membership.member_role == EnterpriseMember.MemberRole.OWNER
    assert "企业身份已核验" in page
    assert AuditEvent.objects.filter(action="enterprise.identity_asserted", target_id=str(enterprise.pk)).exists()

    # the next sign-in asserts the same: nothing changes, nothing doubles
    client.post("/accounts/logout/")
    sign_in_with_provider(client, "enterprise")
    assert Enterprise.objects.filter(credit_code=code).count() == 1 and EnterpriseMember.objects.count() == 1
    assert AuditEvent.objects.filter(action="enterprise.identity_asserted").count() == 1


def test_a_code_another_owner_holds_is_not_taken(client, asserting, enterprise_a, owner_a):
    asserting(uscc=enterprise_a.credit_code, enterprise_name=enterprise_a.name, legal_representative="冒名者")
    page = landing(client, sign_in_with_provider(client, "enterprise"))
    user = User.objects.get(pk=client.session["_auth_user_id"])  # the person is signed in …
    assert not EnterpriseMember.objects.filter(user=user).exists()  # … but not into A
    assert list(enterprise_a.members.values_list("user_id", flat=True)) == [owner_a.pk]
    assert "邀请" in page  # told to ask A's administrator for an invitation, or to contest the claim


def test_an_invalid_code_links_nothing_and_says_why(client, asserting):
    asserting(uscc="91440101MA59ABCD1Z", enterprise_name="广州丁科技有限公司")
    enterprises = Enterprise.objects.count()
    page = landing(client, sign_in_with_provider(client, "enterprise"))
    assert client.session.get("_auth_user_id")
    assert Enterprise.objects.count() == enterprises and not EnterpriseMember.objects.exists()
    assert "企业身份未能关联" in page


def test_a_person_without_an_enterprise_claim_links_no_enterprise(client, oidc):
    sign_in_with_provider(client, "zhang")
    assert ExternalIdentity.objects.count() == 1 and not EnterpriseMember.objects.exists()
