"""Two-party awards (th-scenario-demo, 培育措施 3: the supplier and the buyer each get 10% of what was
paid under the contract): both parties must be above-scale Tianhe enterprises; a party that is not
the applicant confirms its part in its own account before its line can be approved; each party gets
its own approval letter, addressed to it, and sees its own award (page and API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import District
from applications.workflow import State
from portal.models import AuditEvent, Notification
from reviews.letters.selectors import letters_for_actor
from reviews.models import Letter, PartyConfirmation
from reviews.selectors import decision_context
from reviews.services import notices, parties
from tests.approvals import approve, collective
from vouchers.models import Award

from ..factories import EnterpriseFactory, member
from .conftest import assign_to, at, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(reviewer_th):
    """th-scenario-demo is th2024's: Tianhe's bureau works it (所属区域); the conftest's staff are Huangpu's."""
    return reviewer_th


@pytest.fixture
def bureau_admin(bureau_admin_th):
    return bureau_admin_th


TIANHE = {
    "registered_district": District.TIANHE,
    "tax_district": District.TIANHE,
    "stats_district": District.TIANHE,
    "is_above_scale": True,
}


@pytest.fixture
def scenario(catalogue, clock):
    programme = catalogue["th-scenario-demo"]
    make_pool(programme, 2026)
    return programme


@pytest.fixture
def supplier(db):
    return EnterpriseFactory(name="广州天河供应方科技有限公司", **TIANHE)


@pytest.fixture
def supplier_owner(supplier):
    return member(supplier, email="supplier@example.cn")


@pytest.fixture
def buyer(db):
    return EnterpriseFactory(name="广州天河采购方集团有限公司", **TIANHE)


@pytest.fixture
def buyer_owner(buyer):
    return member(buyer, email="buyer@example.cn")


def scenario_app(programme, supplier, buyer, reviewer, *, paid="3000000", state=State.BUREAU_REVIEW):
    app = make_app(
        supplier,
        programme,
        state=state,
        inputs={"contract_paid": paid, "supplier_uscc": supplier.credit_code, "buyer_uscc": buyer.credit_code},
    )
    assign_to(app, reviewer)
    return app


# ---------------------------------------------------------------- both parties are checked


def test_a_huangpu_buyer_below_scale_is_refused(scenario, supplier, supplier_owner, reviewer):
    """The bug of issue 14: only the applicant (the supplier) was checked."""
    buyer = EnterpriseFactory(name="广州黄埔采购方有限公司", is_above_scale=False)  # Huangpu (factory default)
    member(buyer)
    app = scenario_app(scenario, supplier, buyer, reviewer)
    ctx = decision_context(app)
    assert ctx["estimate"].eligible is False
    reasons = "；".join(ctx["estimate"].reasons)
    assert "采购方" in reasons and "规模以上" in reasons and "天河区" in reasons
    before = snapshot(app)
    with pytest.raises(ValidationError):
        approve(actor=reviewer, application=app, amounts={"supplier": "300000", "buyer": "300000"})
    assert snapshot(app) == before and not Award.objects.filter(application=app).exists()


HUANGPU = {
    "registered_district": District.HUANGPU,
    "tax_district": District.HUANGPU,
    "stats_district": District.HUANGPU,
}


@pytest.mark.parametrize("change, words", [({"is_above_scale": False}, "规模以上"), (HUANGPU, "天河区")])
def test_either_failing_condition_of_the_buyer_alone_refuses(scenario, supplier, reviewer, change, words):
    buyer = EnterpriseFactory(**{**TIANHE, **change})
    app = scenario_app(scenario, supplier, buyer, reviewer)
    est = decision_context(app)["estimate"]
    assert est.eligible is False and any(words in r and "采购方" in r for r in est.reasons)


def test_the_supplier_is_checked_when_the_buyer_applies(scenario, buyer, buyer_owner, reviewer):
    huangpu_supplier = EnterpriseFactory(name="广州黄埔供应方有限公司")
    app = make_app(
        buyer,
        scenario,
        state=State.BUREAU_REVIEW,
        inputs={
            "contract_paid": "3000000",
            "supplier_uscc": huangpu_supplier.credit_code,
            "buyer_uscc": buyer.credit_code,
        },
    )
    est = decision_context(app)["estimate"]
    assert est.eligible is False and any("供应方" in r and "天河区" in r for r in est.reasons)


# ---------------------------------------------------------------- the buyer confirms in its own account


def test_the_buyer_line_waits_for_the_buyer_to_confirm(
    scenario, supplier, supplier_owner, buyer, buyer_owner, reviewer
):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    lines = {ln["line"]: ln for ln in decision_context(app)["lines"]}
    assert lines["buyer"]["confirmed"] is False and lines["supplier"]["confirmed"] is True
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=app, amounts={"supplier": "300000", "buyer": "300000"})
    assert "amount_buyer" in exc.value.message_dict and "确认" in exc.value.message_dict["amount_buyer"][0]
    assert snapshot(app) == before

    confirmation = parties.party_confirm(actor=buyer_owner, application=app)
    assert (confirmation.line, confirmation.enterprise) == ("buyer", buyer)
    assert AuditEvent.objects.filter(action="party.confirm", target_id=str(confirmation.pk)).exists()
    assert decision_context(app)["lines"][1]["confirmed"] is True
    d = approve(actor=reviewer, application=app, amounts={"supplier": "300000", "buyer": "300000"})
    assert d.amount == Decimal("600000.00")


def test_the_line_may_be_decided_at_zero_without_the_confirmation(scenario, supplier, buyer, reviewer):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    approve(
        actor=reviewer, application=app, amounts={"supplier": "300000", "buyer": "0"}, reason="采购方未在平台确认参与"
    )
    assert [a.line for a in Award.objects.filter(application=app)] == ["supplier"]


def test_only_the_named_party_may_confirm(scenario, supplier, supplier_owner, buyer, buyer_owner, reviewer, owner_b):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    for actor in (supplier_owner, owner_b, reviewer):
        with pytest.raises((PermissionDenied, ValidationError)):
            parties.party_confirm(actor=actor, application=app)
    assert not PartyConfirmation.objects.exists()
    parties.party_confirm(actor=buyer_owner, application=app)
    with pytest.raises(ValidationError):  # once
        parties.party_confirm(actor=buyer_owner, application=app)
    assert PartyConfirmation.objects.count() == 1


def test_a_confirmation_is_refused_once_decided(scenario, supplier, buyer, buyer_owner, reviewer):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    approve(actor=reviewer, application=app, amounts={"supplier": "300000", "buyer": "0"}, reason="采购方未确认")
    with pytest.raises(ValidationError):
        parties.party_confirm(actor=buyer_owner, application=app)
    assert not PartyConfirmation.objects.exists()


def test_a_changed_buyer_needs_its_own_confirmation(scenario, supplier, buyer, buyer_owner, reviewer):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    parties.party_confirm(actor=buyer_owner, application=app)
    other = EnterpriseFactory(**TIANHE)
    app.inputs = {**app.inputs, "buyer_uscc": other.credit_code}
    app.save(update_fields=["inputs"])
    assert {ln["line"]: ln["confirmed"] for ln in decision_context(app)["lines"]}["buyer"] is False


def test_the_buyer_confirms_on_its_page_and_in_the_api(
    scenario, supplier, buyer, buyer_owner, reviewer, owner_b, client_for, api_for
):
    app = scenario_app(scenario, supplier, buyer, reviewer, state=State.FORMAL_REVIEW)
    page = client_for(buyer_owner).get(reverse("reviews:party_list"))
    assert page.status_code == 200 and app.reference in page.content.decode()
    assert app.reference not in client_for(owner_b).get(reverse("reviews:party_list")).content.decode()
    r = api_for(buyer_owner).get("/api/v1/parties/")
    assert r.status_code == 200
    row = next(x for x in r.json()["results"] if x["application"] == app.pk)
    assert (row["line"], row["confirmed"], row["applicant"]) == ("buyer", False, supplier.name)
    assert api_for(owner_b).post(f"/api/v1/parties/{app.pk}/confirm/").status_code == 404
    r = client_for(buyer_owner).post(reverse("reviews:party_confirm", args=[app.pk]))
    assert r.status_code == 302
    assert PartyConfirmation.objects.filter(application=app, enterprise=buyer).exists()
    r = api_for(buyer_owner).post(f"/api/v1/parties/{app.pk}/confirm/")
    assert r.status_code == 400  # already confirmed
    r = api_for(buyer_owner).get("/api/v1/parties/")
    assert next(x for x in r.json()["results"] if x["application"] == app.pk)["confirmed"] is True


def test_the_buyer_is_told_to_confirm_when_formal_review_passes(
    scenario, supplier, buyer, buyer_owner, reviewer, django_capture_on_commit_callbacks
):
    from reviews.services import formal

    app = scenario_app(scenario, supplier, buyer, reviewer, state=State.FORMAL_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        formal.formal_review_pass(actor=reviewer, application=app, note="材料齐全，符合申报条件。")
    note = Notification.objects.get(recipient=buyer_owner, dedupe_key=f"party:{app.pk}:buyer")
    assert app.reference in note.body and "确认" in note.subject


# ---------------------------------------------------------------- a letter per party; each sees its own award


@pytest.fixture
def final(
    scenario,
    clock,
    supplier,
    supplier_owner,
    buyer,
    buyer_owner,
    reviewer,
    bureau_admin,
    django_capture_on_commit_callbacks,
):
    app = scenario_app(scenario, supplier, buyer, reviewer)
    parties.party_confirm(actor=buyer_owner, application=app)
    approve(
        actor=reviewer,
        application=app,
        amounts={"supplier": "300000", "buyer": "250000"},
        reason="采购方部分支付凭证不符",
    )
    clock.set(at(2026, 3, 11, 10))
    collective(actor=bureau_admin, applications=[app])  # 集体决策: th-scenario-demo is a competitive programme
    notice = notices.notice_publish(actor=bureau_admin, application_ids=[app.pk])
    clock.set(at(2026, 3, 21, 0, 10))  # the period (7 working days from 11 March) ended on 20 March
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.public_notices_close_due()["finalized"] == [app.pk]
    app.refresh_from_db()
    return app, notice


def test_each_party_gets_its_own_letter(final, supplier, buyer, supplier_owner, buyer_owner):
    app, notice = final
    letters = {x.line: x for x in Letter.objects.filter(application=app, kind=Letter.Kind.APPROVAL)}
    assert set(letters) == {"supplier", "buyer"}
    s, b = letters["supplier"], letters["buyer"]
    assert (s.enterprise, s.addressee_name, s.addressee_credit_code, s.amount) == (
        supplier,
        supplier.name,
        supplier.credit_code,
        Decimal("300000.00"),
    )
    assert (b.enterprise, b.addressee_name, b.addressee_credit_code, b.amount) == (
        buyer,
        buyer.name,
        buyer.credit_code,
        Decimal("250000.00"),
    )
    assert s.number != b.number and s.issued_on == b.issued_on == dt.date(2026, 3, 21)
    assert b.context["addressee"]["name"] == buyer.name and buyer.name in b.context["title"]
    assert b.context["party"] == {"line": "buyer", "label": "采购方", "applicant": supplier.name}
    assert b.context["amount_figures"] == "250,000.00"
    # the buyer sees its own letter, not the supplier's; the applicant sees those of its application
    assert list(letters_for_actor(actor=buyer_owner)) == [b]
    assert set(letters_for_actor(actor=supplier_owner)) == {s, b}
    assert Notification.objects.filter(recipient=buyer_owner, kind="decision").exists()


def test_the_buyer_letter_text_names_the_applicant_and_the_notice(final, buyer):
    from django.template.loader import render_to_string

    app, notice = final
    letter = Letter.objects.get(application=app, line="buyer")
    html = render_to_string("letters/approval_v1.html", {"c": letter.context, "letter": letter, "layout": {}})
    assert f"{letter.context['party']['applicant']}提交的" in html and "你单位为该项目采购方" in html
    assert "公示期满无异议" in html and "2026年3月20日" in html


def test_each_party_sees_its_own_award(
    final, supplier, buyer, buyer_owner, supplier_owner, owner_b, client_for, api_for
):
    app, _notice = final
    r = api_for(buyer_owner).get("/api/v1/parties/awards/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [(x["application"], x["line"], x["amount"], x["status"]) for x in rows] == [
        (app.reference, "buyer", "250000.00", "committed")
    ]
    assert rows[0]["letter"]["number"] == Letter.objects.get(application=app, line="buyer").number
    rows = api_for(supplier_owner).get("/api/v1/parties/awards/").json()["results"]
    assert [(x["line"], x["amount"]) for x in rows] == [("supplier", "300000.00")]
    assert api_for(owner_b).get("/api/v1/parties/awards/").json()["results"] == []
    page = client_for(buyer_owner).get(reverse("reviews:party_list")).content.decode()
    assert app.reference in page and "250,000.00" in page
