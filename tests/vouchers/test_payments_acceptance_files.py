"""验收报告 with its files: the enterprise submits its acceptance report with the acceptance documents
(checked by content: PDF, OFD, JPG, PNG within the size limit), on its page or through the API; the
bureau approves it (the tranche becomes due) or returns it with a reason (audited, the enterprise told);
only an approved report makes the later tranche due; the wrong member of the cast is refused and
nothing changes; the files are downloads for the enterprise and its district's administrators only."""

from __future__ import annotations

import pytest
from django.test import override_settings

from portal.models import AuditEvent, Notification
from vouchers.models import AcceptanceFile, AcceptanceReport, PaymentTranche

from .payments_helpers import approved_batch, committed_award, pdf

pytestmark = pytest.mark.django_db

SUMMARY = "促进中心建设完成，已通过第三方验收（验收报告 YS-2026-07）。"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def second(staged, enterprise_a, owner_a, bureau_admin, account_a):
    award = committed_award(
        staged,
        enterprise_a,
        owner_a,
        "3000000",
        actor=bureau_admin,
        tranches=[{"amount": "1000000"}, {"amount": "2000000"}],
    )
    return award.tranches.get(seq=2)


def nothing_recorded(tranche: PaymentTranche) -> tuple:
    tranche.refresh_from_db()
    return (
        tranche.status,
        AcceptanceReport.objects.count(),
        AcceptanceFile.objects.count(),
        AuditEvent.objects.filter(action__startswith="payments.acceptance").count(),
    )


def api_submit(api_for, user, tranche, **extra):
    body = {"summary": SUMMARY, "files": [pdf()], **extra}
    return api_for(user).post(f"/api/v1/payments/tranches/{tranche.pk}/acceptance/", body, format="multipart")


