"""The payment pages: the enterprise registers its account and sees what was paid, what is due and
what it owes; administrators verify accounts, prepare a batch, approve it (another administrator),
export it and record results by hand or from the return file, decide a claw-back; the wrong member of
the cast is refused and nothing changes."""

from __future__ import annotations

import io

import pytest

from vouchers.models import LedgerEntry, PaymentBatch, PaymentLine, ReceivingAccount

from .payments_helpers import CORPORATE, approved_batch, committed_award, pdf, today
from .test_payments_files import filled, xlsx_bytes

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_enterprise_registers_its_account_on_its_page(award_a, enterprise_a, owner_a, client_for):
    c = client_for(owner_a)
    page = c.get("/payments/")
    assert page.status_code == 200 and "尚无已核验的收款账户" in page.content.decode()
    assert "/payments/" in c.get("/enterprise/").content.decode()  # linked from the enterprise page
    bad = c.post(
        "/payments/account/",
        {"account_name": "甲公司", "bank_name": "中国工商银行", "branch_name": "支行", "account_number": CORPORATE},
    )
    assert bad.status_code == 400 and "不一致" in bad.content.decode() and not ReceivingAccount.objects.exists()
    ok = c.post(
        "/payments/account/",
        {
            "account_name": enterprise_a.name,
            "bank_name": "中国工商银行",
            "branch_name": "支行",
            "account_number": CORPORATE,
        },
        follow=True,
    )
    assert "待主管部门核验" in ok.content.decode() and ReceivingAccount.objects.get().status == "pending"


def test_an_administrator_pays_a_batch_through_the_pages(
    award_a, enterprise_a, owner_a, bureau_admin, second_admin, client_for
):
    ReceivingAccount.objects.create(
        enterprise=enterprise_a,
        account_name=enterprise_a.name,
        bank_name="中国工商银行",
        branch_name="支行",
        account_number=CORPORATE,
        submitted_by=owner_a,
    )
    admin, approver = client_for(bureau_admin), client_for(second_admin)
    queue = admin.get("/manage/payments/accounts/")
    assert CORPORATE in queue.content.decode()
    admin.post(f"/manage/payments/accounts/{ReceivingAccount.objects.get().pk}/decide/", {"decision": "verify"})
    index = admin.get("/manage/payments/")
    tranche = award_a.tranches.get()
    assert f'value="{tranche.pk}"' in index.content.decode()
    made = admin.post("/manage/payments/batches/new/", {"tranche": [tranche.pk], "note": "年末"}, follow=True)
    batch = PaymentBatch.objects.get()
    assert "须由另一名管理员审批" in made.content.decode()
    assert "本批次由您编制" in admin.get(f"/manage/payments/batches/{batch.pk}/").content.decode()
    assert admin.post(f"/manage/payments/batches/{batch.pk}/approve/").status_code == 403  # four eyes
    batch.refresh_from_db()
    assert batch.status == "draft"
    approver.post(f"/manage/payments/batches/{batch.pk}/approve/")
    batch.refresh_from_db()
    assert batch.status == "approved" and batch.approved_by == second_admin
    csv_file = admin.get(f"/manage/payments/batches/{batch.pk}/export.csv")
    assert csv_file.status_code == 200 and CORPORATE in csv_file.content.decode("utf-8-sig")
    # a return file that does not match: refused whole, by row and column
    rows = filled(batch)
    rows[1][6] = 1
    upload = io.BytesIO(xlsx_bytes(rows))
    upload.name = "回执.xlsx"
    answer = admin.post(f"/manage/payments/batches/{batch.pk}/return-file/", {"file": upload}, follow=True)
    assert "第2行G列（金额（元））" in messages_of(answer) and not LedgerEntry.objects.filter(kind="disburse").exists()
    # by hand
    admin.post(
        f"/manage/payments/batches/{batch.pk}/results/",
        {"result_1": "paid", "paid_on_1": today().isoformat(), "voucher_1": "GK-77"},
    )
    assert PaymentLine.objects.get().status == "paid"
    mine = client_for(owner_a).get("/payments/").content.decode()
    assert "GK-77" in mine and "800,000.00 元" in mine
    assert admin.get("/manage/payments/report/").status_code == 200


def test_the_enterprise_submits_acceptance_and_sees_what_it_owes(
    staged, enterprise_a, owner_a, owner_b, account_a, bureau_admin, second_admin, client_for
):
    award = committed_award(
        staged,
        enterprise_a,
        owner_a,
        "3000000",
        actor=bureau_admin,
        tranches=[{"amount": "1000000"}, {"amount": "2000000"}],
    )
    second = award.tranches.get(seq=2)
    assert (
        client_for(owner_b)
        .post(
            f"/payments/tranches/{second.pk}/acceptance/",
            {"summary": "建设完成，已通过验收，验收报告编号YS-1。", "files": [pdf("验收报告.pdf")]},
        )
        .status_code
        == 404
    )
    client_for(owner_a).post(
        f"/payments/tranches/{second.pk}/acceptance/",
        {"summary": "建设完成，已通过验收，验收报告编号YS-1。", "files": [pdf("验收报告.pdf")]},
    )
    admin = client_for(bureau_admin)
    page = admin.get("/manage/payments/acceptance/").content.decode()
    assert "YS-1" in page
    report = second.acceptance_reports.get()
    admin.post(f"/manage/payments/acceptance/{report.pk}/decide/", {"decision": "approve"})
    second.refresh_from_db()
    assert second.status == "due"
    batch = approved_batch(award, bureau_admin, second_admin)
    admin.post(
        f"/manage/payments/batches/{batch.pk}/results/",
        {
            "result_1": "paid",
            "paid_on_1": today().isoformat(),
            "voucher_1": "A1",
            "result_2": "paid",
            "paid_on_2": today().isoformat(),
            "voucher_2": "A2",
        },
    )
    award_page = admin.get(f"/manage/payments/awards/{award.pk}/")
    assert award_page.status_code == 200
    admin.post(
        f"/manage/payments/awards/{award.pk}/clawback/", {"amount": "2500.50", "reason": "部分支出不合规，予以追回。"}
    )
    mine = client_for(owner_a).get("/payments/").content.decode()
    assert "2,500.50 元" in mine and "部分支出不合规" in mine


def test_administrator_pages_refuse_the_rest_of_the_cast(
    award_a, account_a, bureau_admin, reviewer, owner_a, owner_b, client_for
):
    for who in (reviewer, owner_a, owner_b):
        c = client_for(who)
        for url in (
            "/manage/payments/",
            "/manage/payments/accounts/",
            "/manage/payments/report/",
            f"/manage/payments/awards/{award_a.pk}/",
        ):
            assert c.get(url).status_code == 403, (who, url)
        assert c.post("/manage/payments/batches/new/", {"tranche": [award_a.tranches.get().pk]}).status_code == 403
    assert client_for(None).get("/manage/payments/").status_code == 302
    assert client_for(reviewer).get("/payments/").status_code == 403
    assert not PaymentBatch.objects.exists()
