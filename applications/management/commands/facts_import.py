"""manage.py facts_import 规上企业名录.xlsx --source "广州市统计局规模以上工业企业名录" --date 2026-03-31
[--set is_above_scale=是] [--sheet 名录] [--actor admin@example.cn]

Department data (部门数据) read from a CSV (UTF-8, with or without BOM) or an XLSX file: a header row
naming the credit-code column (统一社会信用代码 / credit_code) and, optionally, fact columns (规模以上企业,
注册地, 税收关系所在地, 统计关系所在地, 所属行业, 初创企业, 独立核算 — or their field names). `--set`
gives the same fact to every row (a 规上企业名录 lists only codes). The enterprises found take the
values as verified by the import, with its source and date; codes no enterprise holds are counted.
Any bad row refuses the whole file (nothing is half-imported)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from applications.models import EligibilityFact
from applications.verification_facts import facts_import
from portal.models import User

CODE_HEADERS = {"统一社会信用代码", "信用代码", "credit_code", "uscc"}
FACT_HEADERS = {
    **{str(fact.label): fact.value for fact in EligibilityFact},
    **{fact.value: fact.value for fact in EligibilityFact},
    "规上": EligibilityFact.IS_ABOVE_SCALE,
    "规上企业": EligibilityFact.IS_ABOVE_SCALE,
    "纳税地": EligibilityFact.TAX_DISTRICT,
    "统计地": EligibilityFact.STATS_DISTRICT,
    "行业": EligibilityFact.INDUSTRY,
}


def read_table(path: Path, sheet: str | None = None) -> list[list[str]]:
    """The rows of a CSV or XLSX file as text (the first is the header)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = book[sheet] if sheet else book.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
    if path.suffix.lower() == ".csv":
        return [[v.strip() for v in row] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    raise CommandError("only .csv and .xlsx files are read")


def rows_of(table: list[list[str]]) -> list[dict[str, str]]:
    if not table:
        raise CommandError("the file is empty")
    header = [h.strip() for h in table[0]]
    code_col = next((i for i, h in enumerate(header) if h in CODE_HEADERS), None)
    if code_col is None:
        raise CommandError("no credit-code column (统一社会信用代码 or credit_code) in the header row")
    facts = {i: FACT_HEADERS[h] for i, h in enumerate(header) if h in FACT_HEADERS}
    out = []
    for row in table[1:]:
        if not any(row):
            continue
        cells = row + [""] * (len(header) - len(row))
        out.append({"credit_code": cells[code_col], **{str(fact): cells[i] for i, fact in facts.items()}})
    return out


class Command(BaseCommand):
    help = "Import department data (e.g. a 规上企业名录) as verified eligibility facts of the enterprises it names."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .csv or .xlsx file")
        parser.add_argument("--source", required=True, help="where the data comes from, e.g. 广州市统计局规上企业名录")
        parser.add_argument("--date", required=True, help="the date the data speaks for (YYYY-MM-DD)")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FACT=VALUE",
            help="a fact every row has, e.g. is_above_scale=是 (repeatable)",
        )
        parser.add_argument("--sheet", help="the XLSX sheet (default: the first)")
        parser.add_argument("--actor", help="e-mail of the staff member importing (default: the system)")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            source_date = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        set_values = {}
        for item in options["set"]:
            name, _sep, value = item.partition("=")
            set_values[FACT_HEADERS.get(name.strip(), name.strip())] = value.strip()
        actor = None
        if options.get("actor"):
            actor = User.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user with the e-mail {options['actor']}")
        try:
            rows = rows_of(read_table(path, options.get("sheet")))
            batch = facts_import(
                rows=rows,
                source=options["source"],
                source_date=source_date,
                file_name=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                set_values=set_values,
                actor=actor,
            )
        except OSError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(
            f"{batch}: {batch.rows} rows, {batch.applied} enterprises updated, {batch.unknown} codes not registered"
        )
