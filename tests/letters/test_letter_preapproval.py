"""事前同意函: approving a th-events pre-approval issues the responsible unit's letter in the same
transaction (its own 复字 series, gapless); a refusal issues none; the enterprise sees it on its
pre-approval page, in the API and on the public verification page; the wrong member of the cast is
refused and nothing changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import PreApproval
from portal.models import AuditEvent
from reviews.letters.services import letter_create
from reviews.models import Letter, LetterIssuer, LetterSeries
from reviews.services.preapproval_letters import preapproval_decide_with_letter

from .conftest import pdf_text, squash
from .helpers import make_award

pytestmark = pytest.mark.django_db


def make_preapproval(catalogue, enterprise, owner, *, n: int = 7) -> PreApproval:
    return PreApproval.objects.create(
        reference=f"SQ2026-{n:06d}",
        enterprise=enterprise,
        programme=catalogue["th-events"],
        event_name="天河人工智能大模型产业峰会",
        event_date=timezone.localdate() + dt.timedelta(days=30),
        venue="天河区体育西路",
        plan="主论坛、三场分论坛。",
        budget=Decimal("800000.00"),
        requested_by=owner,
    )


@pytest.fixture
def pending(catalogue, enterprise_a, owner_a) -> PreApproval:
    return make_preapproval(catalogue, enterprise_a, owner_a)


def nothing_issued(p: PreApproval) -> None:
    p.refresh_from_db()
    assert p.state == PreApproval.State.PENDING
    assert not Letter.objects.exists() and not LetterSeries.objects.filter(last_serial__gt=0).exists()
    assert not AuditEvent.objects.filter(action__in=["preapproval.approve", "letter.create"]).exists()


def test_approving_issues_the_letter_in_the_same_transaction(
    pending, reviewer_th, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decided = preapproval_decide_with_letter(
            actor=reviewer_th, preapproval=pending, approve=True, reason="同意，请按方案举办。"
        )
    [letter] = Letter.objects.all()
    letter.refresh_from_db()
    year = timezone.localdate().year
    assert decided.state == PreApproval.State.APPROVED
    assert (letter.kind, letter.application, letter.preapproval, letter.programme.code) == (
        "preapproval",
        None,
        pending,
        "th-events",
    )
    assert letter.number == f"天科工信复字〔{year}〕1号"  # its own series, not the approvals' 批字
    assert (letter.authority, letter.enterprise, letter.amount) == (
        "广州市天河区科技工业和信息化局",
        pending.enterprise,
        None,
    )  # grants no money
    assert letter.status == Letter.Status.READY and letter.template == "preapproval_v1"
    text = squash(pdf_text(letter.pdf.read()))
    for expected in (
        letter.number,
        "关于同意",
        "事前申请的函",
        pending.reference,
        pending.event_name,
        "捌拾万元整",
        "不是对支持资金的核定",
        "特此函复",
        letter.code,
    ):
        assert squash(expected) in text, expected
    assert AuditEvent.objects.filter(
        action="letter.create", target_id=str(letter.pk), after__preapproval=pending.reference
    ).exists()


def test_a_refusal_issues_no_letter(pending, reviewer_th):
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=pending, approve=False, reason="方案不完整。")
    pending.refresh_from_db()
    assert pending.state == PreApproval.State.REFUSED and not Letter.objects.exists()


def test_no_letter_no_approval(pending, reviewer_th, catalogue):
    """The letter cannot be issued (no issuing authority): the approval is rolled back with it and no
    number is taken."""
    programme = catalogue["th-events"]
    programme.letter_prefix, programme.policy.letter_prefix = "", ""
    programme.save(update_fields=["letter_prefix"])
    programme.policy.save(update_fields=["letter_prefix"])
    with pytest.raises(ValidationError, match="未设置发文机关"):
        preapproval_decide_with_letter(actor=reviewer_th, preapproval=pending, approve=True)
    nothing_issued(pending)


def test_numbers_are_gapless_and_the_series_word_is_data(
    catalogue, enterprise_a, enterprise_b, owner_a, owner_b, reviewer_th
):
    year = timezone.localdate().year
    first = make_preapproval(catalogue, enterprise_a, owner_a, n=1)
    second = make_preapproval(catalogue, enterprise_b, owner_b, n=2)
    third = make_preapproval(catalogue, enterprise_a, owner_a, n=3)
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=first, approve=True)
    with pytest.raises(ValidationError):  # refused without a reason: nothing taken
        preapproval_decide_with_letter(actor=reviewer_th, preapproval=second, approve=False)
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=second, approve=True)
    assert [x.number for x in Letter.objects.order_by("serial")] == [
        f"天科工信复字〔{year}〕1号",
        f"天科工信复字〔{year}〕2号",
    ]
    LetterIssuer.objects.create(authority="广州市天河区科技工业和信息化局", series_words={"preapproval": "同意字"})
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=third, approve=True)
    assert Letter.objects.get(preapproval=third).number == f"天科工信同意字〔{year}〕1号"


def test_the_letter_is_about_exactly_one_subject(pending, application_a, reviewer_th):
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=pending, approve=True)
    letter = Letter.objects.get()
    for application, preapproval in ((application_a, pending), (None, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Letter.objects.filter(pk=letter.pk).update(application=application, preapproval=preapproval)
    with pytest.raises(IntegrityError), transaction.atomic():  # an application's letter is not a 事前同意函
        Letter.objects.filter(pk=letter.pk).update(application=application_a, preapproval=None)


@pytest.mark.parametrize("who", ["owner_a", "owner_b", "expert", "reviewer"])
def test_only_the_districts_bureau_issues_it(pending, request, who):
    """Enterprises and experts are refused; Huangpu's reviewer is another district's (所属区域)."""
    with pytest.raises(PermissionDenied):
        preapproval_decide_with_letter(actor=request.getfixturevalue(who), preapproval=pending, approve=True)
    nothing_issued(pending)


def test_the_enterprise_sees_it_on_its_page_in_the_api_and_at_verify(
    pending, reviewer_th, owner_a, owner_b, client_for, api_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        preapproval_decide_with_letter(actor=reviewer_th, preapproval=pending, approve=True)
    letter = Letter.objects.get()
    page = client_for(owner_a).get(reverse("applications:preapproval_detail", args=[pending.pk])).content.decode()
    assert letter.number in page and reverse("reviews:letter_download", args=[letter.pk]) in page
    body = api_for(owner_a).get(f"/api/v1/preapprovals/{pending.pk}/").json()
    assert [x["number"] for x in body["letters"]] == [letter.number]
    assert body["letters"][0]["download_url"] == reverse("reviews:letter_download", args=[letter.pk])
    download = client_for(owner_a).get(body["letters"][0]["download_url"])
    assert download.status_code == 200 and download["X-Content-SHA256"] == letter.sha256
    mine = api_for(owner_a).get("/api/v1/letters/").json()["results"]
    assert [(x["number"], x["application"], x["preapproval"]) for x in mine] == [
        (letter.number, None, pending.reference)
    ]
    assert letter.number in client_for(owner_a).get(reverse("reviews:letter_list")).content.decode()
    # another enterprise: nothing of it
    assert client_for(owner_b).get(reverse("reviews:letter_download", args=[letter.pk])).status_code == 404
    assert api_for(owner_b).get("/api/v1/letters/").json()["results"] == []
    # public verification by its code
    verify = client_for(None).get(reverse("reviews:letter_verify", args=[letter.code]))
    assert verify.status_code == 200 and letter.number in verify.content.decode()
    assert "（）" not in verify.content.decode()
    assert api_for(None).get(f"/api/v1/letters/verify/{letter.code}/").json()["valid"] is True


def test_the_page_and_the_api_decide_with_the_letter(
    catalogue, pending, reviewer_th, bureau_admin_th, enterprise_a, owner_a, owner_b, reviewer, client_for, api_for
):
    url = f"/api/v1/preapprovals/{pending.pk}/decide/"
    assert api_for(owner_a).post(url, {"approve": True}, format="json").status_code == 403
    assert api_for(owner_b).post(url, {"approve": True}, format="json").status_code == 404
    assert api_for(reviewer).post(url, {"approve": True}, format="json").status_code == 404  # Huangpu's
    assert (
        client_for(owner_a)
        .post(reverse("reviews:preapproval_decide", args=[pending.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    nothing_issued(pending)
    response = api_for(reviewer_th).post(url, {"approve": True, "reason": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert [x["number"] for x in response.json()["letters"]] == [Letter.objects.get().number]
    other = make_preapproval(catalogue, enterprise_a, owner_a, n=8)
    done = client_for(bureau_admin_th).post(
        reverse("reviews:preapproval_decide", args=[other.pk]), {"decision": "approve", "reason": ""}
    )
    assert done.status_code == 302 and Letter.objects.filter(preapproval=other, kind="preapproval").count() == 1


def test_bureau_staff_of_another_district_do_not_see_it(
    pending, reviewer_th, reviewer, bureau_admin, client_for, api_for
):
    preapproval_decide_with_letter(actor=reviewer_th, preapproval=pending, approve=True)
    letter = Letter.objects.get()
    assert letter.number in client_for(reviewer_th).get(reverse("reviews:letter_list")).content.decode()
    for huangpu in (reviewer, bureau_admin):
        assert api_for(huangpu).get(f"/api/v1/letters/{letter.pk}/").status_code == 404
        assert client_for(huangpu).get(reverse("reviews:letter_download", args=[letter.pk])).status_code == 404


def test_an_existing_application_letter_keeps_working(application_a, reviewer):
    """Letters about applications are issued as before and name their application's programme."""
    make_award(application=application_a, amount="1000")
    with transaction.atomic():
        letter = letter_create(application=application_a, kind="approval", actor=reviewer)
    assert (letter.application, letter.preapproval, letter.programme) == (application_a, None, application_a.programme)
