"""集体决策: a competitive programme's approved applications go to public notice only once the meeting
that decided them is recorded (name, date, attendees, minutes, optional signed minutes); the
administrator's list of approvals awaiting notice shows each amount — pages and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.workflow import State
from portal.models import AuditEvent
from reviews.models import CollectiveDecision, PublicNotice
from reviews.services import notices
from reviews.services.collective import collective_decision_record

from ..approvals import approve
from .conftest import PDF, assign_to, make_app, make_pool, make_window

pytestmark = pytest.mark.django_db

MEETING = {
    "meeting_name": "2026年第5次局务会议",
    "attendees": "张局长（主持）\n李副局长\n王科长",
    "minutes": "会议审议了拟支持名单，同意予以支持，进入公示。",
}


@pytest.fixture
def approved(catalogue, clock, enterprise_a, owner_a, reviewer):
    """An approved application of a competitive programme awaiting its notice (600,000 元)."""
    programme = catalogue["hp-vertical-model-compute"]
    make_pool(programme, 2026)
    app = make_app(
        enterprise_a,
        programme,
        state=State.BUREAU_REVIEW,
        inputs={"compute_spend": "2000000"},
        window=make_window(programme),
    )
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="600000")
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE
    return app


@pytest.fixture
def standard_approved(catalogue, clock, enterprise_b, owner_b, reviewer):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    app = make_app(enterprise_b, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000")
    return app


def test_the_notice_of_a_competitive_programme_waits_for_its_collective_decision(approved, bureau_admin):
    before = (PublicNotice.objects.count(), approved.events.count())
    with pytest.raises(ValidationError) as exc:
        notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])
    assert "须先记录集体决策" in str(exc.value) and approved.reference in str(exc.value)
    approved.refresh_from_db()
    assert approved.state == State.APPROVED_PENDING_NOTICE
    assert (PublicNotice.objects.count(), approved.events.count()) == before

    record = collective_decision_record(
        actor=bureau_admin,
        programme=approved.programme,
        application_ids=[approved.pk],
        meeting_date=dt.date(2026, 3, 9),
        **MEETING,
    )
    assert list(record.applications.all()) == [approved]
    assert AuditEvent.objects.filter(action="review.collective_decision", target_id=str(record.pk)).exists()
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[approved.pk])
    approved.refresh_from_db()
    assert approved.state == State.IN_PUBLIC_NOTICE and notice.entries.get().amount == Decimal("600000.00")


def test_standard_programmes_need_no_collective_decision(standard_approved, bureau_admin):
    notices.notice_publish(actor=bureau_admin, application_ids=[standard_approved.pk])
    standard_approved.refresh_from_db()
    assert standard_approved.state == State.IN_PUBLIC_NOTICE


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"meeting_name": " "}, "meeting_name", "请填写会议名称。"),
        ({"meeting_date": None}, "meeting_date", "请填写会议日期。"),
        ({"meeting_date": dt.date(2026, 3, 11)}, "meeting_date", "会议日期不能晚于今天。"),
        ({"attendees": ""}, "attendees", "请填写参会人员。"),
        ({"minutes": ""}, "minutes", "请填写会议纪要或决策意见。"),
        ({"application_ids": []}, "application_ids", "请选择本次集体决策的申报。"),
    ],
)
def test_a_collective_decision_needs_each_fact(approved, bureau_admin, change, field, message):
    data = {**MEETING, "meeting_date": dt.date(2026, 3, 9), "application_ids": [approved.pk], **change}
    with pytest.raises(ValidationError) as exc:
        collective_decision_record(actor=bureau_admin, programme=approved.programme, **data)
    assert exc.value.message_dict[field] == [message]
    assert not CollectiveDecision.objects.exists()


def test_only_approved_applications_of_a_competitive_programme(approved, standard_approved, bureau_admin, reviewer):
    with pytest.raises(ValidationError) as exc:
        collective_decision_record(
            actor=bureau_admin,
            programme=approved.programme,
            application_ids=[approved.pk, standard_approved.pk],
            meeting_date=dt.date(2026, 3, 9),
            **MEETING,
        )
    assert standard_approved.reference in exc.value.message_dict["application_ids"][0]
    with pytest.raises(ValidationError) as exc:
        collective_decision_record(
            actor=bureau_admin,
            programme=standard_approved.programme,
            application_ids=[standard_approved.pk],
            meeting_date=dt.date(2026, 3, 9),
            **MEETING,
        )
    assert "不是竞争性评审项目" in exc.value.message_dict["programme"][0]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        collective_decision_record(
            actor=reviewer,
            programme=approved.programme,
            application_ids=[approved.pk],
            meeting_date=dt.date(2026, 3, 9),
            **MEETING,
        )
    assert not CollectiveDecision.objects.exists()


def test_recorded_on_the_page_with_the_signed_minutes(approved, bureau_admin, reviewer, client_for):
    page = client_for(bureau_admin)
    listing = page.get("/review/notices/").content.decode()
    assert "600,000.00" in listing and "未记录" in listing and "记录集体决策" in listing
    refused = page.post("/review/notices/publish/", {"ids": [approved.pk], "workdays": "7", "title": ""})
    assert refused.status_code == 400 and "须先记录集体决策" in refused.content.decode()
    url = f"/review/collective-decisions/new/?programme={approved.programme.code}"
    form = page.get(url)
    assert form.status_code == 200 and approved.reference in form.content.decode()
    bad = page.post(
        url,
        {
            "programme": approved.programme.code,
            "ids": [approved.pk],
            "meeting_name": "",
            "meeting_date": "2026-03-09",
            "attendees": "",
            "minutes": "同意。",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 400 and "请填写会议名称。" in text and "请填写参会人员。" in text
    ok = page.post(
        url,
        {
            "programme": approved.programme.code,
            "ids": [approved.pk],
            "meeting_date": "2026-03-09",
            "file": SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf"),
            **MEETING,
        },
    )
    assert ok.status_code == 302
    record = CollectiveDecision.objects.get()
    assert record.original_name.endswith(".pdf") and record.sha256
    download = page.get(f"/review/collective-decisions/{record.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client_for(reviewer).get(f"/review/collective-decisions/{record.pk}/file/").status_code == 403
    assert "已记录" in page.get("/review/notices/").content.decode()
    assert (
        page.post("/review/notices/publish/", {"ids": [approved.pk], "workdays": "7", "title": ""}).status_code == 302
    )
    approved.refresh_from_db()
    assert approved.state == State.IN_PUBLIC_NOTICE


def test_recorded_and_listed_through_the_api(approved, bureau_admin, reviewer, api_for):
    api = api_for(bureau_admin)
    pending = api.get("/api/v1/reviews/notices/pending/").json()
    [group] = pending["groups"]
    assert group["competitive"] and group["total"] == "600000.00"
    [row] = group["applications"]
    assert row["amount"] == "600000.00" and row["collective_decision"] is False
    assert api.post("/api/v1/reviews/notices/", {"application_ids": [approved.pk]}, format="json").status_code == 400
    body = {
        "programme": approved.programme.code,
        "application_ids": [approved.pk],
        "meeting_date": "2026-03-09",
        **MEETING,
    }
    assert api.post("/api/v1/reviews/collective-decisions/", {**body, "minutes": ""}, format="json").json()[
        "minutes"
    ] == ["请填写会议纪要或决策意见。"]
    assert api_for(reviewer).post("/api/v1/reviews/collective-decisions/", body, format="json").status_code == 403
    r = api.post("/api/v1/reviews/collective-decisions/", body, format="json")
    assert r.status_code == 201 and r.json()["applications"] == [approved.reference]
    listed = api.get("/api/v1/reviews/collective-decisions/").json()["results"][0]
    assert listed["meeting_name"] == MEETING["meeting_name"]
    assert api.get("/api/v1/reviews/notices/pending/").json()["groups"][0]["applications"][0]["collective_decision"]
    assert api.post("/api/v1/reviews/notices/", {"application_ids": [approved.pk]}, format="json").status_code == 201


def test_the_pending_list_shows_each_amount(standard_approved, bureau_admin, client_for, api_for):
    page = client_for(bureau_admin).get("/review/notices/").content.decode()
    assert standard_approved.reference in page and "150,000.00" in page
    group = api_for(bureau_admin).get("/api/v1/reviews/notices/pending/").json()["groups"][0]
    assert group["applications"][0]["amount"] == "150000.00" and group["applications"][0]["collective_decision"] is None
