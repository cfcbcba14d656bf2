"""The standing cast's factories (factory_boy). Apps add their own in tests/<app>/factories.py."""

from __future__ import annotations

import factory
from django.utils import timezone

from applications.models import (
    District,
    EligibilityFact,
    Enterprise,
    EnterpriseMember,
    FactRecord,
    FactSource,
    Industry,
    VerificationState,
    VerifiedVia,
)
from portal.models import DISTRICT_ROLES, Role, User
from portal.uscc import ALPHABET, check_character

PASSWORD = "Str0ng-Test-Passw0rd"


def make_uscc(n: int) -> str:
    """A valid credit code: 9144010 + 6-digit district + a 9-character organisation code + check."""
    body = f"91440112{n:09d}"
    body = body[:8] + "".join(ALPHABET[int(c)] for c in body[8:17])
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    username = factory.SelfAttribute("email")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ENTERPRISE
    # 所属区域: the standing cast's bureau works on Huangpu's policies unless a test says otherwise
    district = factory.LazyAttribute(lambda o: "huangpu" if o.role in DISTRICT_ROLES else "")
    is_active = True
    email_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An enterprise verified by the bureau (实名核验), its eligibility facts too: `verified=False` makes an
    unverified one, `facts_verified=False` leaves its facts the enterprise's own statement."""

    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    class Params:
        verified = True

    name = factory.Sequence(lambda n: f"广州测试{n}号科技有限公司")
    credit_code = factory.Sequence(lambda n: make_uscc(n + 1000))
    registered_district = District.HUANGPU
    tax_district = District.HUANGPU
    stats_district = District.HUANGPU
    industry = Industry.AI
    is_above_scale = True
    contact_name = "联系人"
    contact_phone = "020-12345678"
    legal_representative = "法定代表人"
    verification_state = factory.Maybe("verified", VerificationState.VERIFIED, VerificationState.UNVERIFIED)
    verified_via = factory.Maybe("verified", VerifiedVia.BUREAU, "")
    verified_at = factory.Maybe("verified", factory.LazyFunction(timezone.now), None)

    @factory.post_generation
    def facts_verified(self, create, extracted, **kwargs):
        if create and extracted is not False and self.is_verified:
            FactRecord.objects.bulk_create(
                [
                    FactRecord(enterprise=self, fact=fact, value=self.fact_value(fact), source=FactSource.BUREAU)
                    for fact in EligibilityFact.values
                ]
            )


def member(enterprise: Enterprise, role: str = EnterpriseMember.MemberRole.OWNER, **kwargs) -> User:
    user = UserFactory(role=Role.ENTERPRISE, **kwargs)
    EnterpriseMember.objects.create(enterprise=enterprise, user=user, member_role=role)
    return user
