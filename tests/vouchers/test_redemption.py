"""Vouchers: issue on final approval, redemption by catalogue providers against invoices, the
enterprise's confirmation or dispute, expiry releasing the unredeemed balance to the pool."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications.models import ProjectClaim
from portal.models import AuditEvent, Notification
from tests.factories import UserFactory
from tests.letters.helpers import make_application, make_award
from vouchers.models import Award, BudgetPool, LedgerEntry, ParameterValue, ProviderRelation, Redemption, Voucher
from vouchers.services import redemption as svc
from vouchers.tasks import vouchers_expire_due

from .redemption_helpers import PNG, invoice_pdf, issue_voucher, make_provider, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def programme(catalogue):
    return catalogue["hp-compute-voucher"]


@pytest.fixture
def voucher(programme, enterprise_a, owner_a):
    return issue_voucher(programme=programme, enterprise=enterprise_a, created_by=owner_a)


@pytest.fixture
def provider(provider_user):
    return make_provider(user=provider_user)


def balance(voucher) -> Decimal:
    return Voucher.objects.get(pk=voucher.pk).balance


# ----------------------------------------------------------------- issue


def test_voucher_issued_with_face_value_validity_and_holder(voucher, enterprise_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    assert voucher.face_value == voucher.balance == Decimal("500000.00") == voucher.award.amount
    assert voucher.enterprise == enterprise_a and voucher.status == Voucher.Status.ACTIVE
    assert voucher.issued_on == today
    assert voucher.expires_on == svc.add_months(today, 12) - dt.timedelta(days=1)
    assert svc.voucher_code_normalize(voucher.code.lower().replace("-", " ")) == voucher.code
    assert AuditEvent.objects.filter(action="voucher.issue", target_id=str(voucher.pk)).exists()


def test_issue_is_idempotent(voucher):
    with transaction.atomic():
        again = svc.voucher_issue(award=voucher.award)
    assert again.pk == voucher.pk and Voucher.objects.count() == 1


def test_validity_follows_the_dated_parameter(programme, enterprise_a, owner_a):
    ParameterValue.objects.create(
        programme=programme, name="voucher_validity_months", value=6, effective_from=dt.date(2025, 7, 1)
    )
    v = issue_voucher(programme=programme, enterprise=enterprise_a, created_by=owner_a, amount="1000.00")
    assert v.expires_on == svc.add_months(v.issued_on, 6) - dt.timedelta(days=1)


def test_no_voucher_for_other_programmes_or_uncommitted_awards(catalogue, programme, enterprise_a, owner_a):
    other = make_award(
        application=make_application(
            enterprise=enterprise_a, programme=catalogue["hp-data-trading"], created_by=owner_a
        ),
        amount="1000.00",
    )
    with pytest.raises(ValidationError):
        svc.voucher_issue(award=other)
    reserved = make_award(
        application=make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a),
        amount="1000.00",
        commit=False,
    )
    with pytest.raises(ValidationError):
        svc.voucher_issue(award=reserved)
    assert Voucher.objects.count() == 0


def test_add_months_clamps_to_month_end():
    assert svc.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert svc.add_months(dt.date(2026, 3, 15), 12) == dt.date(2027, 3, 15)


# ----------------------------------------------------------------- redeem


def test_provider_redeems_part_of_a_voucher(
    voucher, provider, provider_user, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = redeem(actor=provider_user, voucher=voucher, amount="120000.50", invoice_number=" 2544 2000 0000 1234 ")
    assert r.status == Redemption.Status.PENDING and r.invoice_number == "2544200000001234"
    assert balance(voucher) == Decimal("379999.50")
    award = Award.objects.get(pk=voucher.award_id)
    assert award.disbursed == Decimal("120000.50")  # paid out of the award in the ledger
    entry = LedgerEntry.objects.get(award=award, kind=LedgerEntry.Kind.DISBURSE)
    assert entry.amount == Decimal("120000.50") and f"#{r.pk}" in entry.reference
    assert r.sha256 and r.content_type == "application/pdf" and r.invoice_file.read().startswith(b"%PDF")
    assert Notification.objects.filter(recipient=owner_a, kind="voucher", dedupe_key=f"redemption:{r.pk}").exists()


def refused(field, **kwargs):
    with pytest.raises(ValidationError) as info:
        redeem(**kwargs)
    assert field in info.value.message_dict, info.value.message_dict
    return info.value.message_dict[field][0]


def nothing_written(voucher):
    assert Redemption.objects.count() == 0
    assert balance(voucher) == voucher.face_value
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).exists()


def test_amount_above_the_balance_is_refused(voucher, provider, provider_user):
    message = refused("amount", actor=provider_user, voucher=voucher, amount="500000.01")
    assert "余额" in message
    nothing_written(voucher)


def test_bad_amounts_are_refused(voucher, provider, provider_user):
    for bad in ("0", "-5", "12.345", "abc"):
        refused("amount", actor=provider_user, voucher=voucher, amount=bad)
    nothing_written(voucher)


def test_unknown_voucher_is_refused(voucher, provider, provider_user):
    with pytest.raises(ValidationError) as info:
        svc.redemption_create(
            actor=provider_user,
            voucher_code="SLQ-2026-AAAA-BBBB",
            holder_credit_code=voucher.enterprise.credit_code,
            invoice_number="12345678",
            invoice_date=timezone.localdate(),
            amount="10",
            invoice_file=invoice_pdf(),
        )
    assert "不匹配" in info.value.message_dict["voucher_code"][0]
    nothing_written(voucher)


def test_voucher_is_not_transferable(voucher, provider, provider_user, enterprise_b):
    message = refused("voucher_code", actor=provider_user, voucher=voucher, holder=enterprise_b.credit_code)
    assert "不可转让" in message
    nothing_written(voucher)


def test_expired_voucher_is_refused(voucher, provider, provider_user):
    Voucher.objects.filter(pk=voucher.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1), issued_on=timezone.localdate() - dt.timedelta(days=400)
    )
    message = refused("voucher_code", actor=provider_user, voucher=voucher)
    assert "过期" in message
    assert Redemption.objects.count() == 0


def test_invoice_number_used_twice_is_refused(voucher, provider, provider_user):
    redeem(actor=provider_user, voucher=voucher, invoice_number="A1234567")
    message = refused("invoice_number", actor=provider_user, voucher=voucher, invoice_number="a123 4567")
    assert "已用于核销" in message
    assert Redemption.objects.count() == 1 and balance(voucher) == voucher.face_value - Decimal("1000.00")


def test_invoice_claimed_in_an_application_is_refused(voucher, provider, provider_user):
    ProjectClaim.objects.create(application=voucher.award.application, kind="invoice", value="44001234")
    assert "申报材料" in refused("invoice_number", actor=provider_user, voucher=voucher, invoice_number="44001234")
    nothing_written(voucher)


def test_only_an_invoice_claim_on_the_same_number_is_refused(voucher, provider, provider_user):
    """The claim is matched by kind and number together: a contract numbered like the invoice, or an
    invoice claim on another number, does not stop the redemption."""
    ProjectClaim.objects.create(
        application=voucher.award.application, kind=ProjectClaim.Kind.CONTRACT, value="44001234"
    )
    ProjectClaim.objects.create(application=voucher.award.application, kind=ProjectClaim.Kind.INVOICE, value="44009999")
    redeem(actor=provider_user, voucher=voucher, invoice_number="44001234")
    assert Redemption.objects.count() == 1


def test_invoice_date_in_the_future_or_before_issue_is_refused(voucher, provider, provider_user):
    today = timezone.localdate()
    refused("invoice_date", actor=provider_user, voucher=voucher, invoice_date=today + dt.timedelta(days=1))
    refused("invoice_date", actor=provider_user, voucher=voucher, invoice_date=today - dt.timedelta(days=1))
    nothing_written(voucher)


def test_invoice_file_is_checked_by_content(voucher, provider, provider_user):
    fake = invoice_pdf("invoice.pdf", b"MZ\x90\x00 this is an executable")
    assert "PDF" in refused("invoice_file", actor=provider_user, voucher=voucher, file=fake)
    nothing_written(voucher)
    r = redeem(actor=provider_user, voucher=voucher, file=invoice_pdf("scan.png", PNG))
    assert r.content_type == "image/png" and r.original_name == "scan.png"


def test_provider_outside_the_catalogue_dates_is_refused(voucher, provider, provider_user):
    provider.valid_to = timezone.localdate() - dt.timedelta(days=1)
    provider.save()
    with pytest.raises(ValidationError, match="目录"):
        redeem(actor=provider_user, voucher=voucher)
    provider.valid_to, provider.valid_from = None, timezone.localdate() + dt.timedelta(days=3)
    provider.save()
    with pytest.raises(ValidationError, match="目录"):
        redeem(actor=provider_user, voucher=voucher)
    nothing_written(voucher)


def test_provider_user_not_in_the_catalogue_is_refused(voucher, db):
    from portal.models import Role

    stray = UserFactory(role=Role.PROVIDER)
    with pytest.raises(PermissionDenied):
        redeem(actor=stray, voucher=voucher)
    nothing_written(voucher)


def test_other_roles_cannot_redeem(voucher, provider, owner_a, owner_b, reviewer, bureau_admin, expert):
    for actor in (owner_a, owner_b, reviewer, bureau_admin, expert):
        with pytest.raises(PermissionDenied):
            redeem(actor=actor, voucher=voucher)
    nothing_written(voucher)


def test_related_provider_is_refused(voucher, provider, provider_user, bureau_admin):
    svc.provider_relation_declare(
        actor=bureau_admin,
        provider=provider,
        enterprise_credit_code=voucher.enterprise.credit_code,
        kind=ProviderRelation.Kind.SHAREHOLDING,
        note="持股30%",
    )
    assert "关联关系" in refused("__all__", actor=provider_user, voucher=voucher)
    nothing_written(voucher)


def test_provider_with_the_holders_credit_code_is_refused(voucher, db):
    from portal.models import Role

    user = UserFactory(role=Role.PROVIDER)
    make_provider(user=user, n=7, credit_code=voucher.enterprise.credit_code)
    assert "同一主体" in refused("__all__", actor=user, voucher=voucher)
    nothing_written(voucher)


# ----------------------------------------------------------------- confirm, dispute


def test_holder_confirms(voucher, provider, provider_user, agent_a):
    r = redeem(actor=provider_user, voucher=voucher)
    confirmed = svc.redemption_confirm(actor=agent_a, redemption=r)
    assert confirmed.status == Redemption.Status.CONFIRMED and confirmed.responded_by == agent_a
    with pytest.raises(ValidationError):
        svc.redemption_confirm(actor=agent_a, redemption=r)


def test_only_the_holder_confirms_or_disputes(voucher, provider, provider_user, owner_b, reviewer, bureau_admin):
    r = redeem(actor=provider_user, voucher=voucher)
    for actor in (owner_b, provider_user, reviewer, bureau_admin):
        with pytest.raises(PermissionDenied):
            svc.redemption_confirm(actor=actor, redemption=r)
        with pytest.raises(PermissionDenied):
            svc.redemption_dispute(actor=actor, redemption=r, reason="x")
    assert Redemption.objects.get(pk=r.pk).status == Redemption.Status.PENDING


def test_dispute_voids_the_redemption_and_gives_the_amount_back(voucher, provider, provider_user, owner_a):
    r = redeem(actor=provider_user, voucher=voucher, amount="2500.00", invoice_number="INV00001")
    disputed = svc.redemption_dispute(actor=owner_a, redemption=r, reason="未购买该服务")
    assert disputed.status == Redemption.Status.DISPUTED
    assert balance(voucher) == voucher.face_value
    assert Award.objects.get(pk=voucher.award_id).disbursed == 0
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CLAWBACK, amount=Decimal("2500.00")).exists()
    # the voided invoice number may be redeemed again (e.g. corrected)
    again = redeem(actor=provider_user, voucher=voucher, amount="2000.00", invoice_number="INV00001")
    assert again.status == Redemption.Status.PENDING
    with pytest.raises(ValidationError):
        svc.redemption_dispute(actor=owner_a, redemption=again, reason="  ")


# ----------------------------------------------------------------- expiry


def expire_all(voucher, days_past: int = 1):
    Voucher.objects.filter(pk=voucher.pk).update(
        issued_on=timezone.localdate() - dt.timedelta(days=400),
        expires_on=timezone.localdate() - dt.timedelta(days=days_past),
    )
    return vouchers_expire_due.delay().get()


def test_expiry_releases_the_unredeemed_balance_to_the_pool(voucher, provider, provider_user):
    redeem(actor=provider_user, voucher=voucher, amount="100000.00")
    pool = BudgetPool.objects.get(pk=voucher.award.pool_id)
    committed_before = pool.committed
    assert expire_all(voucher) == 1
    v = Voucher.objects.get(pk=voucher.pk)
    assert (v.status, v.balance, v.released_amount) == (Voucher.Status.EXPIRED, 0, Decimal("400000.00"))
    release = LedgerEntry.objects.get(award=voucher.award, kind=LedgerEntry.Kind.RELEASE)
    assert release.amount == Decimal("400000.00") and v.code in release.reference
    pool.refresh_from_db()
    assert pool.committed == committed_before - Decimal("400000.00")
    assert Award.objects.get(pk=voucher.award_id).status == Award.Status.RELEASED
    # idempotent
    assert vouchers_expire_due.delay().get() == 0
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).count() == 1


def test_vouchers_still_valid_today_do_not_expire(voucher):
    Voucher.objects.filter(pk=voucher.pk).update(expires_on=timezone.localdate())
    assert vouchers_expire_due.delay().get() == 0
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE


def test_dispute_after_expiry_returns_the_amount_to_the_pool(voucher, provider, provider_user, owner_a):
    r = redeem(actor=provider_user, voucher=voucher, amount="500000.00")  # all of it
    expire_all(voucher)
    v = Voucher.objects.get(pk=voucher.pk)
    assert v.released_amount == 0 and not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE).exists()
    pool_before = BudgetPool.objects.get(pk=voucher.award.pool_id)
    svc.redemption_dispute(actor=owner_a, redemption=r, reason="服务未交付")
    v.refresh_from_db()
    pool = BudgetPool.objects.get(pk=voucher.award.pool_id)
    assert v.balance == 0 and v.released_amount == Decimal("500000.00")
    assert pool.committed == pool_before.committed - Decimal("500000.00")
    assert pool.disbursed == pool_before.disbursed - Decimal("500000.00")


def test_expired_voucher_with_partial_use_then_dispute(voucher, provider, provider_user, owner_a):
    r = redeem(actor=provider_user, voucher=voucher, amount="1000.00")
    expire_all(voucher)
    pool_before = BudgetPool.objects.get(pk=voucher.award.pool_id)
    svc.redemption_dispute(actor=owner_a, redemption=r, reason="重复开票")
    pool = BudgetPool.objects.get(pk=voucher.award.pool_id)
    assert pool.committed == pool_before.committed - Decimal("1000.00")
    assert Voucher.objects.get(pk=voucher.pk).released_amount == Decimal("500000.00")


# ----------------------------------------------------------------- providers (administrators)


def test_only_administrators_keep_the_catalogue(provider, owner_a, reviewer, provider_user, bureau_admin):
    for actor in (owner_a, reviewer, provider_user):
        with pytest.raises(PermissionDenied):
            svc.provider_save(actor=actor, provider=provider, name="改名")
    assert provider.__class__.objects.get(pk=provider.pk).name != "改名"
    saved = svc.provider_save(actor=bureau_admin, provider=provider, name="黄埔算力新名称")
    assert saved.name == "黄埔算力新名称"
    assert AuditEvent.objects.filter(action="provider.update").exists()


def test_provider_dates_must_be_in_order(bureau_admin):
    with pytest.raises(ValidationError):
        svc.provider_save(
            actor=bureau_admin,
            name="X",
            credit_code="91440112MA5ABCDE1X",
            services="API",
            district="黄埔区",
            valid_from=dt.date(2026, 5, 1),
            valid_to=dt.date(2026, 1, 1),
        )


def test_member_link_requires_a_provider_user(provider, bureau_admin, owner_b):
    with pytest.raises(ValidationError):
        svc.provider_member_link(actor=bureau_admin, provider=provider, user=owner_b)


def test_an_over_long_dispute_reason_is_refused_not_cut(voucher, provider, provider_user, owner_a):
    r = redeem(actor=provider_user, voucher=voucher, amount="2500.00", invoice_number="INV00002")
    with pytest.raises(ValidationError) as exc:
        svc.redemption_dispute(actor=owner_a, redemption=r, reason="理" * 501)
    assert "“异议理由”不能超过 500 个字符" in exc.value.message_dict["reason"][0]
    r.refresh_from_db()
    assert (r.status, r.dispute_reason) == (Redemption.Status.PENDING, "")
    assert balance(voucher) == voucher.face_value - Decimal("2500.00")
