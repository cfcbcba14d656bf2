"""快申快享 pages and API: the pre-filled start with its sources shown, the library page and its reuse in
an application, the promised payment date on the stepper, the administrators' watch; the wrong member
of the cast refused and nothing changed; bad input answered in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from applications.models import Application
from applications.services import application_file_auto
from portal.workdays import add_workdays
from proactive.models import LibraryDocument
from proactive.prefill import prefill_for
from tests.factories import EnterpriseFactory

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


@pytest.mark.django_db
def test_the_start_page_shows_what_facts_prefill_and_the_form_their_sources(catalogue, firm, client_for):
    enterprise, owner = firm
    revenue_facts(enterprise)
    c = client_for(owner)
    page = c.get(reverse("applications:create", args=[PROGRAMME])).content.decode()
    assert "按企业档案预填" in page and "广州市统计局" in page and "所属期间 2025-11" in page
    assert "规上企业营收.csv" in page
    response = c.post(reverse("proactive:quick_start", args=[PROGRAMME]))
    app = Application.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response["Location"] == reverse("applications:edit", args=[app.pk])
    assert set(app.input_sources) == {"revenue_current", "revenue_previous"}
    form = c.get(reverse("applications:edit", args=[app.pk])).content.decode()
    assert 'id="prefill-sources"' in form and "沿用档案数据" in form and "统计部门" in form
    c.post(reverse("applications:edit", args=[app.pk]), {"in_revenue_current": "99000000", "title": "营收增长"})
    detail = c.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "已修改，按企业自行申报" in detail


@pytest.mark.django_db
def test_the_reviewer_sees_the_prefill_and_the_change(catalogue, firm, client_for, reviewer):
    enterprise, owner = firm
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    open_window(programme)
    app = submitted_quick_application(owner, programme, library_of(owner))
    page = client_for(reviewer).get(reverse("reviews:application", args=[app.pk])).content.decode()
    assert "按档案预填" in page and 'id="facts-comparison"' in page


@pytest.mark.django_db
def test_quick_start_refuses_staff_and_changes_nothing(catalogue, client_for, reviewer):
    response = client_for(reviewer).post(reverse("proactive:quick_start", args=[PROGRAMME]))
    assert response.status_code == 403 and not Application.objects.exists()


@pytest.mark.django_db
def test_library_page_upload_and_bad_input(firm, client_for):
    _enterprise, owner = firm
    c = client_for(owner)
    ok = c.post(reverse("proactive:library"), {"material": "business_license", "file": pdf("营业执照.pdf")})
    assert ok.status_code == 302 and LibraryDocument.objects.count() == 1
    bad = c.post(reverse("proactive:library"), {"material": "audit_report", "file": pdf("审计报告.pdf")})
    assert bad.status_code == 400 and "请填写该材料所属的年度" in bad.content.decode()
    assert LibraryDocument.objects.count() == 1
    page = c.get(reverse("proactive:library")).content.decode()
    assert "营业执照.pdf" in page and "长期有效" in page


@pytest.mark.django_db
def test_library_reuse_from_the_application_page(catalogue, firm, client_for, owner_b):
    enterprise, owner = firm
    revenue_facts(enterprise)
    docs = library_of(owner)
    c = client_for(owner)
    c.post(reverse("proactive:quick_start", args=[PROGRAMME]))
    app = Application.objects.get(enterprise=enterprise)
    detail = c.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert 'id="library-offer"' in detail and "营业执照.pdf" in detail
    url = reverse("proactive:library_reuse", args=[app.pk])
    refused = client_for(owner_b).post(url, {"document": docs["business_license"].pk})
    assert refused.status_code == 404 and not app.attachments.exists()
    c.post(url, {"document": docs["business_license"].pk})
    assert list(app.attachments.values_list("material", flat=True)) == ["business_license"]


@pytest.mark.django_db
def test_the_stepper_shows_the_promise_and_the_dashboard_the_risk(catalogue, firm, client_for, bureau_admin, reviewer):
    enterprise, owner = firm
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    clock, patched = clock_at(at(2026, 3, 10))
    with patched:
        open_window(programme)
        app = submitted_quick_application(owner, programme, library_of(owner))
        promised = app.payment_promised_on
        detail = client_for(owner).get(reverse("applications:detail", args=[app.pk])).content.decode()
        assert f"承诺兑付日期：{promised:%Y-%m-%d}" in detail and "提交后 60 个工作日内兑付" in detail
        admin = client_for(bureau_admin)
        assert app.reference not in admin.get(reverse("proactive:payment_promises")).content.decode()
        clock.now = at(promised.year, promised.month, promised.day) - dt.timedelta(days=7)
        admin = client_for(bureau_admin)  # signed in again: the session of weeks ago has expired
        assert app.reference in admin.get(reverse("proactive:payment_promises")).content.decode()
        clock.now = at(promised.year, promised.month, promised.day) + dt.timedelta(days=3)
        admin = client_for(bureau_admin)
        page = admin.get(reverse("proactive:payment_promises") + "?watch=overdue").content.decode()
        assert app.reference in page and "已超期" in page
        assert client_for(reviewer).get(reverse("proactive:payment_promises")).status_code == 403
        api = admin.get(reverse("api-payment-promises") + "?watch=overdue").json()
        assert [r["reference"] for r in api["results"]] == [app.reference] and api["results"][0]["workdays_left"] < 0
        assert admin.get(reverse("api-payment-promises") + "?watch=soon").status_code == 400


@pytest.mark.django_db
def test_a_free_award_is_promised_from_its_publication(catalogue, bureau_admin):
    enterprise = EnterpriseFactory(name="广州免申科技有限公司")
    revenue_facts(enterprise)
    programme = catalogue[PROGRAMME]
    clock, patched = clock_at(at(2026, 3, 10))
    with patched:
        window = open_window(programme)
        sources = prefill_for(enterprise_id=enterprise.pk, programme=programme)
        app = application_file_auto(
            actor=bureau_admin,
            enterprise=enterprise,
            programme=programme,
            window=window,
            inputs={k: v["value"] for k, v in sources.items()},
            sources=sources,
        )
    assert app.submitted_at is not None and app.payment_promised_on == add_workdays(dt.date(2026, 3, 10), 60)


# ------------------------------------------------------------------ API


@pytest.mark.django_db
def test_api_library_upload_list_remove_and_scope(firm, api_for, owner_b, reviewer):
    _enterprise, owner = firm
    api = api_for(owner)
    created = api.post(
        reverse("api-library-document-list"), {"material": "credit_commitment", "file": pdf()}, format="multipart"
    )
    assert created.status_code == 201 and created.json()["valid_until"]
    pk = created.json()["id"]
    assert [d["id"] for d in api.get(reverse("api-library-document-list")).json()["results"]] == [pk]
    assert api_for(owner_b).get(reverse("api-library-document-detail", args=[pk])).status_code == 404
    assert api_for(owner_b).delete(reverse("api-library-document-detail", args=[pk])).status_code == 404
    refused = api_for(reviewer).post(
        reverse("api-library-document-list"), {"material": "credit_commitment", "file": pdf()}, format="multipart"
    )
    assert refused.status_code == 403
    bad = api.post(
        reverse("api-library-document-list"), {"material": "audit_report", "file": pdf()}, format="multipart"
    )
    assert bad.status_code == 400 and "年度" in str(bad.json())
    assert api.get(reverse("api-library-document-download", args=[pk])).status_code == 200
    assert api.delete(reverse("api-library-document-detail", args=[pk])).status_code == 204
    assert LibraryDocument.objects.get(pk=pk).removed_at is not None


@pytest.mark.django_db
def test_api_quick_start_preview_create_and_reuse(catalogue, firm, api_for, owner_b):
    enterprise, owner = firm
    revenue_facts(enterprise)
    docs = library_of(owner)
    api = api_for(owner)
    preview = api.get(reverse("api-quick-start", args=[PROGRAMME])).json()
    assert {r["input"]: r["period"] for r in preview} == {"revenue_current": "2025-11", "revenue_previous": "2024-11"}
    made = api.post(reverse("api-quick-start", args=[PROGRAMME]), {}, format="json")
    assert made.status_code == 201 and set(made.json()["input_sources"]) == {"revenue_current", "revenue_previous"}
    app_pk = made.json()["application"]
    url = reverse("api-library-reuse", args=[app_pk])
    assert api_for(owner_b).post(url, {"document": docs["tax_certificate"].pk}, format="json").status_code == 404
    reused = api.post(url, {"document": docs["tax_certificate"].pk}, format="json")
    assert reused.status_code == 201 and reused.json()["material"] == "tax_certificate"
    again = api.post(url, {"document": docs["tax_certificate"].pk}, format="json")
    assert again.status_code == 400 and "已在本申报" in str(again.json())
    detail = api.get(reverse("api-application-detail", args=[app_pk])).json()
    assert detail["input_sources"]["revenue_current"]["period"] == "2025-11" and detail["payment_promised_on"] is None
    assert api_for(owner_b).get(reverse("api-quick-start", args=["no-such-programme"])).status_code == 404
