"""The service pages of issue 17: the home page (open windows, notices, footer), the 办事指南 (page,
API, material template), keyword search and the progress stepper."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone

from applications.models import ApplicationEvent
from applications.workflow import State
from reviews.models import PublicNotice
from reviews.service_steps import application_steps
from tests.reviews.conftest import make_app
from vouchers.models import ApplicationWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(catalogue):
    now = timezone.now()
    return ApplicationWindow.objects.create(
        programme=catalogue["hp-compute-voucher"],
        name="2026年第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
    )


@pytest.fixture
def notice(catalogue, bureau_admin):
    today = timezone.localdate()
    return PublicNotice.objects.create(
        title="2026年算力券拟支持名单公示",
        programme=catalogue["hp-compute-voucher"],
        published_by=bureau_admin,
        starts_on=today,
        ends_on=today + dt.timedelta(days=9),
        workdays=7,
    )


def test_home_shows_open_windows_notices_and_the_footer(window, notice, client_for, settings):
    page = client_for(None).get("/").content.decode()
    assert (
        "2026年第一批" in page
        and window.closes_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in page
    )
    assert "2026年算力券拟支持名单公示" in page and f"/notices/{notice.pk}/" in page
    assert "主办单位" in page and "广州开发区经济和信息化局" in page  # from the catalogue
    assert "受理单位" in page and "广州开发区政务服务和数据管理局" in page
    assert 'href="/verify/"' in page and "/guide/search/" in page
    assert "咨询电话：见各项目办事指南" in page  # no phone number invented
    settings.PORTAL_SERVICE_CONTACT = {"phone": "020-12345678", "address": "广州市某路1号", "hours": "", "email": ""}
    page = client_for(None).get("/").content.decode()
    assert "020-12345678" in page and "广州市某路1号" in page


def test_a_closed_window_is_not_shown_as_open(catalogue, client_for):
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=catalogue["hp-compute-voucher"],
        name="已截止批次",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=1),
    )
    page = client_for(None).get("/").content.decode()
    assert "已截止批次" not in page and "目前没有正在受理的申报批次" in page


def test_programme_guide_page_and_api(catalogue, window, client_for, api_for):
    page = client_for(None).get("/guide/hp-data-space/").content.decode()
    assert "办事指南" in page and "受理单位" in page and "广州开发区政务服务和数据管理局" in page
    assert "平台口径" in page and "第五条" in page  # the clause with its source, the reading marked
    assert "/guide/hp-data-space/templates/credit_commitment.docx" in page
    assert "形式审查" in page and "5 个工作日" in page and "实质审核" in page and "10 个工作日" in page
    assert "专家评审" not in page  # a standard path has no expert step
    data = api_for(None).get("/api/v1/guide/hp-compute-voucher/").json()
    assert data["unit"] and data["window"]["name"] == "2026年第一批"
    assert [s["key"] for s in data["steps"]][:2] == ["submit", "formal_review"]
    assert {"text", "source", "reading"} <= set(data["conditions"][0])
    assert api_for(None).get("/api/v1/guide/no-such-programme/").status_code == 404
    assert api_for(None).post("/api/v1/guide/hp-compute-voucher/", {}).status_code == 405


def test_credit_commitment_template_is_a_word_document(catalogue, client_for):
    response = client_for(None).get("/guide/hp-data-space/templates/credit_commitment.docx")
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        text = z.read("word/document.xml").decode()
    assert "信用承诺书" in text and "广州开发区政务服务和数据管理局" in text and "平台口径" in text
    assert client_for(None).get("/guide/hp-data-space/templates/business_license.docx").status_code == 404
    assert client_for(None).get("/guide/no-such/templates/credit_commitment.docx").status_code == 404
    assert client_for(None).post("/guide/hp-data-space/templates/credit_commitment.docx").status_code == 405


def test_keyword_search_finds_programmes_and_notices(notice, client_for):
    page = client_for(None).get("/guide/search/", {"q": "算力"}).content.decode()
    assert "/catalogue/hp-compute-voucher/" in page and "/guide/hp-compute-voucher/" in page
    assert "2026年算力券拟支持名单公示" in page
    page = client_for(None).get("/guide/search/", {"q": "算力 不存在的词"}).content.decode()
    assert "/catalogue/hp-compute-voucher/" not in page and "共找到 0 条结果" in page
    assert client_for(None).get("/guide/search/", {"q": "x" * 500}).status_code == 200
    assert client_for(None).post("/guide/search/", {"q": "算力"}).status_code == 405


def test_stepper_shows_the_current_step_with_its_deadline(catalogue, enterprise_a, owner_a, client_for, owner_b):
    app = make_app(enterprise_a, catalogue["hp-data-trading"], state=State.BUREAU_REVIEW)
    ApplicationEvent.objects.create(
        application=app, action="pass_formal_review", from_state=State.FORMAL_REVIEW, to_state=State.BUREAU_REVIEW
    )
    steps = {s["key"]: s for s in application_steps(app)}
    assert steps["formal_review"]["status"] == "done" and steps["supplement"]["status"] == "skipped"
    current = steps["bureau_review"]
    assert current["status"] == "current" and current["workdays"] == 10
    assert current["started_on"] == timezone.localdate() and current["deadline"] > current["started_on"]
    assert steps["notice"]["status"] == "todo" and steps["notice"]["deadline"] is None
    page = client_for(owner_a).get(f"/applications/{app.pk}/").content.decode()
    assert "办理进度" in page and f"期限 {current['deadline']:%Y-%m-%d}" in page and 'aria-current="step"' in page
    assert client_for(owner_b).get(f"/applications/{app.pk}/").status_code == 404  # not B's to see


def test_stepper_of_a_competitive_application_has_the_expert_step(catalogue, enterprise_a):
    programme = next(p for p in catalogue.values() if p.review_path == "competitive")
    app = make_app(enterprise_a, programme, state=State.EXPERT_REVIEW)
    steps = application_steps(app)
    assert [s["key"] for s in steps if s["status"] == "current"] == ["expert_review"]


def test_each_programmes_guide_carries_the_catalogues_notes_with_their_sources(catalogue, client_for, api_for):
    """The catalogue's guide blocks (vouchers/catalogue/*.yaml): what the policy texts say beyond the
    defaults, each note with its clause; a note without one is marked as the platform's reading."""
    page = client_for(None).get("/guide/hp-scenario-voucher/").content.decode()
    assert "政策有效期内遴选不超过30个项目" in page and "按照从高不重复的原则予以支持" in page
    assert "穗开经信规字〔2025〕7号 第四条" in page and "穗开经信规字〔2025〕7号 第十五条" in page
    for code, programme in catalogue.items():
        conditions = api_for(None).get(f"/api/v1/guide/{code}/").json()["conditions"]
        notes = conditions[1 + bool(programme.eligibility_zh) :]  # after the clause and its reading
        assert notes, f"{code}: no note of the catalogue's guide block"
        assert all(n["source"] and n["reading"] == (n["source"] == "平台口径") for n in notes), code
    events = api_for(None).get("/api/v1/guide/th-events/").json()["conditions"]
    assert any("事前申请" in c["text"] and c["reading"] for c in events)
