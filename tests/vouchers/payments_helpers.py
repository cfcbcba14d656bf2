"""Helpers shared by the payment tests (no tests here): committed awards of direct-subsidy programmes
with their schedules, a verified account, a second administrator, a batch taken to approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Role
from tests.cast import PDF
from tests.factories import UserFactory
from vouchers.models import Award
from vouchers.services.accounts import account_submit, account_verify, luhn_valid
from vouchers.services.budget import award_commit, pool_set_amount
from vouchers.services.payments import award_schedules_create, batch_approve, batch_prepare

from .test_budget_helpers import make_app, reserve

D = Decimal
CORPORATE = "44050112345678901234"  # a 20-digit corporate account (no check digit)
LUMP = "hp-model-genai-filing"  # paid in one sum
STAGED = "hp-transformation-center"  # 分阶段拨付


def luhn_complete(body: str) -> str:
    """body + the Luhn check digit."""
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError(body)


def pdf(name: str = "验收报告.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    """An upload (a small valid PDF unless `content` says otherwise)."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def today() -> dt.date:
    return timezone.localdate()


def committed_award(
    programme, enterprise, owner, amount, *, tranches=None, number="穗开经信批字〔2026〕1号", actor=None
) -> Award:
    """A committed award on the programme's pool of this year, its schedule made as at finalisation."""
    if actor is not None:
        pool_set_amount(actor=actor, programme=programme, fiscal_year=today().year, amount=D("9000000"))
    app = make_app(programme, enterprise, owner, state="approved")
    [award] = reserve(app, amount, on=today())
    award = award_commit(actor=None, award=award)
    award_schedules_create(actor=None, awards=[award], tranches=tranches, document_number=number)
    award.refresh_from_db()
    return award


def verified_account(enterprise, user, admin, number: str = CORPORATE):
    account = account_submit(
        actor=user,
        enterprise=enterprise,
        account_name=enterprise.name,
        bank_name="中国工商银行",
        branch_name="广州开发区支行",
        account_number=number,
    )
    return account_verify(actor=admin, account=account)


@pytest.fixture
def second_admin(db):
    return UserFactory(role=Role.BUREAU_ADMIN, email="admin2@example.cn", is_staff=True)


@pytest.fixture
def lump(catalogue):
    return catalogue[LUMP]


@pytest.fixture
def staged(catalogue):
    return catalogue[STAGED]


@pytest.fixture
def award_a(lump, enterprise_a, owner_a, bureau_admin):
    return committed_award(lump, enterprise_a, owner_a, "800000", actor=bureau_admin)


@pytest.fixture
def account_a(enterprise_a, owner_a, bureau_admin):
    return verified_account(enterprise_a, owner_a, bureau_admin)


def approved_batch(award, admin, approver, account=None):
    """A batch of the award's due tranches, prepared by `admin`, approved by `approver`."""
    ids = list(award.tranches.filter(status="due").values_list("pk", flat=True))
    batch = batch_prepare(actor=admin, tranche_ids=ids)
    return batch_approve(actor=approver, batch=batch)
