"""The payment file (xlsx and csv: payee, account, bank, amount, purpose with the document number; text
never a formula) and the bank's return file: read back into results, or refused whole — each problem by
row and column — when it does not match the batch; nothing is recorded then."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import EnterpriseFactory
from vouchers.models import LedgerEntry, PaymentLine
from vouchers.payment_files import HEADER, payment_file_csv, payment_file_xlsx, return_file_import

from .payments_helpers import approved_batch, committed_award, today, verified_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(award_a, account_a, lump, owner_b, enterprise_b, bureau_admin, second_admin):
    award_b = committed_award(lump, enterprise_b, owner_b, "600000.50", actor=bureau_admin)
    verified_account(enterprise_b, owner_b, bureau_admin, number="11112222333344445555")
    from vouchers.services.payments import batch_approve, batch_prepare

    b = batch_prepare(actor=bureau_admin, tranche_ids=[award_a.tranches.get().pk, award_b.tranches.get().pk])
    return batch_approve(actor=second_admin, batch=b)


def xlsx_rows(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data))["拨付明细"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "拨付明细"
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filled(batch, *, results=None) -> list[list]:
    """The exported file with the bank's results typed in (default: every line paid)."""
    rows = xlsx_rows(payment_file_xlsx(batch))
    for i, r in enumerate(rows[1:], start=1):
        result = (results or {}).get(i, ("成功", today(), f"HD{i:04d}", None))
        r[8:12] = list(result)
    return rows


def recorded() -> tuple:
    return (
        LedgerEntry.objects.filter(kind="disburse").count(),
        sorted(PaymentLine.objects.values_list("seq", "status")),
    )


def test_the_batch_sheet_gives_the_approval_time_in_local_time(batch):
    """批次信息 says when the batch was approved as the bureau reads clocks (Beijing time), not UTC."""
    import datetime as dt

    type(batch).objects.filter(pk=batch.pk).update(approved_at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC))
    batch.refresh_from_db()
    info = load_workbook(io.BytesIO(payment_file_xlsx(batch)))["批次信息"]
    assert dict(info.iter_rows(values_only=True))["审批时间"] == "2026-03-02 09:30"


def test_the_payment_file_names_payee_account_bank_amount_and_purpose(batch):
    rows = xlsx_rows(payment_file_xlsx(batch))
    assert rows[0] == HEADER
    seq, number, payee, account, bank, branch, amount, purpose = rows[1][:8]
    assert (seq, number, payee, account, bank, branch) == (
        1,
        batch.number,
        "广州甲智能科技有限公司",
        "44050112345678901234",
        "中国工商银行",
        "广州开发区支行",
    )
    assert amount == 800000 and "穗开经信批字〔2026〕1号" in purpose and "模型券" in purpose
    text = payment_file_csv(batch).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == HEADER and lines[2][2] == "广州乙数据服务有限公司" and lines[2][6] == "600000.50"


def test_text_in_the_payment_file_is_never_a_formula(lump, bureau_admin, second_admin):
    from tests.factories import member

    evil = EnterpriseFactory(name='=HYPERLINK("http://x","点击")')
    owner = member(evil, "owner", email="evil@example.cn")
    award = committed_award(lump, evil, owner, "1000", actor=bureau_admin)
    verified_account(evil, owner, bureau_admin)
    batch = approved_batch(award, bureau_admin, second_admin)
    assert list(csv.reader(io.StringIO(payment_file_csv(batch).decode("utf-8-sig"))))[1][2].startswith("'=")
    ws = load_workbook(io.BytesIO(payment_file_xlsx(batch)))["拨付明细"]
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("=")  # a string cell, not a formula


def test_a_return_file_records_paid_and_failed_lines(batch, bureau_admin):
    rows = filled(batch, results={2: ("失败", None, None, "账户已销户")})
    return_file_import(actor=bureau_admin, batch=batch, name="回执.xlsx", data=xlsx_bytes(rows))
    lines = {ln.seq: ln for ln in batch.lines.all()}
    assert (lines[1].status, lines[1].voucher_number, lines[1].paid_on) == ("paid", "HD0001", today())
    assert (lines[2].status, lines[2].failure_reason) == ("failed", "账户已销户")
    assert lines[2].tranche.status == "due"
    batch.refresh_from_db()
    assert batch.status == "closed"
    call_command("budget_check")


