"""The rows of a department's CSV (UTF-8, with or without BOM) or XLSX file, header first."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def read_table(data: bytes, file_name: str) -> list[list[object]]:
    name = file_name.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is the same answer to the user
            raise ValidationError(_("无法读取该 Excel 文件。")) from None
        sheet = book.worksheets[0]
        return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("CSV 文件须为 UTF-8 编码。")) from None
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise ValidationError(_("只能导入 .csv 或 .xlsx 文件。"))
