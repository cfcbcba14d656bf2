"""What the portal hands out as files to be opened elsewhere — CSV and Excel exports, ZIP archives —
written by these helpers only, so that text typed by applicants (a project title, an enterprise
name) can never act in the reader's spreadsheet or file system:

- a cell whose text begins with = + - @, a tab or a carriage return is text, never a formula (CSV
  injection, OWASP): in CSV it is written behind a single quote, in xlsx as a string cell;
- amounts (Decimal) are written as numbers with two places, dates as ISO dates;
- a name inside a ZIP archive is one plain file name: no directories, no "..", no control characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def cell_text(value: Any) -> Any:
    """A value as an export cell: numbers and dates as they are, text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float | dt.date):
        return value
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def _csv_cell(value: Any) -> Any:
    value = cell_text(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class SafeCsvWriter:
    """csv.writer whose every cell passes cell_text (the one way the portal writes CSV)."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)


def xlsx_append(ws, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet; every text cell is a string cell, never a formula
    (openpyxl takes any text beginning with "=" for one)."""
    values = [
        v
        if isinstance(v, Decimal | int | float | dt.date) and not isinstance(v, bool)
        else ("" if v is None else str(v))
        for v in row
    ]
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def archive_name(name: str, *, default: str = "file", max_length: int = 120) -> str:
    """One plain file name for an entry of a ZIP archive: path separators, drive letters and control
    characters become "_", leading dots and spaces go (no "..", no hidden file), the length is
    bounded (the extension kept)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = UNSAFE_NAME.sub("_", re.sub(r"\.{2,}", ".", text)).lstrip("._ ").rstrip(". ")
    if not text:
        return default
    if len(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        text = text[: max_length - len(ext) - 1].rstrip(". ") + ("." + ext if ext else "")
    return text
