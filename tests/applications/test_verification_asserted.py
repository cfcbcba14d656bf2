"""An enterprise identity asserted by an identity provider (the OIDC login) counts as verified:
applications.verification.enterprise_claim_asserted, its contract case by case."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.models import Enterprise, EnterpriseClaim, EnterpriseMember, VerificationState, VerifiedVia
from applications.verification_asserted import enterprise_claim_asserted
from portal.models import AuditEvent, Role
from tests.factories import EnterpriseFactory, UserFactory, make_uscc, member

pytestmark = pytest.mark.django_db


def test_a_new_code_creates_a_verified_enterprise_with_the_user_as_owner():
    user = UserFactory(role=Role.ENTERPRISE)
    code = make_uscc(5001)
    done = enterprise_claim_asserted(
        user=user,
        credit_code=f" {code.lower()} ",
        name="广州己智能科技有限公司",
        legal_representative="周九",
        source="粤商通",
    )
    assert done.created and done.message == ""
    enterprise = Enterprise.objects.get(credit_code=code)
    assert done.enterprise == enterprise and done.membership.user == user
    assert done.membership.member_role == EnterpriseMember.MemberRole.OWNER
    assert enterprise.is_verified and enterprise.verified_via == VerifiedVia.IDENTITY_PROVIDER
    assert "粤商通" in enterprise.verification_note
    assert enterprise.registered_district == "huangpu"  # the code's division 440112, as a statement
    assert enterprise.verified_facts() == {}  # facts stay the enterprise's own statement
    assert AuditEvent.objects.filter(action="enterprise.identity_asserted", target_id=str(enterprise.pk)).count() == 1
    # the same assertion again changes nothing
    again = enterprise_claim_asserted(
        user=user, credit_code=code, name="广州己智能科技有限公司", legal_representative="周九", source="粤商通"
    )
    assert again.membership == done.membership and not again.created
    assert AuditEvent.objects.filter(action="enterprise.identity_asserted").count() == 1


def test_the_owner_of_an_unverified_enterprise_is_verified_and_its_claim_answered():
    enterprise = EnterpriseFactory(verified=False)
    owner = member(enterprise)
    claim = EnterpriseClaim.objects.create(
        enterprise=enterprise, claimant=owner, kind="registration", name=enterprise.name, legal_representative="旧名"
    )
    done = enterprise_claim_asserted(
        user=owner,
        credit_code=enterprise.credit_code,
        name="广州更名科技有限公司",
        legal_representative="吴十",
        source="粤商通",
    )
    enterprise.refresh_from_db()
    claim.refresh_from_db()
    assert done.membership.member_role == "owner" and enterprise.is_verified
    assert enterprise.name == "广州更名科技有限公司" and enterprise.legal_representative == "吴十"
    assert claim.state == EnterpriseClaim.State.WITHDRAWN


def test_an_agent_stays_an_agent():
    enterprise = EnterpriseFactory()
    agent = member(enterprise, EnterpriseMember.MemberRole.AGENT)
    done = enterprise_claim_asserted(
        user=agent, credit_code=enterprise.credit_code, name=enterprise.name, legal_representative="x", source="粤商通"
    )
    assert done.membership.member_role == "agent"


def test_an_enterprise_entered_by_the_bureau_gets_the_user_as_owner():
    enterprise = EnterpriseFactory()  # no members
    user = UserFactory(role=Role.ENTERPRISE)
    done = enterprise_claim_asserted(
        user=user, credit_code=enterprise.credit_code, name=enterprise.name, legal_representative="x", source="粤商通"
    )
    assert done.membership.member_role == "owner" and done.membership.enterprise == enterprise


@pytest.mark.parametrize("verified", [True, False])
def test_a_code_someone_else_owns_is_not_linked_and_the_user_is_told_what_to_do(verified):
    enterprise = EnterpriseFactory(verified=verified)
    owner = member(enterprise)
    user = UserFactory(role=Role.ENTERPRISE)
    done = enterprise_claim_asserted(
        user=user, credit_code=enterprise.credit_code, name="冒名公司", legal_representative="x", source="粤商通"
    )
    assert done.membership is None and "邀请" in done.message and "争议认领" in done.message
    assert not EnterpriseMember.objects.filter(user=user).exists()
    enterprise.refresh_from_db()
    assert enterprise.name != "冒名公司" and enterprise.members.get().user == owner
    assert enterprise.verification_state == (VerificationState.VERIFIED if verified else VerificationState.UNVERIFIED)


def test_a_member_of_another_enterprise_and_staff_are_refused():
    mine = EnterpriseFactory()
    user = member(mine)
    with pytest.raises(ValidationError):
        enterprise_claim_asserted(
            user=user, credit_code=make_uscc(5002), name="另一家", legal_representative="x", source="粤商通"
        )
    with pytest.raises(PermissionDenied):
        enterprise_claim_asserted(
            user=UserFactory(role=Role.REVIEWER),
            credit_code=make_uscc(5003),
            name="x",
            legal_representative="x",
            source="粤商通",
        )
    with pytest.raises(ValidationError) as error:
        enterprise_claim_asserted(
            user=UserFactory(role=Role.ENTERPRISE),
            credit_code="91440112MA5CKGXK10",
            name="x",
            legal_representative="x",
            source="粤商通",
        )
    assert "credit_code" in error.value.message_dict
    assert Enterprise.objects.count() == 1
