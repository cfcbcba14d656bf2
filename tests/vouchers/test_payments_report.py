"""The report per pool and programme — awarded, paid, clawed back, due, waiting, failed, owed — equal to
the ledger to the cent; its xlsx for the finance office; and budget_check, which covers payments."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from vouchers.models import LedgerEntry, PaymentLine
from vouchers.payment_selectors import payment_report
from vouchers.services.budget import tranche_disburse
from vouchers.services.clawbacks import clawback_decide, clawback_repayment_record
from vouchers.services.payments import LineResult, batch_results_record

from .payments_helpers import D, approved_batch, committed_award, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(award_a, account_a, staged, enterprise_a, owner_a, bureau_admin, second_admin):
    """A: 800,000 paid then 100,000.50 clawed back (30,000 repaid); a staged award of 3,000,000.10 whose
    first 1,000,000 failed once (due again) and whose second waits for acceptance."""
    batch = approved_batch(award_a, bureau_admin, second_admin)
    batch_results_record(actor=bureau_admin, batch=batch, results=[LineResult(1, True, today(), "GK-1")])
    c = clawback_decide(actor=bureau_admin, award=award_a, amount="100000.50", reason="材料不实，追回部分资金。")
    clawback_repayment_record(actor=bureau_admin, clawback=c, amount="30000", repaid_on=today(), voucher_number="R1")
    award = committed_award(
        staged,
        enterprise_a,
        owner_a,
        "3000000.10",
        actor=bureau_admin,
        tranches=[{"amount": "1000000"}, {"amount": "2000000.10"}],
    )
    batch = approved_batch(award, bureau_admin, second_admin)
    batch_results_record(actor=bureau_admin, batch=batch, results=[LineResult(1, False, reason="账号有误")])
    return award


def test_report_per_pool_matches_the_ledger(scene, bureau_admin, lump, staged):
    pools, programmes, total = payment_report(actor=bureau_admin)
    rows = {r.programme_code: r for r in pools}
    a = rows[lump.code]
    assert (a.awarded, a.paid, a.clawed_back, a.net_paid, a.owed) == (
        D("770000.00"),
        D("800000.00"),
        D("30000.00"),
        D("770000.00"),
        D("70000.50"),
    )
    assert (a.due, a.waiting, a.unpaid, a.unscheduled, a.reconciled) == (0, 0, 0, 0, True)
    s = rows[staged.code]
    assert (s.awarded, s.paid, s.due, s.waiting, s.failed, s.failed_count, s.unscheduled, s.reconciled) == (
        D("3000000.10"),
        0,
        D("1000000.00"),
        D("2000000.10"),
        D("1000000.00"),
        1,
        0,
        True,
    )
    assert total.paid == D("800000.00") and total.owed == D("70000.50") and total.reconciled
    assert [p.programme_code for p in programmes] == [lump.code, staged.code]
    # the ledger's own sums
    pool_a = LedgerEntry.objects.filter(pool__programme=lump)
    assert a.paid == sum(pool_a.filter(kind="disburse").values_list("amount", flat=True))
    assert a.clawed_back == sum(pool_a.filter(kind="clawback").values_list("amount", flat=True))
    call_command("budget_check")


def test_report_is_for_administrators_only(scene, reviewer, owner_a):
    for actor in (reviewer, owner_a, None):
        assert payment_report(actor=actor)[0] == []


def test_the_finance_xlsx(scene, bureau_admin, client_for):
    response = client_for(bureau_admin).get("/manage/payments/report.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["按资金池"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["资金池/项目", "项目代码", "年度", "预算额度", "已核定", "已拨付", "已追回", "净拨付"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["hp-model-genai-filing"][5] == 800000 and rows["hp-model-genai-filing"][14] == "是"
    assert "按项目" in wb.sheetnames


def test_budget_check_sees_a_payment_outside_the_batches(scene, bureau_admin, capsys):
    call_command("budget_check")
    award = scene
    tranche_disburse(actor=bureau_admin, award=award, amount="1", paid_on=today(), reference="旁路")
    with pytest.raises(CommandError):
        call_command("budget_check")
    assert f"奖励 #{award.pk} 台账拨付 1.00，支付文件已拨付 0.00" in capsys.readouterr().err
    # and a paid line whose ledger entry is not its payment
    PaymentLine.objects.filter(status="paid").update(amount=D("799999.99"))
    with pytest.raises(CommandError):
        call_command("budget_check")
    assert "台账无对应的拨付记录" in capsys.readouterr().err
