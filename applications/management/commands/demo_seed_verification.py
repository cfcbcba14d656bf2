"""Demo data of 实名核验 (run by demo_seed; idempotent): the demo enterprises A and B verified by the
bureau with their eligibility facts, enterprise C registered by its claimant and waiting in the
bureau's verification queue, and B's request to change a fact waiting beside it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applications.membership import enterprise_update
from applications.models import (
    District,
    EligibilityFact,
    Enterprise,
    EnterpriseMember,
    FactChangeRequest,
    FactRecord,
    FactSource,
    Industry,
    VerificationState,
    VerifiedVia,
)
from applications.services import enterprise_register
from portal.models import User
from portal.uscc import check_character

VERIFIED = ("91440101MA5CKGXK1H", "91440106MA9Y8K2R3L")  # A and B of demo_seed (check character fixed there)
CLAIMANT = "claimant-c@demo.cn"
C_CODE = "91440106MA9Y8K2C0"  # 天河区; the check character is computed
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _fixed(code: str) -> str:
    return code[:17] + check_character(code[:17])


class Command(BaseCommand):
    help = "Demo data of enterprise verification: A and B verified, C waiting in the queue, a fact change waiting."

    def handle(self, *args, **options):
        with transaction.atomic():
            for enterprise in Enterprise.objects.filter(credit_code__in=[_fixed(c) for c in VERIFIED]):
                self._verified(enterprise)
            self._claim_waiting()
            self._fact_change_waiting()

    @staticmethod
    def _verified(enterprise: Enterprise) -> None:
        if not enterprise.is_verified:
            enterprise.verification_state, enterprise.verified_via = VerificationState.VERIFIED, VerifiedVia.BUREAU
            enterprise.verified_at = timezone.now()
            enterprise.save(update_fields=["verification_state", "verified_via", "verified_at", "updated_at"])
        for fact in EligibilityFact.values:
            FactRecord.objects.get_or_create(
                enterprise=enterprise,
                fact=fact,
                defaults={"value": enterprise.fact_value(fact), "source": FactSource.BUREAU},
            )

    @staticmethod
    def _claim_waiting() -> None:
        claimant = User.objects.filter(email=CLAIMANT).first()
        if claimant is None or EnterpriseMember.objects.filter(user=claimant).exists():
            return
        enterprise_register(
            actor=claimant,
            credit_code=_fixed(C_CODE),
            name="广州丙新创智能科技有限公司",
            registered_district=District.TIANHE,
            tax_district=District.TIANHE,
            stats_district=District.TIANHE,
            industry=Industry.AI,
            is_startup=True,
            legal_representative="陈丙",
            contact_name="陈丙",
            contact_phone="020-38000003",
            contact_email=CLAIMANT,
            address="广州市天河区软件路3号",
            claimant_is_legal_representative=True,
            business_licence=_pdf("营业执照.pdf"),
        )

    @staticmethod
    def _fact_change_waiting() -> None:
        b = Enterprise.objects.filter(credit_code=_fixed(VERIFIED[1])).first()
        owner = b.members.filter(member_role=EnterpriseMember.MemberRole.OWNER).first() if b else None
        if owner is None or FactChangeRequest.objects.filter(enterprise=b).exists() or b.industry == Industry.AI:
            return
        enterprise_update(
            actor=owner.user,
            enterprise=b,
            industry=Industry.AI,
            change_note="主营业务已调整为大模型应用开发，营业执照经营范围已变更。",
            evidence=[_pdf("经营范围变更登记通知书.pdf")],
        )
