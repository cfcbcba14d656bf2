"""The payments API end to end: account registered and verified, a batch prepared, approved by a second
administrator, exported, its return file imported, the enterprise seeing what was paid and what it owes;
and the wrong member of the cast refused with nothing changed."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from vouchers.models import LedgerEntry, PaymentBatch, ReceivingAccount

from .payments_helpers import CORPORATE, today
from .test_payments_files import xlsx_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1/payments"


def test_from_account_to_money_paid_through_the_api(
    award_a, staged, enterprise_a, owner_a, agent_a, bureau_admin, second_admin, api_for
):
    owner, admin, approver = api_for(owner_a), api_for(bureau_admin), api_for(second_admin)
    bad = owner.post(
        f"{API}/accounts/",
        {
            "account_name": "广州甲智能科技公司",
            "bank_name": "中国工商银行",
            "branch_name": "开发区支行",
            "account_number": CORPORATE,
        },
        format="json",
    )
    assert bad.status_code == 400 and "不一致" in bad.json()["account_name"][0]
    made = owner.post(
        f"{API}/accounts/",
        {
            "account_name": enterprise_a.name,
            "bank_name": "中国工商银行",
            "branch_name": "开发区支行",
            "account_number": CORPORATE,
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "pending"
    queue = admin.get(f"{API}/accounts/?status=pending").json()["results"]
    assert [a["id"] for a in queue] == [made.json()["id"]]
    assert admin.post(f"{API}/accounts/{made.json()['id']}/verify/").json()["status"] == "verified"

    due = admin.get(f"{API}/due/").json()["results"]  # a page of DefaultPagination
    assert [(d["tranche"]["amount"], d["problem"]) for d in due] == [("800000.00", "")]
    batch = admin.post(f"{API}/batches/", {"tranches": [due[0]["tranche"]["id"]], "note": "十二月"}, format="json")
    assert batch.status_code == 201, batch.json()
    b = batch.json()
    assert b["total"] == "800000.00" and b["pools"][0]["batch_amount"] == "800000.00"
    assert admin.post(f"{API}/batches/{b['id']}/approve/").status_code == 403  # four eyes
    assert admin.get(f"{API}/batches/{b['id']}/file/xlsx/").status_code == 400  # not approved yet
    assert approver.post(f"{API}/batches/{b['id']}/approve/").json()["status"] == "approved"
    file = admin.get(f"{API}/batches/{b['id']}/file/xlsx/")
    assert file.status_code == 200 and file["Content-Disposition"].endswith(f'{b["number"]}.xlsx"')
    rows = [list(r) for r in load_workbook(io.BytesIO(file.content))["拨付明细"].iter_rows(values_only=True)]
    rows[1][8:11] = ["成功", today(), "HD-001"]
    upload = io.BytesIO(xlsx_bytes(rows))
    upload.name = "回执.xlsx"
    done = admin.post(f"{API}/batches/{b['id']}/return-file/", {"file": upload}, format="multipart")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "closed" and done.json()["lines"][0]["voucher_number"] == "HD-001"

    mine = api_for(agent_a).get(f"{API}/mine/").json()
    assert (mine["paid"], mine["due"], mine["owed"]) == ("800000.00", "0.00", "0.00")
    assert mine["account"]["account_number"] == CORPORATE
    [award] = mine["awards"]
    assert award["payment_lines"][0]["paid_on"] == today().isoformat()

    claw = admin.post(
        f"{API}/clawbacks/",
        {"award": award["id"], "amount": "1000.00", "reason": "超出实际投入部分予以追回。"},
        format="json",
    )
    assert claw.status_code == 201
    assert api_for(owner_a).get(f"{API}/mine/").json()["owed"] == "1000.00"
    repaid = admin.post(
        f"{API}/clawbacks/{claw.json()['id']}/repayments/",
        {"amount": "1000.00", "repaid_on": today().isoformat(), "voucher_number": "TH-1"},
        format="json",
    )
    assert repaid.status_code == 201 and repaid.json()["status"] == "repaid"
    report = admin.get(f"{API}/report/").json()
    assert report["total"]["paid"] == "800000.00" and report["total"]["clawed_back"] == "1000.00"
    assert report["total"]["reconciled"] is True


def test_a_return_file_that_does_not_match_is_refused_with_its_rows(
    award_a, account_a, bureau_admin, second_admin, api_for
):
    admin = api_for(bureau_admin)
    b = admin.post(f"{API}/batches/", {"tranches": [award_a.tranches.get().pk]}, format="json").json()
    api_for(second_admin).post(f"{API}/batches/{b['id']}/approve/")
    upload = io.BytesIO(
        "序号,收款账号,金额（元）,结果,拨付日期,凭证号\n1,44050112345678901234,800000.01,成功,"
        f"{today().isoformat()},H1\n".encode()
    )
    upload.name = "r.csv"
    answer = admin.post(f"{API}/batches/{b['id']}/return-file/", {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert "第2行C列（金额（元））" in " ".join(answer.json()["non_field_errors"])
    assert not LedgerEntry.objects.filter(kind="disburse").exists()
    results = admin.post(
        f"{API}/batches/{b['id']}/results/",
        {"results": [{"seq": 1, "paid": True, "paid_on": today().isoformat(), "voucher_number": "V"}]},
        format="json",
    )
    assert results.status_code == 200 and results.json()["lines"][0]["status"] == "paid"
    again = admin.post(
        f"{API}/batches/{b['id']}/results/",
        {"results": [{"seq": 1, "paid": True, "paid_on": today().isoformat(), "voucher_number": "V2"}]},
        format="json",
    )
    assert again.status_code == 400 and LedgerEntry.objects.filter(kind="disburse").count() == 1


def test_the_wrong_member_of_the_cast_is_refused(
    award_a, account_a, bureau_admin, second_admin, owner_b, reviewer, owner_a, api_for
):
    batch = PaymentBatch.objects.none()
    admin = api_for(bureau_admin)
    b = admin.post(f"{API}/batches/", {"tranches": [award_a.tranches.get().pk]}, format="json").json()
    batch = PaymentBatch.objects.get(pk=b["id"])
    for who in (owner_b, reviewer, owner_a):
        c = api_for(who)
        assert c.get(f"{API}/batches/").status_code == 403
        assert c.post(f"{API}/batches/{batch.pk}/approve/").status_code == 403
        assert c.get(f"{API}/due/").status_code == 403
        assert c.get(f"{API}/report/").status_code == 403
        assert c.post(f"{API}/accounts/{account_a.pk}/verify/").status_code == 403
    assert api_for(owner_b).get(f"{API}/awards/{award_a.pk}/").status_code == 404
    assert api_for(owner_b).get(f"{API}/accounts/{account_a.pk}/").status_code == 404
    assert api_for(owner_b).get(f"{API}/awards/").json()["count"] == 0
    assert api_for(reviewer).get(f"{API}/mine/").status_code == 403
    assert api_for(None).get(f"{API}/mine/").status_code == 403
    refused = api_for(bureau_admin).post(
        f"{API}/accounts/",
        {"account_name": "x", "bank_name": "y", "branch_name": "z", "account_number": CORPORATE},
        format="json",
    )
    assert refused.status_code == 403
    batch.refresh_from_db()
    assert batch.status == "draft" and ReceivingAccount.objects.count() == 1