def test_a_csv_return_file_from_the_bank_in_gb18030(batch, bureau_admin):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["序号", "收款账号", "金额(元)", "结果", "拨付日期", "凭证号"])
    w.writerow([1, "4405 0112 3456 7890 1234", "800,000.00", "成功", today().strftime("%Y/%m/%d"), "B-1"])
    w.writerow([2, "11112222333344445555", "600000.5", "", "", ""])  # no result yet for this one
    return_file_import(actor=bureau_admin, batch=batch, name="bank.csv", data=buf.getvalue().encode("gb18030"))
    assert recorded()[1] == [(1, "paid"), (2, "pending")]


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda rows: rows[2].__setitem__(0, 9), "第3行A列（序号）：本批次没有序号为 9 的明细"),
        (
            lambda rows: rows[2].__setitem__(6, 600000.51),
            "第3行G列（金额（元））：金额 600,000.51 与本批次第2笔的金额 600,000.50 不一致",
        ),
        (
            lambda rows: rows[1].__setitem__(3, "44050112345678901235"),
            "第2行D列（收款账号）：账号“44050112345678901235”与本批次第1笔",
        ),
        (lambda rows: rows.append(list(rows[1])), "第4行A列（序号）：序号 1 与第2行重复"),
        (lambda rows: rows[1].__setitem__(1, "BF2000-000001"), "第2行B列（批次号）：批次号 BF2000-000001 不是本批次"),
        (lambda rows: rows[1].__setitem__(8, "OK了"), "第2行I列（结果）：结果“OK了”应为“成功”或“失败”"),
        (lambda rows: rows[1].__setitem__(10, None), "第2行I列（结果）：序号 1：请填写凭证号"),
        (lambda rows: rows[1].__setitem__(9, "明天"), "第2行J列（拨付日期）：日期“明天”无法识别"),
        (lambda rows: [r.__setitem__(6, None) for r in rows], "第1行（表头）缺少列：金额（元）"),
    ],
)
def test_a_return_file_that_does_not_match_is_refused_whole(batch, bureau_admin, change, says):
    rows = filled(batch)
    change(rows)
    before = recorded()
    with pytest.raises(ValidationError) as info:
        return_file_import(actor=bureau_admin, batch=batch, name="回执.xlsx", data=xlsx_bytes(rows))
    assert says in " ".join(info.value.messages), info.value.messages
    assert recorded() == before


def test_importing_the_same_return_file_twice_pays_nothing_twice(batch, bureau_admin):
    data = xlsx_bytes(filled(batch))
    return_file_import(actor=bureau_admin, batch=batch, name="回执.xlsx", data=data)
    after = recorded()
    batch.refresh_from_db()
    from vouchers.services.payments import batch_results_record  # noqa: F401 - the batch is closed now

    with pytest.raises(ValidationError):
        return_file_import(actor=bureau_admin, batch=batch, name="回执.xlsx", data=data)
    assert recorded() == after


def test_the_same_line_paid_again_in_a_later_file_is_refused_by_row(batch, bureau_admin):
    rows = filled(batch, results={2: (None, None, None, None)})
    return_file_import(actor=bureau_admin, batch=batch, name="a.xlsx", data=xlsx_bytes(rows))
    rows = filled(batch)  # line 1 again, line 2 now
    before = recorded()
    with pytest.raises(ValidationError) as info:
        return_file_import(actor=bureau_admin, batch=batch, name="b.xlsx", data=xlsx_bytes(rows))
    assert "第2行I列（结果）：序号 1 已登记为已拨付" in " ".join(info.value.messages)
    assert recorded() == before


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("回执.pdf", b"%PDF-1.7", "xlsx 或 csv"),
        ("回执.xlsx", b"not a zip", "无法读取"),
        ("回执.csv", b"", "空的"),
        ("回执.csv", "序号,收款账号,金额,结果\n".encode(), "没有填写结果"),
    ],
)
def test_unreadable_return_files_are_refused(batch, bureau_admin, name, data, says):
    with pytest.raises(ValidationError) as info:
        return_file_import(actor=bureau_admin, batch=batch, name=name, data=data)
    assert says in " ".join(info.value.messages)
