"""The payment file of a batch (支付文件, xlsx and csv, for the treasury or the bank) and the bank's
return file (回执文件) read back into results. Text cells are written through portal.exports, so that a
payee's name can never act as a formula. The return file is refused whole, each problem named by its
row and column, when a line is unknown, an account or amount differs from the batch, a line is
repeated, or a line already has its result; nothing is recorded then."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exports import FORMULA_TRIGGERS, csv_writer, xlsx_append

from .models import PaymentBatch, PaymentLine
from .services.budget import money
from .services.payments import LineResult, batch_lines_for_results, batch_results_record, result_problems
from .services.payments_common import require_payment_admin

HEADER = [
    "序号",
    "批次号",
    "收款人户名",
    "收款账号",
    "开户银行",
    "开户网点",
    "金额（元）",
    "用途",
    "结果",
    "拨付日期",
    "凭证号",
    "失败原因",
]
PAID_WORDS = {"成功", "已拨付", "支付成功", "paid", "success", "ok"}
FAILED_WORDS = {"失败", "拨付失败", "支付失败", "退票", "failed", "fail"}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_ERRORS = 100


def _row(batch: PaymentBatch, line: PaymentLine) -> list[Any]:
    result = {"paid": "成功", "failed": "失败"}.get(line.status, "")
    return [
        line.seq,
        batch.number,
        line.payee_name,
        line.account_number,
        line.bank_name,
        line.branch_name,
        line.amount,
        line.purpose,
        result,
        line.paid_on or "",
        line.voucher_number,
        line.failure_reason,
    ]


def _lines(batch: PaymentBatch) -> list[PaymentLine]:
    return list(batch.lines.exclude(status=PaymentLine.Status.CANCELLED).order_by("seq"))


def payment_file_csv(batch: PaymentBatch) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel reads UTF-8 with the BOM
    writer = csv_writer(buf)
    writer.writerow(HEADER)
    for line in _lines(batch):
        writer.writerow(_row(batch, line))
    return buf.getvalue().encode("utf-8")


def payment_file_xlsx(batch: PaymentBatch) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "拨付明细"
    xlsx_append(ws, HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    lines = _lines(batch)
    for line in lines:
        xlsx_append(ws, _row(batch, line))
        ws.cell(row=ws.max_row, column=7).number_format = "#,##0.00"
        ws.cell(row=ws.max_row, column=10).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHIJKL", (6, 16, 30, 26, 20, 24, 16, 50, 8, 12, 20, 24), strict=True):
        ws.column_dimensions[col].width = width
    info = wb.create_sheet("批次信息")
    for label, value in (
        ("批次号", batch.number),
        ("状态", batch.get_status_display()),
        ("笔数", len(lines)),
        ("合计金额（元）", batch.total),
        ("编制人", str(batch.prepared_by)),
        ("审批人", str(batch.approved_by or "")),
        ("审批时间", timezone.localtime(batch.approved_at).strftime("%Y-%m-%d %H:%M") if batch.approved_at else ""),
    ):
        xlsx_append(info, [label, value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the return file ------------------------------------------------------------------------------


@dataclass
class _Cell:
    row: int
    col: int  # 1-based
    header: str
    value: Any

    def where(self) -> str:
        from openpyxl.utils import get_column_letter

        return _("第%(r)s行%(c)s列（%(h)s）") % {"r": self.row, "c": get_column_letter(self.col), "h": self.header}


COLUMNS = {
    "序号": "seq",
    "批次号": "batch",
    "收款账号": "account",
    "账号": "account",
    "金额（元）": "amount",
    "金额(元)": "amount",
    "金额": "amount",
    "结果": "result",
    "拨付日期": "paid_on",
    "日期": "paid_on",
    "凭证号": "voucher",
    "失败原因": "reason",
}
REQUIRED = {"seq": "序号", "account": "收款账号", "amount": "金额（元）", "result": "结果"}


def _rows(name: str, data: bytes) -> list[list[Any]]:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("回执文件超过 2 MB。"))
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise ValidationError(_("无法读取该 xlsx 文件，请上传本批次导出的支付文件格式。")) from None
        ws = wb["拨付明细"] if "拨付明细" in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in itertools.islice(ws.iter_rows(values_only=True), MAX_ROWS + 2)]
        wb.close()
        return rows
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # banks' files are often in GB18030
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("无法识别回执文件的字符编码（应为 UTF-8 或 GB18030）。"))
        return list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    raise ValidationError(_("回执文件须为 xlsx 或 csv 格式。"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):  # our own neutralised cell
        text = text[1:]
    return text


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def return_file_read(*, batch: PaymentBatch, name: str, data: bytes) -> list[LineResult]:
    """The results a return file gives, or ValidationError listing every problem by row and column."""
    rows = _rows(name or "", data)
    start = next((i for i, r in enumerate(rows) if any(_text(v) for v in r)), None)
    if start is None:
        raise ValidationError(_("回执文件是空的。"))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("回执文件超过 %(n)s 行。") % {"n": MAX_ROWS})
    headers = [re.sub(r"\s+", "", _text(h)) for h in rows[start]]
    cols: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = COLUMNS.get(h)
        if key and key not in cols:
            cols[key] = i
    missing = [label for key, label in REQUIRED.items() if key not in cols]
    if missing:
        raise ValidationError(_("第%(r)s行（表头）缺少列：%(c)s。") % {"r": start + 1, "c": "、".join(missing)})
    lines = batch_lines_for_results(batch)
    errors: list[str] = []
    seen: dict[int, int] = {}
    results: list[LineResult] = []

    def cell(r: list[Any], row_no: int, key: str) -> _Cell:
        i = cols.get(key)
        return _Cell(
            row=row_no,
            col=(i or 0) + 1,
            header=headers[i] if i is not None else key,
            value=r[i] if i is not None and i < len(r) else None,
        )

    for offset, r in enumerate(rows[start + 1 :], start=start + 2):
        if not any(_text(v) for v in r):
            continue
        c_seq = cell(r, offset, "seq")
        try:
            seq = int(Decimal(_text(c_seq.value)))
        except Exception:  # noqa: BLE001
            errors.append(f"{c_seq.where()}：" + _("序号“%(v)s”不是整数。") % {"v": _text(c_seq.value)})
            continue
        if seq in seen:
            errors.append(f"{c_seq.where()}：" + _("序号 %(n)s 与第%(r)s行重复。") % {"n": seq, "r": seen[seq]})
            continue
        seen[seq] = offset
        if "batch" in cols and (b := _text(cell(r, offset, "batch").value)) and b != batch.number:
            errors.append(
                f"{cell(r, offset, 'batch').where()}："
                + _("批次号 %(v)s 不是本批次 %(b)s。") % {"v": b, "b": batch.number}
            )
            continue
        line = lines.get(seq)
        if line is None:
            errors.append(f"{c_seq.where()}：" + _("本批次没有序号为 %(n)s 的明细。") % {"n": seq})
            continue
        c_acc = cell(r, offset, "account")
        if re.sub(r"[\s\-]+", "", _text(c_acc.value)) != line.account_number:
            errors.append(
                f"{c_acc.where()}："
                + _("账号“%(v)s”与本批次第%(n)s笔的收款账号不一致。") % {"v": _text(c_acc.value), "n": seq}
            )
        c_amt = cell(r, offset, "amount")
        try:
            amount = money(
                _text(c_amt.value) if not isinstance(c_amt.value, int | float) else str(c_amt.value), field="amount"
            )
        except ValidationError:
            errors.append(f"{c_amt.where()}：" + _("金额“%(v)s”无法识别。") % {"v": _text(c_amt.value)})
        else:
            if amount != line.amount:
                errors.append(
                    f"{c_amt.where()}："
                    + _("金额 %(v)s 与本批次第%(n)s笔的金额 %(a)s 不一致。")
                    % {"v": f"{amount:,}", "n": seq, "a": f"{line.amount:,}"}
                )
        c_res = cell(r, offset, "result")
        word = _text(c_res.value).lower()
        if not word:
            continue  # no result yet for this line
        if word not in PAID_WORDS | FAILED_WORDS:
            errors.append(f"{c_res.where()}：" + _("结果“%(v)s”应为“成功”或“失败”。") % {"v": _text(c_res.value)})
            continue
        paid = word in PAID_WORDS
        paid_on = None
        if paid:
            c_date = cell(r, offset, "paid_on")
            try:
                paid_on = _date(c_date.value) if _text(c_date.value) or isinstance(c_date.value, dt.date) else None
            except ValueError:
                errors.append(
                    f"{c_date.where()}：" + _("日期“%(v)s”无法识别（应为 2026-03-31）。") % {"v": _text(c_date.value)}
                )
                continue
        result = LineResult(
            seq=seq,
            paid=paid,
            paid_on=paid_on,
            voucher_number=_text(cell(r, offset, "voucher").value),
            reason=_text(cell(r, offset, "reason").value),
        )
        errors += [f"{c_res.where()}：{p}" for p in result_problems(batch=batch, lines=lines, result=result)]
        results.append(result)
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(_("……共 %(n)s 处问题。") % {"n": len(errors)})
        raise ValidationError([_("回执文件与批次 %(b)s 不符，未登记任何结果：") % {"b": batch.number}, *shown])
    if not results:
        raise ValidationError(_("回执文件中没有填写结果（成功/失败）的明细。"))
    return results


def return_file_import(*, actor, batch: PaymentBatch, name: str, data: bytes, ip: str | None = None) -> PaymentBatch:
    require_payment_admin(actor)
    results = return_file_read(batch=batch, name=name, data=data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    return batch_results_record(actor=actor, batch=batch, results=results, source=f"file {name[:60]} {digest}", ip=ip)
