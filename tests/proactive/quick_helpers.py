"""Shared pieces of the 快申快享 tests: facts of hp-revenue-growth (its inputs read revenue_jan_nov), an
open window, library files, a submitted quick application, and a clock."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.services import application_save_draft, application_submit, attachment_add
from proactive.models import Department, EnterpriseFact, FactImport
from proactive.prefill import quick_application_start
from proactive.services_library import library_document_add, library_document_reuse
from tests.cast import PDF
from vouchers.models import ApplicationWindow

PROGRAMME = "hp-revenue-growth"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=SHANGHAI)


class Clock:
    """timezone.now() under the test's control."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def clock_at(now: dt.datetime):
    clock = Clock(now)
    return clock, mock.patch.object(timezone, "now", clock)


def pdf(name: str = "文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def revenue_facts(enterprise) -> FactImport:
    batch = FactImport.objects.create(
        department=Department.STATISTICS, source="广州市统计局", file_name="规上企业营收.csv", sha256="1" * 64
    )
    for period, value in (("2025-11", "90000000.00"), ("2024-11", "70000000.00")):
        EnterpriseFact.objects.create(
            enterprise=enterprise,
            kind="revenue_jan_nov",
            period=period,
            value=value,
            department=Department.STATISTICS,
            source="广州市统计局",
            fact_import=batch,
        )
    return batch


def open_window(programme, *, days: int = 30) -> ApplicationWindow:
    now = timezone.now()
    return ApplicationWindow.objects.create(
        programme=programme,
        name="快申第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=days),
    )


def library_of(owner) -> dict:
    return {
        "business_license": library_document_add(actor=owner, material="business_license", upload=pdf("营业执照.pdf")),
        "credit_commitment": library_document_add(actor=owner, material="credit_commitment", upload=pdf("承诺书.pdf")),
        "tax_certificate": library_document_add(actor=owner, material="tax_certificate", upload=pdf("纳税证明.pdf")),
    }


def submitted_quick_application(owner, programme, docs: dict):
    """A quick application pre-filled from facts, its library files reused, the rest uploaded, submitted."""
    app = quick_application_start(actor=owner, programme=programme).application
    application_save_draft(actor=owner, application=app, data={"title": "营收增长奖励", "project_key": "YS-2025"})
    for doc in docs.values():
        library_document_reuse(actor=owner, application=app, document=doc)
    attachment_add(actor=owner, application=app, material="statistics_report", upload=pdf("报表.pdf"))
    return application_submit(actor=owner, application=app, declaration=True)
