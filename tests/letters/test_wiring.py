"""The review workflow issues the letters in its own transactions: the supplement notice on a
return for supplement, the decline notice on a decline or an upheld objection, the approval letter
(and for voucher programmes the voucher) when the public notice ends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from applications.workflow import State
from reviews.models import Letter, LetterSeries
from reviews.services import formal, notices, objections
from tests.approvals import approve, decline
from tests.reviews.conftest import Clock, assign_to, at, make_app, make_pool
from vouchers.models import Voucher

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    from unittest import mock

    from django.utils import timezone

    c = Clock(at(2026, 3, 10))
    with mock.patch.object(timezone, "now", c):
        yield c


def test_return_for_supplement_issues_the_supplement_notice(
    catalogue, clock, enterprise_a, reviewer, django_capture_on_commit_callbacks
):
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.FORMAL_REVIEW,
        materials=["business_license", "credit_commitment", "contract"],
    )
    assign_to(app, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        sr = formal.formal_review_return(
            actor=reviewer,
            application=app,
            note="请补齐",
            items=[{"code": "exchange_certificate", "note": "须加盖交易所公章"}, {"code": "invoice"}],
        )
    letter = Letter.objects.get(application=app, kind=Letter.Kind.SUPPLEMENT)
    assert letter.status == Letter.Status.READY and letter.issued_on.isoformat() == "2026-03-10"
    assert letter.number == "穗开政数补字〔2026〕1号"  # the 补正通知书's own series (issue 16)
    text = squash(pdf_text(letter.pdf.read()))
    for item in sr.items.all():
        assert squash(item.label) in text
    assert "须加盖交易所公章" in text and "2026年3月17日" in text


def test_refused_return_takes_no_number(catalogue, clock, enterprise_a, reviewer):
    app = make_app(
        enterprise_a,
        catalogue["hp-data-trading"],
        state=State.FORMAL_REVIEW,
        materials=["business_license", "credit_commitment", "contract"],
    )
    assign_to(app, reviewer)
    with pytest.raises(ValidationError):  # leaves a missing material out (一次性告知)
        formal.formal_review_return(
            actor=reviewer, application=app, items=[{"code": "invoice"}], note="请一次性补正所列材料。"
        )
    assert not Letter.objects.exists() and not LetterSeries.objects.filter(last_serial__gt=0).exists()


def test_decline_issues_the_decline_notice(
    catalogue, clock, enterprise_a, reviewer, django_capture_on_commit_callbacks
):
    app = make_app(enterprise_a, catalogue["hp-data-trading"], state=State.BUREAU_REVIEW)
    assign_to(app, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        decline(actor=reviewer, application=app, reason="场内交易额未达到100万元。")
    letter = Letter.objects.get(application=app)
    assert letter.kind == Letter.Kind.DECLINE and letter.amount is None
    assert "场内交易额未达到100万元" in squash(pdf_text(letter.pdf.read()))


def test_voucher_programme_final_approval_issues_voucher_and_approval_letter(
    catalogue, clock, enterprise_a, reviewer, bureau_admin, django_capture_on_commit_callbacks
):
    programme = catalogue["hp-compute-voucher"]
    make_pool(programme, 2026)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"eligible_cost": "300000"})
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="300000.00")
    clock.set(at(2026, 3, 13, 10))
    notices.notice_publish(actor=bureau_admin, application_ids=[app.pk])
    clock.set(at(2026, 3, 25, 0, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.public_notices_close_due()["finalized"] == [app.pk]
    voucher = Voucher.objects.get(award__application=app)
    assert voucher.face_value == Decimal("300000.00") and voucher.enterprise == enterprise_a
    assert voucher.issued_on.isoformat() == "2026-03-25" and voucher.expires_on.isoformat() == "2027-03-24"
    letter = Letter.objects.get(application=app, kind=Letter.Kind.APPROVAL)
    assert letter.amount == Decimal("300000.00") and letter.created_by is None
    text = squash(pdf_text(letter.pdf.read()))
    assert voucher.code in text and "300,000.00" in text and "人民币叁拾万元整" in text
    assert "2027年3月24日" in text and "第二条" in text


def test_upheld_objection_issues_the_decline_notice(
    catalogue, clock, enterprise_a, reviewer, bureau_admin, django_capture_on_commit_callbacks
):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)
    approve(actor=reviewer, application=app, amount="150000.00")
    notices.notice_publish(actor=bureau_admin, application_ids=[app.pk])
    with django_capture_on_commit_callbacks(execute=True):
        objections.notice_uphold(actor=bureau_admin, application=app, reason="交易额虚报")
    letter = Letter.objects.get(application=app)
    assert letter.kind == Letter.Kind.DECLINE
    assert "交易额虚报" in squash(pdf_text(letter.pdf.read()))
    assert not Voucher.objects.exists()