def test_the_api_takes_the_report_with_its_files_and_only_approval_makes_the_tranche_due(
    second, owner_a, bureau_admin, second_admin, api_for
):
    r = api_for(owner_a).post(
        f"/api/v1/payments/tranches/{second.pk}/acceptance/",
        {"summary": SUMMARY, "files": [pdf("验收报告.pdf"), pdf("专家意见.png", PNG)]},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert [f["original_name"] for f in body["files"]] == ["验收报告.pdf", "专家意见.png"]
    assert [f["content_type"] for f in body["files"]] == ["application/pdf", "image/png"]
    second.refresh_from_db()
    assert second.status == "waiting"  # submitted is not approved
    with pytest.raises(Exception):  # noqa: B017 - not in a batch while it waits
        approved_batch(second.award, bureau_admin, second_admin).lines.get(tranche=second)
    # the administrator downloads the files; the enterprise too
    url = body["files"][0]["download_url"]
    got = api_for(bureau_admin).get(url)
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    assert api_for(owner_a).get(url).status_code == 200
    # approved through the API: the tranche is due
    decided = api_for(bureau_admin).post(
        f"/api/v1/payments/acceptance/{body['id']}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    second.refresh_from_db()
    assert second.status == "due"


def test_returned_with_a_reason_audited_and_told_then_a_new_report(
    second, owner_a, bureau_admin, api_for, client_for, django_capture_on_commit_callbacks
):
    report = AcceptanceReport.objects.get(pk=api_submit(api_for, owner_a, second).json()["id"])
    admin = client_for(bureau_admin)
    page = admin.get("/manage/payments/acceptance/").content.decode()
    assert "YS-2026-07" in page and "验收报告.pdf" in page
    # returned without a reason: refused, nothing changed
    admin.post(f"/manage/payments/acceptance/{report.pk}/decide/", {"decision": "refuse", "note": ""})
    report.refresh_from_db()
    assert report.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            f"/manage/payments/acceptance/{report.pk}/decide/", {"decision": "refuse", "note": "缺少专家验收意见原件"}
        )
    report.refresh_from_db()
    second.refresh_from_db()
    assert report.status == "refused" and report.decision_note == "缺少专家验收意见原件"
    assert second.status == "waiting"
    event = AuditEvent.objects.get(action="payments.acceptance_decide", target_id=str(report.pk))
    assert event.actor == bureau_admin and event.note == "缺少专家验收意见原件"
    told = Notification.objects.get(recipient=owner_a, subject__startswith="验收未通过")
    assert "缺少专家验收意见原件" in told.body
    mine = client_for(owner_a).get("/payments/").content.decode()
    assert "缺少专家验收意见原件" in mine and "验收报告.pdf" in mine
    # a new report may follow, and its approval makes the tranche due
    again = api_submit(api_for, owner_a, second)
    assert again.status_code == 201
    api_for(bureau_admin).post(
        f"/api/v1/payments/acceptance/{again.json()['id']}/decide/", {"approve": True}, format="json"
    )
    second.refresh_from_db()
    assert second.status == "due"


def test_the_page_takes_the_report_with_its_files(second, owner_a, client_for):
    r = client_for(owner_a).post(f"/payments/tranches/{second.pk}/acceptance/", {"summary": SUMMARY, "files": [pdf()]})
    assert r.status_code == 302
    report = second.acceptance_reports.get()
    assert [f.original_name for f in report.files.all()] == ["验收报告.pdf"]
    page = client_for(owner_a).get("/payments/").content.decode()
    assert "验收报告.pdf" in page


@pytest.mark.parametrize(
    "files, message",
    [
        ([], "请上传验收材料"),
        ([("说明.txt", b"just some text, not a document")], "不是 PDF、JPG、PNG 或 OFD 格式"),
        ([("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 60)], "不是 PDF、JPG、PNG 或 OFD 格式"),
        ([("空.pdf", b"")], "文件"),
    ],
)
def test_a_report_without_acceptable_files_is_refused_and_nothing_recorded(
    second, owner_a, api_for, client_for, files, message
):
    before = nothing_recorded(second)
    uploads = [pdf(name, content) for name, content in files]
    r = api_for(owner_a).post(
        f"/api/v1/payments/tranches/{second.pk}/acceptance/", {"summary": SUMMARY, "files": uploads}, format="multipart"
    )
    assert r.status_code == 400
    if files and files[0][1]:
        assert message in r.content.decode()
    assert nothing_recorded(second) == before
    page = client_for(owner_a).post(
        f"/payments/tranches/{second.pk}/acceptance/",
        {"summary": SUMMARY, "files": [pdf(name, content) for name, content in files]},
        follow=True,
    )
    if files and files[0][1]:
        assert message in page.content.decode()
    assert nothing_recorded(second) == before


@override_settings(PORTAL_UPLOAD_MAX_FILE_BYTES=200)
def test_a_file_above_the_size_limit_is_refused(second, owner_a, api_for):
    before = nothing_recorded(second)
    r = api_submit(api_for, owner_a, second, files=[pdf("大文件.pdf", b"%PDF-1.7\n" + b"0" * 400)])
    assert r.status_code == 400 and "超过单个文件上限" in r.content.decode()
    assert nothing_recorded(second) == before


def test_a_too_short_summary_stores_no_file(second, owner_a, api_for):
    before = nothing_recorded(second)
    r = api_submit(api_for, owner_a, second, summary="完成")
    assert r.status_code == 400 and "至少10个字" in r.content.decode()
    assert nothing_recorded(second) == before


@pytest.mark.parametrize(
    "who, api_status, page_status",
    [
        ("owner_b", 404, 404),  # another enterprise: as if the tranche did not exist
        ("bureau_admin", 403, 403),  # staff do not report for the enterprise
        ("reviewer", 403, 403),
        ("bureau_admin_th", 403, 403),
        (None, 403, 302),  # anonymous
    ],
)
def test_the_wrong_member_of_the_cast_cannot_submit(second, request, api_for, client_for, who, api_status, page_status):
    user = request.getfixturevalue(who) if who else None
    before = nothing_recorded(second)
    assert api_submit(api_for, user, second).status_code == api_status
    page = client_for(user).post(f"/payments/tranches/{second.pk}/acceptance/", {"summary": SUMMARY, "files": [pdf()]})
    assert page.status_code == page_status
    assert nothing_recorded(second) == before


@pytest.mark.parametrize("who", ["owner_b", "reviewer", "bureau_admin_th", "owner_a"])
def test_the_wrong_member_of_the_cast_cannot_decide(second, owner_a, request, api_for, client_for, who):
    report = AcceptanceReport.objects.get(pk=api_submit(api_for, owner_a, second).json()["id"])
    user = request.getfixturevalue(who)
    before = nothing_recorded(second)
    r = api_for(user).post(f"/api/v1/payments/acceptance/{report.pk}/decide/", {"approve": True}, format="json")
    assert r.status_code in (403, 404)
    page = client_for(user).post(f"/manage/payments/acceptance/{report.pk}/decide/", {"decision": "approve"})
    assert page.status_code in (403, 404)
    report.refresh_from_db()
    assert report.status == "submitted" and nothing_recorded(second) == before


@pytest.mark.parametrize("who", ["owner_b", "reviewer", "bureau_admin_th"])
def test_the_files_are_not_anyone_elses(second, owner_a, request, api_for, client_for, who):
    report = AcceptanceReport.objects.get(pk=api_submit(api_for, owner_a, second).json()["id"])
    f = report.files.get()
    user = request.getfixturevalue(who)
    assert api_for(user).get(f"/api/v1/payments/acceptance-files/{f.pk}/").status_code == 404
    assert client_for(user).get(f"/payments/acceptance-files/{f.pk}/").status_code == 404
    assert client_for(None).get(f"/payments/acceptance-files/{f.pk}/").status_code == 302
