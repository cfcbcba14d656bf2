"""Every programme of the catalogue from application to money, through the API only (issue 14): the
enterprise applies, uploads and submits; the reviewer of the programme's district claims it and passes
formal review (competitive programmes: experts named by the administrator from the staff list declare
and score); the decision is proposed and approved along its four-eyes chain; competitive programmes
get their collective decision; the notice is published, closed when due (API), the award becomes
final and the letter is issued; then an administrator prepares a payment batch, a second approves it,
it is exported and its result recorded — a ledger disbursement — or, for hp-compute-voucher, the
voucher is redeemed at a provider. Staged programmes pay their first tranche and take the acceptance
report (with its file) that makes the next one due. Fixtures create only accounts, pools, windows and
people. Each run writes its row of the per-programme table (programme, awarded, paid, due) under
var/money_e2e/; the table itself is var/money_e2e/table.md."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import District, EnterpriseMember, Industry
from portal.models import Role
from reviews.models import AuthorisedApprover
from tests.factories import EnterpriseFactory, UserFactory, make_uscc, member
from vouchers.models import Award, LedgerEntry, Programme

from ..reviews.conftest import PDF, at, clock  # noqa: F401 - fixtures
from .payments_helpers import CORPORATE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

CODES = [
    "hp-compute-voucher",
    "hp-vertical-model-compute",
    "hp-model-genai-filing",
    "hp-model-deepsynth-filing",
    "hp-scenario-voucher",
    "hp-data-space",
    "hp-data-asset-entry",
    "hp-data-trading",
    "hp-revenue-growth",
    "hp-transformation-center",
    "hp-open-source",
    "th-landing-scale",
    "th-landing-revenue",
    "th-scale-leap",
    "th-scenario-demo",
    "th-software-matching",
    "th-rd-subsidy",
    "th-consortium",
    "th-dcmm",
    "th-compute-subsidy",
    "th-vc-subsidy",
    "th-loan-interest",
    "th-events",
    "th-case-by-case",
]
OUT = Path(settings.BASE_DIR) / "var" / "money_e2e"
D = Decimal


def ok(response, *codes: int):
    assert response.status_code in (codes or (200, 201)), (response.status_code, response.content.decode()[:2000])
    return response.json() if response.get("Content-Type", "").startswith("application/json") else response


def test_the_catalogue_is_the_list_here(catalogue):
    assert sorted(CODES) == sorted(catalogue)  # a programme added to the catalogue is driven here too


class World:
    """People and money of one district: a reviewer, two administrators, a leader, three experts, an
    applicant enterprise (and, for two-party awards, its buyer) with verified receiving accounts."""

    def __init__(self, programme: Programme, api_for):
        from vouchers.services.accounts import account_submit, account_verify
        from vouchers.services.budget import pool_set_amount
        from vouchers.services.catalogue import window_open

        self.programme, self.api_for = programme, api_for
        district = programme.policy.district
        self.district = district
        tag = programme.code
        self.reviewer = UserFactory(role=Role.REVIEWER, email=f"rev-{tag}@example.cn", district=district)
        self.admin = UserFactory(
            role=Role.BUREAU_ADMIN, email=f"adm-{tag}@example.cn", is_staff=True, district=district
        )
        self.admin2 = UserFactory(
            role=Role.BUREAU_ADMIN, email=f"adm2-{tag}@example.cn", is_staff=True, district=district
        )
        self.leader = UserFactory(
            role=Role.BUREAU_ADMIN, email=f"lead-{tag}@example.cn", is_staff=True, district=district
        )
        AuthorisedApprover.objects.create(user=self.leader, title="分管副局长", granted_by=self.admin)
        self.experts = [
            UserFactory(role=Role.EXPERT, email=f"exp{i}-{tag}@example.cn", district=district) for i in range(3)
        ]
        place = District.TIANHE if district == "tianhe" else District.HUANGPU
        industry = Industry.SOFTWARE_IT if programme.code == "hp-revenue-growth" else Industry.AI
        self.enterprise = EnterpriseFactory(
            name="广州甲智能科技有限公司",
            registered_district=place,
            tax_district=place,
            stats_district=place,
            credit_code=make_uscc(4401),
            industry=industry,
        )
        self.owner = member(self.enterprise, EnterpriseMember.MemberRole.OWNER)
        self.buyer = EnterpriseFactory(
            name="广州乙应用科技有限公司",
            registered_district=place,
            tax_district=place,
            stats_district=place,
            credit_code=make_uscc(4402),
        )
        self.buyer_owner = member(self.buyer, EnterpriseMember.MemberRole.OWNER)
        for ent, user in ((self.enterprise, self.owner), (self.buyer, self.buyer_owner)):
            account = account_submit(
                actor=user,
                enterprise=ent,
                account_name=ent.name,
                bank_name="中国工商银行",
                branch_name="广州分行营业部",
                account_number=CORPORATE,
            )
            account_verify(actor=self.admin, account=account)
        now = at(2026, 3, 10)
        window_open(
            actor=self.admin,
            programme=programme,
            name="2026年第一批",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=200),
        )
        for amount in ("50000000.00", "10000000.00"):  # within the programme's total over the policy's years
            try:
                self.pool = pool_set_amount(actor=self.admin, programme=programme, fiscal_year=2026, amount=amount)
                break
            except ValidationError:
                continue

    def api(self, user):
        return self.api_for(user)

    @staticmethod
    def today() -> str:
        from django.utils import timezone

        return timezone.localdate().isoformat()


def inputs_for(programme: Programme, world: World) -> dict:
    from .catalogue_helpers import valid_inputs

    body = valid_inputs(programme)
    if programme.code == "th-scenario-demo":
        body.update(supplier_uscc=world.enterprise.credit_code, buyer_uscc=world.buyer.credit_code)
    if programme.code in ("th-case-by-case", "hp-scenario-voucher", "hp-open-source"):
        body["requested_amount"] = "800000"  # a request within the pool
    return body


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# ---------------------------------------------------------------- the steps, each one API call or a few


def preapproval(w: World, clk) -> int:
    """th-events: the event approved beforehand (事前同意), the claim after the event."""
    body = {
        "programme": w.programme.code,
        "event_name": "天河人工智能应用大会",
        "venue": "天河区会展中心",
        "event_date": "2026-03-20",
        "plan": "大会方案：主论坛、分论坛、展览，预计参会800人。",
        "budget": "2000000",
    }
    pre = ok(w.api(w.owner).post("/api/v1/preapprovals/", body, format="json"))
    ok(
        w.api(w.admin).post(
            f"/api/v1/preapprovals/{pre['id']}/decide/", {"approve": True, "reason": "同意举办。"}, format="json"
        )
    )
    clk.set(at(2026, 3, 25))
    return pre["id"]


def apply(w: World, clk) -> int:
    p = w.programme
    body = {
        "programme": p.code,
        "title": f"{p.name_zh}申报项目",
        "inputs": inputs_for(p, w),
        "contract_numbers": ["HT-E2E-1"],
        "invoice_numbers": ["26442000000012345678"],
    }
    if p.code == "th-events":
        body["preapproval"] = preapproval(w, clk)
    c = w.api(w.owner)
    app = ok(c.post("/api/v1/applications/", body, format="json"))
    for m in p.materials:
        ok(
            c.post(
                f"/api/v1/applications/{app['id']}/attachments/",
                {"material": m["code"], "file": upload(f"{m['code']}.pdf")},
                format="multipart",
            )
        )
    ok(c.post(f"/api/v1/applications/{app['id']}/submit/", {"declaration": True}, format="json"))
    if p.code == "th-scenario-demo":  # the buyer confirms its part in its own account
        parties = ok(w.api(w.buyer_owner).get("/api/v1/parties/"))
        rows = parties["results"] if isinstance(parties, dict) else parties
        [row] = [r for r in rows if r["application"] == app["id"]]
        ok(
            w.api(w.buyer_owner).post(
                f"/api/v1/parties/{row['application']}/confirm/", {"confirm": True}, format="json"
            )
        )
    return app["id"]


def review(w: World, pk: int) -> None:
    rev = w.api(w.reviewer)
    ok(rev.post("/api/v1/reviews/assignments/claim/", {"application_ids": [pk]}, format="json"))  # starts it
    if w.programme.review_path == Programme.ReviewPath.STANDARD:
        ok(
            rev.post(
                f"/api/v1/reviews/applications/{pk}/formal-review/",
                {"action": "pass", "note": "材料齐全。"},
                format="json",
            )
        )
        return
    ok(
        rev.post(
            "/api/v1/reviews/assignments/send-to-experts/",
            {"application_ids": [pk], "note": "材料齐全，提交专家评审。"},
            format="json",
        )
    )
    listed = ok(w.api(w.admin).get("/api/v1/staff/?role=expert"))
    rows = listed["results"] if isinstance(listed, dict) else listed
    ids = [r["id"] for r in rows if r["id"] in {e.pk for e in w.experts}]
    ok(w.api(w.admin).post(f"/api/v1/reviews/applications/{pk}/experts/", {"expert_ids": ids}, format="json"))
    for expert in w.experts:
        c = w.api(expert)
        [mine] = ok(c.get("/api/v1/reviews/expert-assignments/"))
        ok(c.post(f"/api/v1/reviews/expert-assignments/{mine['id']}/declaration/", {"conflict": False}, format="json"))
        scores = {k["code"]: str(k["max_score"]) for k in w.programme.criteria}
        ok(
            c.post(
                f"/api/v1/reviews/expert-assignments/{mine['id']}/scores/",
                {"scores": scores, "comment": "项目创新性强。"},
                format="json",
            )
        )
    ok(rev.post(f"/api/v1/reviews/applications/{pk}/experts/finish/", {}, format="json"))


def decide(w: World, pk: int) -> None:
    url = f"/api/v1/reviews/applications/{pk}/decision/"
    ctx = ok(w.api(w.reviewer).get(url))
    body = {"outcome": "approve", "comment": "符合条件，拟予支持。", "reason": "按申报与测算核定。"}
    if len(ctx["lines"]) > 1:
        body["amounts"] = {ln["line"]: str(ln["max"]) for ln in ctx["lines"]}
    else:
        body["amount"] = str(ctx["max_amount"])
    proposal = ok(w.api(w.reviewer).post(url, body, format="json"))
    holders = {"checker": [w.admin, w.admin2], "leader": [w.leader]}
    while proposal["status"] == "pending":
        step = next(s for s in proposal["steps"] if not s.get("acted_by"))
        acted = {s["acted_by"]["id"] for s in proposal["steps"] if s.get("acted_by")}
        actor = next(u for u in holders[step["role"]] if u.pk not in acted)
        proposal = ok(
            w.api(actor).post(
                f"/api/v1/reviews/proposals/{proposal['id']}/approve/", {"comment": "同意。"}, format="json"
            )
        )
    assert proposal["status"] == "approved", proposal


def publish_and_finalise(w: World, pk: int, clk) -> None:
    admin = w.api(w.admin)
    if w.programme.review_path == Programme.ReviewPath.COMPETITIVE:
        ok(
            admin.post(
                "/api/v1/reviews/collective-decisions/",
                {
                    "programme": w.programme.code,
                    "application_ids": [pk],
                    "meeting_name": "2026年第3次局务会议",
                    "meeting_date": w.today(),
                    "attendees": "局长（主持）\n副局长\n科长",
                    "minutes": "会议审议拟支持名单，同意按评审结果予以支持，进入公示。",
                },
                format="json",
            )
        )
    ok(admin.post("/api/v1/reviews/notices/", {"application_ids": [pk], "workdays": 5}, format="json"))
    clk.set(clk.now + dt.timedelta(days=14))
    ok(admin.post("/api/v1/reviews/notices/close-due/", {}, format="json"))
    app = ok(w.api(w.owner).get(f"/api/v1/applications/{pk}/"))
    assert app["state"] == "approved", app["state"]
    parties = [(w.owner, w.enterprise)] + ([(w.buyer_owner, w.buyer)] if w.programme.code == "th-scenario-demo" else [])
    for user, enterprise in parties:  # each party its own approval letter (核定通知)
        letters = [
            r
            for r in rows_of(ok(w.api(user).get("/api/v1/letters/?kind=approval")))
            if r["application"] == app["reference"] and r["addressee_name"] == enterprise.name
        ]
        assert len(letters) == 1 and letters[0]["number"], letters  # issued (its PDF is made by a task)


def rows_of(body):
    return body["results"] if isinstance(body, dict) else body


def redeem(w: World, provider_user) -> None:
    """hp-compute-voucher: the provider redeems part of the voucher, the enterprise confirms."""
    from vouchers.services.redemption import provider_member_link, provider_save

    provider = provider_save(
        actor=w.admin,
        name="广州黄埔智算中心有限公司",
        credit_code=make_uscc(990001),
        services="智能算力租赁",
        district="黄埔区/广州开发区",
        contact_name="赵经理",
        contact_phone="020-88880000",
        valid_from=dt.date(2025, 1, 1),
        valid_to=None,
    )
    provider_member_link(actor=w.admin, provider=provider, user=provider_user)
    [voucher] = rows_of(ok(w.api(w.owner).get("/api/v1/vouchers/")))
    r = ok(
        w.api(provider_user).post(
            "/api/v1/redemptions/",
            {
                "voucher_code": voucher["code"],
                "holder_credit_code": w.enterprise.credit_code,
                "amount": "100000.00",
                "invoice_number": "25442000000011112222",
                "invoice_date": w.today(),
                "invoice_file": upload("发票.pdf"),
            },
            format="multipart",
        )
    )
    ok(w.api(w.owner).post(f"/api/v1/redemptions/{r['id']}/confirm/", {}, format="json"))


def awards_of(w: World, user, reference: str) -> list[dict]:
    return [a for a in rows_of(ok(w.api(user).get("/api/v1/payments/awards/"))) if a["application"] == reference]


def pay(w: World, reference: str) -> None:
    admin, admin2 = w.api(w.admin), w.api(w.admin2)
    awards = awards_of(w, w.admin, reference)
    assert awards
    for a in awards:
        if not a["tranches"]:  # a staged award whose decision named no tranches: the schedule
            half = (D(a["amount"]) / 2).quantize(D("0.01"))
            ok(
                admin.post(
                    f"/api/v1/payments/awards/{a['id']}/schedule/",
                    {
                        "tranches": [
                            {"label": "首期", "amount": str(half)},
                            {"label": "验收后", "amount": str(D(a["amount"]) - half), "requires_acceptance": True},
                        ]
                    },
                    format="json",
                )
            )
    due = rows_of(ok(admin.get("/api/v1/payments/due/")))
    ids = [t["tranche"]["id"] for t in due if t["application"] == reference]
    assert ids, due
    batch = ok(admin.post("/api/v1/payments/batches/", {"tranches": ids, "note": "2026年4月拨付"}, format="json"))
    refused = admin.post(f"/api/v1/payments/batches/{batch['id']}/approve/", {}, format="json")
    assert refused.status_code == 403  # 四眼原则: not the one who prepared it
    ok(admin2.post(f"/api/v1/payments/batches/{batch['id']}/approve/", {}, format="json"))
    xlsx = admin.get(f"/api/v1/payments/batches/{batch['id']}/file/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    lines = ok(admin.get(f"/api/v1/payments/batches/{batch['id']}/"))["lines"]
    ok(
        admin.post(
            f"/api/v1/payments/batches/{batch['id']}/results/",
            {
                "results": [
                    {
                        "seq": ln["seq"],
                        "paid": True,
                        "paid_on": w.today(),
                        "voucher_number": f"GK-{batch['id']}-{ln['seq']}",
                    }
                    for ln in lines
                ]
            },
            format="json",
        )
    )


def accept_next(w: World, reference: str) -> None:
    """A staged award: the acceptance report (with its file) for the next tranche, approved."""
    for a in awards_of(w, w.owner, reference):
        waiting = [t for t in a["tranches"] if t["status"] == "waiting"]
        if not waiting:
            continue
        report = ok(
            w.api(w.owner).post(
                f"/api/v1/payments/tranches/{waiting[0]['id']}/acceptance/",
                {
                    "summary": "项目建设内容全部完成，已通过第三方验收，验收报告编号YS-2026-E2E。",
                    "files": [upload("验收报告.pdf")],
                },
                format="multipart",
            )
        )
        ok(w.api(w.admin).post(f"/api/v1/payments/acceptance/{report['id']}/decide/", {"approve": True}, format="json"))


def record_row(code: str, awards: list[Award]) -> dict:
    awarded = sum((a.amount for a in awards), D("0"))
    paid = sum((a.disbursed for a in awards), D("0"))
    row = {"programme": code, "awarded": str(awarded), "paid": str(paid), "due": str(awarded - paid)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{code}.json").write_text(json.dumps(row, ensure_ascii=False))
    rows = [json.loads(p.read_text()) for p in sorted(OUT.glob("*.json"))]
    table = ["| programme | awarded | paid | due |", "|---|---:|---:|---:|"]
    table += [f"| {r['programme']} | {r['awarded']} | {r['paid']} | {r['due']} |" for r in rows]
    (OUT / "table.md").write_text("\n".join(table) + "\n")
    print(f"\n{code}: awarded {awarded}, paid {paid}, due {awarded - paid}")
    return row


@pytest.mark.parametrize("code", CODES)
def test_every_programme_from_application_to_money(
    code,
    catalogue,
    clock,  # noqa: F811
    api_for,
    provider_user,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    clock.set(at(2026, 3, 10))
    w = World(catalogue[code], api_for)
    with django_capture_on_commit_callbacks(execute=True):
        pk = apply(w, clock)
        review(w, pk)
        decide(w, pk)
        publish_and_finalise(w, pk, clock)
    awards = list(Award.objects.filter(application_id=pk).order_by("pk"))
    assert awards and all(a.status == Award.Status.COMMITTED for a in awards)
    if code == "th-scenario-demo":
        assert {a.enterprise for a in awards} == {w.enterprise, w.buyer}
    reference = awards[0].application.reference
    with django_capture_on_commit_callbacks(execute=True):
        if w.programme.is_voucher:
            redeem(w, provider_user)
        else:
            pay(w, reference)
            if w.programme.staged_payment:
                accept_next(w, reference)
    for a in awards:
        a.refresh_from_db()
    assert all(a.disbursed > 0 for a in awards)
    entries = LedgerEntry.objects.filter(award__in=awards, kind=LedgerEntry.Kind.DISBURSE)
    assert sum((e.amount for e in entries), D("0")) == sum((a.disbursed for a in awards), D("0"))
    record_row(code, awards)
