"""收款账户: the account name must be the enterprise's, the number digits with a Luhn check only on
UnionPay card numbers; a change is verified (or refused with its reason) by the bureau, audited, and the
account verified before stays in force until then."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditEvent
from vouchers.models import ReceivingAccount
from vouchers.services.accounts import (
    account_in_force,
    account_number_check,
    account_payable,
    account_refuse,
    account_submit,
    account_verify,
)

from .payments_helpers import CORPORATE, luhn_complete

pytestmark = pytest.mark.django_db


def submit(enterprise, user, **over):
    data = {
        "account_name": enterprise.name,
        "bank_name": "中国工商银行",
        "branch_name": "广州开发区支行",
        "account_number": CORPORATE,
        **over,
    }
    return account_submit(actor=user, enterprise=enterprise, **data)


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("4405 0112 3456 7890 1234", "44050112345678901234"),  # groups typed with spaces
        ("3602-0000-0910-0123-456", "360200000910012345" + "6"),  # hyphens
        ("1234567890", "1234567890"),  # ten digits: the shortest
        ("１２３４５６７８９０１２", "123456789012"),  # full-width digits
    ],
)
def test_account_numbers_accepted(raw, stored):
    assert account_number_check(raw) == stored


@pytest.mark.parametrize(
    "raw, says",
    [
        ("", "请填写银行账号"),
        ("123456789", "10至30位"),
        ("1" * 31, "10至30位"),
        ("44050112345678901A34", "只能由数字组成"),
        ("6222020000000000001", "Luhn"),  # a UnionPay card number with a wrong check digit
    ],
)
def test_account_numbers_refused(raw, says):
    with pytest.raises(ValidationError) as info:
        account_number_check(raw)
    assert says in str(info.value)


def test_luhn_applies_to_unionpay_card_numbers_only():
    card = luhn_complete("622202000000000000")
    assert account_number_check(card) == card
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    with pytest.raises(ValidationError):
        account_number_check(wrong)
    # the same length not beginning 62 is a corporate account: no check digit
    assert account_number_check("4" + wrong[1:]) == "4" + wrong[1:]


def test_account_name_must_be_the_enterprise_name(enterprise_a, owner_a):
    for name in ("广州甲智能科技公司", "广州甲智能科技有限公司（黄埔分公司）", "张三"):
        with pytest.raises(ValidationError) as info:
            submit(enterprise_a, owner_a, account_name=name)
        assert "与企业名称“广州甲智能科技有限公司”不一致" in info.value.message_dict["account_name"][0]
    assert not ReceivingAccount.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="payments.").exists()
    assert submit(enterprise_a, owner_a, account_name="  广州甲智能科技有限公司 ").account_name == enterprise_a.name


def test_only_the_enterprise_itself_registers_its_account(enterprise_a, owner_b, bureau_admin, reviewer):
    for actor in (owner_b, bureau_admin, reviewer):
        with pytest.raises(PermissionDenied):
            submit(enterprise_a, actor)
    assert not ReceivingAccount.objects.exists()


def test_verification_puts_a_change_in_force_and_supersedes_the_old(enterprise_a, owner_a, agent_a, bureau_admin):
    first = account_verify(actor=bureau_admin, account=submit(enterprise_a, owner_a))
    assert account_in_force(enterprise_id=enterprise_a.pk) == first
    change = submit(enterprise_a, agent_a, account_number="11112222333344445555", bank_name="中国建设银行")
    # until verified, the first stays in force
    assert account_in_force(enterprise_id=enterprise_a.pk) == first and change.status == "pending"
    account_verify(actor=bureau_admin, account=change)
    first.refresh_from_db()
    assert first.status == "superseded" and account_in_force(enterprise_id=enterprise_a.pk).pk == change.pk
    actions = list(
        AuditEvent.objects.filter(action__startswith="payments.account").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "payments.account_submit",
        "payments.account_verify",
        "payments.account_submit",
        "payments.account_verify",
    ]


def test_refusal_needs_a_reason_and_keeps_the_account_in_force(enterprise_a, owner_a, bureau_admin):
    first = account_verify(actor=bureau_admin, account=submit(enterprise_a, owner_a))
    change = submit(enterprise_a, owner_a, account_number="11112222333344445555")
    with pytest.raises(ValidationError):
        account_refuse(actor=bureau_admin, account=change, reason=" ")
    account_refuse(actor=bureau_admin, account=change, reason="开户证明与账号不符")
    change.refresh_from_db()
    assert change.status == "refused" and change.refusal_reason == "开户证明与账号不符"
    assert account_in_force(enterprise_id=enterprise_a.pk) == first
    with pytest.raises(ValidationError):  # decided once
        account_verify(actor=bureau_admin, account=change)


def test_only_administrators_verify(enterprise_a, owner_a, reviewer, owner_b):
    account = submit(enterprise_a, owner_a)
    for actor in (reviewer, owner_a, owner_b, None):
        with pytest.raises(PermissionDenied):
            account_verify(actor=actor, account=account)
    account.refresh_from_db()
    assert account.status == "pending"


def test_a_new_change_replaces_the_one_waiting(enterprise_a, owner_a):
    first = submit(enterprise_a, owner_a)
    second = submit(enterprise_a, owner_a, account_number="11112222333344445555")
    first.refresh_from_db()
    assert (first.status, second.status) == ("withdrawn", "pending")


def test_an_account_in_another_name_is_not_payable_after_a_rename(enterprise_a, owner_a, bureau_admin):
    account = account_verify(actor=bureau_admin, account=submit(enterprise_a, owner_a))
    assert account_payable(account, enterprise=enterprise_a) == ""
    enterprise_a.name = "广州甲人工智能科技有限公司"
    enterprise_a.save()
    assert "与企业现名称不一致" in account_payable(account, enterprise=enterprise_a)
    with pytest.raises(ValidationError):  # nor can a pending change in the old name be verified
        account_verify(
            actor=bureau_admin,
            account=ReceivingAccount.objects.create(
                enterprise=enterprise_a,
                account_name="广州甲智能科技有限公司",
                bank_name="b",
                branch_name="c",
                account_number=CORPORATE,
                submitted_by=owner_a,
            ),
        )
