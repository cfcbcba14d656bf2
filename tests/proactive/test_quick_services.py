"""快申快享 services: an application pre-filled from facts with each value's source, the document library
(validity by kind, replacement, reuse by copy), the promised payment date fixed at submission and the
administrators' watch of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import Attachment
from applications.services import application_save_draft
from applications.workflow import Route
from portal.models import AuditEvent
from portal.workdays import add_workdays, workdays_between
from proactive.models import LibraryDocument
from proactive.prefill import prefill_for, prefill_rows, quick_application_start
from proactive.selectors import declared_vs_facts
from proactive.selectors_quick import AT_RISK, OVERDUE, library_offers, promise_watch
from proactive.services_library import library_document_add, library_document_remove, library_document_reuse
from tests.factories import EnterpriseFactory
from vouchers.models import Award, BudgetPool, ParameterValue

from .quick_helpers import (
    PROGRAMME,
    at,
    clock_at,
    library_of,
    open_window,
    pdf,
    revenue_facts,
    submitted_quick_application,
)

# every test here stores uploads: in a storage of its own (conftest)
pytestmark = pytest.mark.usefixtures("private_storage")


# ------------------------------------------------------------------ prefill


@pytest.mark.django_db
def test_prefill_names_department_period_and_batch(catalogue, firm):
    enterprise, _owner = firm
    batch = revenue_facts(enterprise)
    got = prefill_for(enterprise_id=enterprise.pk, programme=catalogue[PROGRAMME])
    assert got["revenue_current"]["value"] == "90000000.00" and got["revenue_current"]["period"] == "2025-11"
    assert got["revenue_previous"]["value"] == "70000000.00" and got["revenue_previous"]["period"] == "2024-11"
    assert got["revenue_current"]["department"] == "statistics"
    assert (
        got["revenue_current"]["fact_import"] == batch.pk and got["revenue_current"]["file_name"] == "规上企业营收.csv"
    )
    assert prefill_for(enterprise_id=EnterpriseFactory().pk, programme=catalogue[PROGRAMME]) == {}


@pytest.mark.django_db
def test_quick_start_prefills_and_records_sources(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    app = quick_application_start(actor=owner, programme=catalogue[PROGRAMME]).application
    assert Decimal(app.inputs["revenue_current"]) == Decimal("90000000")
    assert set(app.input_sources) == {"revenue_current", "revenue_previous"}
    assert app.input_sources["revenue_previous"]["source"] == "广州市统计局"
    assert app.estimate_amount is not None  # the facts are complete: the estimate is there at once
    assert AuditEvent.objects.filter(action="application.prefill", target_id=str(app.pk)).exists()
    assert [r["changed"] for r in prefill_rows(app)] == [False, False]
    assert app.route == Route.QUICK  # counted as 快申 in the results by route


@pytest.mark.django_db
def test_a_start_without_facts_is_an_ordinary_application(catalogue, firm):
    _, owner = firm
    app = quick_application_start(actor=owner, programme=catalogue[PROGRAMME]).application
    assert app.input_sources == {} and app.route == Route.APPLIED


@pytest.mark.django_db
def test_values_carried_from_the_calculator_win_and_carry_no_source(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    app = quick_application_start(
        actor=owner, programme=catalogue[PROGRAMME], carried={"revenue_current": "95000000"}
    ).application
    assert Decimal(app.inputs["revenue_current"]) == Decimal("95000000")
    assert set(app.input_sources) == {"revenue_previous"}


@pytest.mark.django_db
def test_a_changed_prefilled_value_is_the_enterprises_and_the_reviewer_sees_both(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    app = quick_application_start(actor=owner, programme=catalogue[PROGRAMME]).application
    application_save_draft(actor=owner, application=app, data={"inputs": {"revenue_current": "99000000"}})
    app.refresh_from_db()
    rows = {r["input"]: r for r in prefill_rows(app)}
    assert rows["revenue_current"]["changed"] and not rows["revenue_previous"]["changed"]
    assert app.input_sources["revenue_current"]["value"] == "90000000.00"  # the source stays on record
    compared = {r["input"]: r for r in declared_vs_facts(app)}
    assert compared["revenue_current"]["differs"] and compared["revenue_current"]["prefill_changed"]
    assert compared["revenue_previous"]["prefilled"] and not compared["revenue_previous"]["differs"]


@pytest.mark.django_db
def test_quick_start_refuses_a_user_without_an_enterprise(catalogue, reviewer):
    with pytest.raises(PermissionDenied):
        quick_application_start(actor=reviewer, programme=catalogue[PROGRAMME])


# ------------------------------------------------------------------ the document library


@pytest.mark.django_db
def test_validity_by_kind(firm):
    _enterprise, owner = firm
    today = timezone.localdate()
    licence = library_document_add(actor=owner, material="business_license", upload=pdf())
    assert licence.valid_until is None
    pledge = library_document_add(actor=owner, material="credit_commitment", upload=pdf())
    assert pledge.valid_until == today + dt.timedelta(days=365)
    report = library_document_add(actor=owner, material="audit_report", upload=pdf(), year=today.year - 1)
    assert report.valid_until == dt.date(today.year, 12, 31)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("material", "kwargs", "field"),
    [
        ("audit_report", {}, "year"),  # kept by year: the year is needed
        ("audit_report", {"year": 2001}, "year"),  # past its use (the end of the following year)
        ("credit_commitment", {"valid_until": dt.date(2000, 1, 1)}, "valid_until"),
        ("payment_proof", {}, "material"),  # not a kind the library keeps
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(firm, private_storage, material, kwargs, field):
    _enterprise, owner = firm
    with pytest.raises(ValidationError) as refused:
        library_document_add(actor=owner, material=material, upload=pdf(), **kwargs)
    assert field in refused.value.message_dict
    assert not LibraryDocument.objects.exists() and not any(private_storage.rglob("*.pdf"))


@pytest.mark.django_db
def test_content_is_checked_as_every_upload(firm, private_storage):
    _enterprise, owner = firm
    fake = SimpleUploadedFile("执照.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        library_document_add(actor=owner, material="business_license", upload=fake)
    assert "file" in refused.value.message_dict
    assert not LibraryDocument.objects.exists() and not any(private_storage.rglob("*.*"))


@pytest.mark.django_db
def test_a_new_upload_replaces_the_current_one_of_its_kind(firm):
    _enterprise, owner = firm
    old = library_document_add(actor=owner, material="business_license", upload=pdf("旧.pdf"))
    new = library_document_add(actor=owner, material="business_license", upload=pdf("新.pdf"))
    old.refresh_from_db()
    assert old.replaced_at is not None and new.replaced_at is None
    year = timezone.localdate().year
    a = library_document_add(actor=owner, material="audit_report", upload=pdf(), year=year - 1)
    b = library_document_add(actor=owner, material="audit_report", upload=pdf(), year=year)
    a.refresh_from_db()
    assert a.replaced_at is None and b.replaced_at is None  # by year: two years side by side


@pytest.mark.django_db
def test_staff_and_other_enterprises_keep_no_library(firm, reviewer, owner_b):
    with pytest.raises(PermissionDenied):
        library_document_add(actor=reviewer, material="business_license", upload=pdf())
    _enterprise, owner = firm
    doc = library_document_add(actor=owner, material="business_license", upload=pdf())
    with pytest.raises(PermissionDenied):
        library_document_remove(actor=owner_b, document=doc)
    doc.refresh_from_db()
    assert doc.removed_at is None


@pytest.mark.django_db(transaction=True)
def test_reuse_copies_and_the_copy_outlives_the_library_file(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    app = quick_application_start(actor=owner, programme=catalogue[PROGRAMME]).application
    doc = library_document_add(actor=owner, material="business_license", upload=pdf("营业执照.pdf"))
    assert [o["document"].pk for o in library_offers(actor=owner, application=app)] == [doc.pk]
    copy = library_document_reuse(actor=owner, application=app, document=doc)
    assert isinstance(copy, Attachment) and copy.application_id == app.pk and copy.material == "business_license"
    assert copy.sha256 == doc.sha256 and copy.file.name != doc.file.name and copy.original_name == "营业执照.pdf"
    assert library_offers(actor=owner, application=app) == []  # already in the application
    with pytest.raises(ValidationError):
        library_document_reuse(actor=owner, application=app, document=doc)  # the same file twice
    library_document_remove(actor=owner, document=doc)
    assert not default_storage.exists(doc.file.name)
    assert default_storage.exists(copy.file.name)  # the application's own copy stays
    with pytest.raises(ValidationError):
        library_document_reuse(actor=owner, application=app, document=doc)


@pytest.mark.django_db
def test_reuse_refuses_an_expired_file_a_kind_not_asked_and_another_enterprise(catalogue, firm, owner_b):
    enterprise, owner = firm
    app = quick_application_start(actor=owner, programme=catalogue[PROGRAMME]).application
    pledge = library_document_add(actor=owner, material="credit_commitment", upload=pdf())
    LibraryDocument.objects.filter(pk=pledge.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        library_document_reuse(actor=owner, application=app, document=pledge)
    assert "过期" in refused.value.messages[0]
    filing = library_document_add(actor=owner, material="filing_certificate", upload=pdf())
    with pytest.raises(ValidationError):  # hp-revenue-growth asks for no 备案证明
        library_document_reuse(actor=owner, application=app, document=filing)
    with pytest.raises(PermissionDenied):
        library_document_reuse(actor=owner_b, application=app, document=filing)
    assert not app.attachments.exists()


# ------------------------------------------------------------------ the promised payment date


@pytest.mark.django_db
def test_submission_fixes_the_promise_60_working_days_out(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    clock, patched = clock_at(at(2026, 3, 10))
    with patched:
        open_window(programme)
        app = submitted_quick_application(owner, programme, library_of(owner))
    assert app.payment_promised_on == add_workdays(dt.date(2026, 3, 10), 60)
    assert workdays_between(dt.date(2026, 3, 10), app.payment_promised_on) == 60


@pytest.mark.django_db
def test_the_programmes_parameter_sets_the_promise(catalogue, firm):
    enterprise, owner = firm
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    ParameterValue.objects.create(
        programme=programme,
        name="payment_promise_workdays",
        value=Decimal("30"),
        effective_from=dt.date(2026, 1, 1),
        clause="广东省惠企政策“直达快享”",
        note="快申快享承诺兑付时限（平台口径）",
    )
    clock, patched = clock_at(at(2026, 3, 10))
    with patched:
        open_window(programme)
        app = submitted_quick_application(owner, programme, library_of(owner))
    assert app.payment_promised_on == add_workdays(dt.date(2026, 3, 10), 30)


@pytest.mark.django_db
def test_the_watch_lists_at_risk_then_overdue_until_paid(catalogue, firm, bureau_admin, bureau_admin_th, settings):
    settings.PORTAL_PAYMENT_AT_RISK_WORKDAYS = 10
    enterprise, owner = firm
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    clock, patched = clock_at(at(2026, 3, 10))
    with patched:
        open_window(programme)
        app = submitted_quick_application(owner, programme, library_of(owner))
        assert list(promise_watch(actor=bureau_admin, watch=AT_RISK)) == []  # 60 working days ahead
        promised = app.payment_promised_on
        clock.now = at(promised.year, promised.month, promised.day) - dt.timedelta(days=7)
        today = timezone.localdate()
        assert 0 < workdays_between(today, promised) <= 10
        assert list(promise_watch(actor=bureau_admin, watch=AT_RISK)) == [app]
        assert list(promise_watch(actor=bureau_admin, watch=OVERDUE)) == []
        assert list(promise_watch(actor=bureau_admin_th, watch=AT_RISK)) == []  # another district's
        assert list(promise_watch(actor=owner, watch=AT_RISK)) == []
        clock.now = at(promised.year, promised.month, promised.day) + dt.timedelta(days=3)
        assert list(promise_watch(actor=bureau_admin, watch=OVERDUE)) == [app]
        pool = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=Decimal("1000000"))
        Award.objects.create(
            application=app,
            enterprise=enterprise,
            programme=programme,
            pool=pool,
            fiscal_year=2026,
            amount=Decimal("60000"),
            disbursed=Decimal("60000"),
            status=Award.Status.COMMITTED,
            decided_on=today,
        )
        assert list(promise_watch(actor=bureau_admin, watch=OVERDUE)) == []  # paid: off the watch
