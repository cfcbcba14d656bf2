"""追回决定书: the claw-back decision issues its letter in the same transaction (reason, amount owed in
figures and capitals, how and by when to repay, the remedies as on a decline), from the page and the
API that decide it; the wrong member of the cast is refused and nothing changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Role
from reviews.models import Letter, LetterIssuer, LetterSeries
from reviews.services.clawback_letters import clawback_decide_with_letter
from tests.factories import UserFactory
from tests.vouchers.payments_helpers import LUMP, approved_batch, committed_award, today, verified_account
from vouchers.models import Award, Clawback
from vouchers.services.payments import LineResult, batch_results_record

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db
REASON = "经核查，企业提供的备案材料与实际不符，依据第十二条追回已拨付资金。"
AUTHORITY = "广州开发区经济和信息化局"


@pytest.fixture
def paid_award(catalogue, enterprise_a, owner_a, bureau_admin):
    """A's lump-sum award of 800,000, paid in full (a batch prepared and approved by two administrators)."""
    award_a = committed_award(catalogue[LUMP], enterprise_a, owner_a, "800000", actor=bureau_admin)
    verified_account(enterprise_a, owner_a, bureau_admin)
    second_admin = UserFactory(role=Role.BUREAU_ADMIN, email="admin2@example.cn", is_staff=True)
    batch = approved_batch(award_a, bureau_admin, second_admin)
    batch_results_record(
        actor=bureau_admin,
        batch=batch,
        results=[
            LineResult(seq=ln.seq, paid=True, paid_on=today(), voucher_number=f"GK-{ln.seq}")
            for ln in batch.lines.all()
        ],
    )
    award_a.refresh_from_db()
    return award_a


def unchanged(award: Award) -> None:
    status = award.status
    award.refresh_from_db()
    assert award.status == status and not Clawback.objects.exists()
    assert not Letter.objects.filter(kind="clawback").exists()
    assert not LetterSeries.objects.filter(prefix__endswith="决字").exists()
    assert not AuditEvent.objects.filter(action__in=["payments.clawback_decide", "letter.create"]).exists()


def test_the_decision_issues_its_letter(paid_award, bureau_admin, owner_a, django_capture_on_commit_callbacks):
    LetterIssuer.objects.create(
        authority=AUTHORITY,
        repayment_account_name="广州开发区财政国库支付中心",
        repayment_bank="中国工商银行广州开发区支行",
        repayment_account_number="3602000109000123456",
    )
    with django_capture_on_commit_callbacks(execute=True):
        c = clawback_decide_with_letter(
            actor=bureau_admin,
            award=paid_award,
            amount="300000.50",
            reason=REASON,
            due_on=today().replace(year=today().year + 1, month=1, day=15),
        )
    letter = Letter.objects.get(kind="clawback")
    year = timezone.localdate().year
    assert (letter.clawback, letter.application, letter.enterprise) == (
        c,
        paid_award.application,
        paid_award.enterprise,
    )
    assert letter.number == f"穗开经信决字〔{year}〕1号" and letter.amount == c.amount
    assert letter.status == Letter.Status.READY and letter.template == "clawback_v1"
    text = squash(pdf_text(letter.pdf.read()))
    for expected in (
        "支持资金的决定",
        REASON,
        "300,000.50",
        "叁拾万元伍角",
        c.number,
        "3602000109000123456",
        "中国工商银行广州开发区支行",
        f"{year + 1}年1月15日前",
        "六十日内向广州市黄埔区人民政府申请行政复议",
        "六个月内",
        "行政诉讼",
        "自收到本决定书之日起",
        "特此决定",
    ):
        assert squash(expected) in text, expected
    # the enterprise sees it with what it owes; the administrator on the award's page
    assert letter.number in _page(owner_a, "/payments/")
    assert letter.number in _page(bureau_admin, f"/manage/payments/awards/{paid_award.pk}/")


def _page(user, url):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return client.get(url).content.decode()


def test_without_an_account_configured_the_letter_names_who_tells_it(
    paid_award, bureau_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clawback_decide_with_letter(actor=bureau_admin, award=paid_award, amount="1000", reason=REASON)
    text = squash(pdf_text(Letter.objects.get(kind="clawback").pdf.read()))
    assert squash("另行书面告知") in text and squash("自收到本决定书之日起30日内") in text


def test_no_letter_no_claw_back(paid_award, bureau_admin):
    """The letter cannot be issued (no issuing authority): the decision is rolled back with it."""
    programme = paid_award.programme
    programme.letter_prefix, programme.policy.letter_prefix = "", ""
    programme.save(update_fields=["letter_prefix"])
    programme.policy.save(update_fields=["letter_prefix"])
    with pytest.raises(ValidationError, match="未设置发文机关"):
        clawback_decide_with_letter(actor=bureau_admin, award=paid_award, amount="1000", reason=REASON)
    unchanged(paid_award)


@pytest.mark.parametrize("who", ["reviewer", "owner_a", "owner_b", "expert", "bureau_admin_th"])
def test_only_the_districts_administrator_decides(paid_award, request, who):
    with pytest.raises(PermissionDenied):
        clawback_decide_with_letter(actor=request.getfixturevalue(who), award=paid_award, amount="1000", reason=REASON)
    unchanged(paid_award)


def test_the_page_decides_with_the_letter(paid_award, bureau_admin, reviewer, owner_a, bureau_admin_th, client_for):
    url = reverse("reviews:payment_award_clawback", args=[paid_award.pk])
    assert url == f"/manage/payments/awards/{paid_award.pk}/clawback/"  # the URL it always had
    data = {"amount": "2500.50", "reason": "部分支出不合规，予以追回。"}
    assert client_for(reviewer).post(url, data).status_code == 403
    assert client_for(owner_a).post(url, data).status_code == 403
    assert client_for(bureau_admin_th).post(url, data).status_code == 404  # Huangpu's award
    assert client_for(None).post(url, data).status_code == 302  # to the login
    unchanged(paid_award)
    assert client_for(bureau_admin).post(url, data).status_code == 302
    assert Letter.objects.filter(kind="clawback", clawback__amount="2500.50").count() == 1


def test_the_api_decides_with_the_letter(paid_award, bureau_admin, reviewer, owner_a, bureau_admin_th, api_for):
    data = {"award": paid_award.pk, "amount": "1000.00", "reason": REASON}
    assert api_for(owner_a).post("/api/v1/payments/clawbacks/", data, format="json").status_code == 403
    assert api_for(reviewer).post("/api/v1/payments/clawbacks/", data, format="json").status_code == 403
    assert api_for(bureau_admin_th).post("/api/v1/payments/clawbacks/", data, format="json").status_code == 404
    assert api_for(None).post("/api/v1/payments/clawbacks/", data, format="json").status_code in (401, 403)
    unchanged(paid_award)
    response = api_for(bureau_admin).post("/api/v1/payments/clawbacks/", data, format="json")
    assert response.status_code == 201, response.content
    letter = Letter.objects.get(kind="clawback")
    assert response.json()["letter"]["number"] == letter.number and response.json()["amount"] == "1000.00"
    listing = api_for(owner_a).get("/api/v1/payments/clawbacks/").json()["results"]
    assert [x["letter"]["number"] for x in listing] == [letter.number]
    assert api_for(owner_a).get("/api/v1/letters/").json()["results"][0]["kind"] == "clawback"
