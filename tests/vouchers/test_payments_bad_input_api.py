"""Issue 14's "Bad input", each through the API: a return file that does not match the batch (unknown
line, changed amount, duplicate line), an account name that differs from the enterprise, a tranche above
what remains (the schedule, and a batch after money went out otherwise), a second payment of the same
line — refused (400) with the reason in Chinese, and nothing recorded: no ledger entry, no line or
tranche changed, no account, no audit event. (The services' own tests: test_payments_files,
test_payments_batches, test_payments_accounts.)"""

from __future__ import annotations

import io

import pytest

from portal.models import AuditEvent
from vouchers.models import Award, LedgerEntry, PaymentBatch, PaymentLine, PaymentTranche, ReceivingAccount
from vouchers.services.budget import tranche_disburse

from .payments_helpers import CORPORATE, committed_award, today

pytestmark = pytest.mark.django_db
API = "/api/v1/payments"


def recorded() -> tuple:
    return (
        LedgerEntry.objects.count(),
        PaymentBatch.objects.count(),
        sorted(PaymentLine.objects.values_list("pk", "status", "voucher_number")),
        sorted(PaymentTranche.objects.values_list("pk", "status", "amount")),
        sorted(ReceivingAccount.objects.values_list("pk", "status")),
        AuditEvent.objects.filter(action__startswith="payments.").count(),
    )


def said(response) -> str:
    return response.content.decode()


@pytest.fixture
def batch(award_a, account_a, bureau_admin, second_admin, api_for):
    b = api_for(bureau_admin).post(f"{API}/batches/", {"tranches": [award_a.tranches.get().pk]}, format="json")
    assert api_for(second_admin).post(f"{API}/batches/{b.json()['id']}/approve/").status_code == 200
    return PaymentBatch.objects.get(pk=b.json()["id"])


def return_file(*rows: str):
    header = "序号,收款账号,金额（元）,结果,拨付日期,凭证号,失败原因\n"
    f = io.BytesIO((header + "".join(r + "\n" for r in rows)).encode())
    f.name = "回执.csv"
    return f


def line(seq, amount="800000.00", result="成功", voucher="GK-1") -> str:
    return f"{seq},{CORPORATE},{amount},{result},{today().isoformat()},{voucher},"


@pytest.mark.parametrize(
    "rows, says",
    [
        ([line(7)], "本批次没有序号为 7 的明细"),
        ([line(1, amount="800000.01")], "金额 800,000.01 与本批次第1笔的金额 800,000.00 不一致"),
        ([line(1), line(1, voucher="GK-2")], "序号 1 与第2行重复"),
    ],
    ids=["unknown line", "changed amount", "duplicate"],
)
def test_a_return_file_that_does_not_match_the_batch(batch, bureau_admin, api_for, rows, says):
    before = recorded()
    r = api_for(bureau_admin).post(
        f"{API}/batches/{batch.pk}/return-file/", {"file": return_file(*rows)}, format="multipart"
    )
    assert r.status_code == 400 and says in said(r), said(r)
    assert recorded() == before


def test_an_account_name_that_differs_from_the_enterprise(enterprise_a, owner_a, api_for, client_for):
    before = recorded()
    body = {
        "account_name": "广州甲智能科技公司",
        "bank_name": "中国工商银行",
        "branch_name": "广州开发区支行",
        "account_number": CORPORATE,
    }
    r = api_for(owner_a).post(f"{API}/accounts/", body, format="json")
    assert r.status_code == 400 and "与企业名称“广州甲智能科技有限公司”不一致" in said(r)
    page = client_for(owner_a).post("/payments/account/", body)
    assert page.status_code == 400 and "与企业名称“广州甲智能科技有限公司”不一致" in said(page)
    assert recorded() == before


def test_a_schedule_above_the_award(staged, enterprise_a, owner_a, bureau_admin, api_for):
    award = committed_award(staged, enterprise_a, owner_a, "3000000", actor=bureau_admin)
    before = recorded()
    r = api_for(bureau_admin).post(
        f"{API}/awards/{award.pk}/schedule/",
        {"tranches": [{"amount": "2000000"}, {"amount": "1000000.01", "requires_acceptance": True}]},
        format="json",
    )
    assert r.status_code == 400 and "分期金额合计 3,000,000.01 元 超过核定金额 3,000,000.00 元" in said(r), said(r)
    assert recorded() == before


def test_a_tranche_above_what_remains(award_a, account_a, bureau_admin, api_for):
    tranche_disburse(actor=bureau_admin, award=award_a, amount="500000", paid_on=today(), reference="直接拨付")
    before = recorded()
    r = api_for(bureau_admin).post(f"{API}/batches/", {"tranches": [award_a.tranches.get().pk]}, format="json")
    assert r.status_code == 400 and "金额 800,000.00 元 超过奖励剩余未拨付部分 300,000.00 元" in said(r), said(r)
    assert recorded() == before


def test_a_second_payment_of_the_same_line(batch, bureau_admin, second_admin, api_for):
    paid = {"results": [{"seq": 1, "paid": True, "paid_on": today().isoformat(), "voucher_number": "GK-1"}]}
    assert api_for(bureau_admin).post(f"{API}/batches/{batch.pk}/results/", paid, format="json").status_code == 200
    before = recorded()
    again = {"results": [{"seq": 1, "paid": True, "paid_on": today().isoformat(), "voucher_number": "GK-2"}]}
    r = api_for(second_admin).post(f"{API}/batches/{batch.pk}/results/", again, format="json")
    assert r.status_code == 400 and ("不能重复登记" in said(r) or "不能登记拨付结果" in said(r)), said(r)
    r = api_for(second_admin).post(
        f"{API}/batches/{batch.pk}/return-file/", {"file": return_file(line(1, voucher="GK-3"))}, format="multipart"
    )
    assert r.status_code == 400
    assert recorded() == before
    assert Award.objects.get(pk=batch.lines.get().award_id).disbursed == batch.total
