"""拨付 in the browser: an administrator prepares a payment batch of two enterprises' due awards, a
second administrator approves it (四眼原则), the payment file is exported, the bank's return file (one
line paid, one failed) is imported; each enterprise then sees what was paid and what is still due."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import transaction
from openpyxl import load_workbook

from applications.models import EnterpriseMember
from portal.models import Role
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, member
from tests.vouchers.payments_helpers import committed_award, today, verified_account
from vouchers.models import LedgerEntry, PaymentBatch, PaymentLine

from .helpers import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def scene(catalogue):
    admin = UserFactory(role=Role.BUREAU_ADMIN, email="finance@hp.example.cn", full_name="财务科王编制", is_staff=True)
    approver = UserFactory(role=Role.BUREAU_ADMIN, email="chief@hp.example.cn", full_name="李审批", is_staff=True)
    people = {}
    for key, name, number, amount in (
        ("a", "广州甲智能科技有限公司", "44050112345678901234", "800000"),
        ("b", "广州乙数据服务有限公司", "11112222333344445555", "600000"),
    ):
        enterprise = EnterpriseFactory(name=name)
        owner = member(enterprise, EnterpriseMember.MemberRole.OWNER, email=f"owner-{key}@example.cn")
        with transaction.atomic():  # as the finalising transaction makes the schedule
            award = committed_award(catalogue["hp-model-genai-filing"], enterprise, owner, amount, actor=admin)
        verified_account(enterprise, owner, admin, number=number)
        people[key] = (enterprise, owner, award)
    return admin, approver, people


def login(actors, name: str, user) -> Actor:
    actor = actors(name)
    actor.login(user.email, PASSWORD)
    return actor


def test_a_batch_prepared_approved_exported_and_its_return_file_imported(scene, actors):
    admin_user, approver_user, people = scene
    (ent_a, owner_a, award_a), (ent_b, owner_b, award_b) = people["a"], people["b"]

    # 编制 the first administrator selects both due tranches
    admin = login(actors, "finance", admin_user)
    admin.go("/manage/payments/")
    for award in (award_a, award_b):
        admin.page.check(f"#tranche-{award.tranches.get().pk}")
    admin.page.fill("#id_note", "2026年4月第一批")
    admin.shot("payments-prepare")
    admin.submit(admin.button("编制拨付批次"))
    batch = PaymentBatch.objects.get()
    assert batch.status == "draft" and batch.total == award_a.amount + award_b.amount
    admin.go(f"/manage/payments/batches/{batch.pk}/")
    main = admin.page.inner_text("main")
    assert "须由另一名管理员审批" in main and "1,400,000.00 元" in main
    assert admin.button("审批").count() == 0  # 四眼原则: not for the one who prepared it

    # 审批 by the second administrator
    approver = login(actors, "approver", approver_user)
    approver.go(f"/manage/payments/batches/{batch.pk}/")
    approver.submit(approver.button("审批"))
    batch.refresh_from_db()
    assert batch.status == "approved" and batch.approved_by == approver_user
    approver.shot("payments-approved")

    # 导出 the payment file, as the treasury takes it
    admin.go(f"/manage/payments/batches/{batch.pk}/")
    with admin.page.expect_download() as download:
        admin.page.get_by_role("link", name="导出支付文件（xlsx）").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook["拨付明细"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert {"收款人户名", "收款账号", "开户银行", "金额（元）", "用途"} <= set(header)
    by_name = {r[header.index("收款人户名")]: i for i, r in enumerate(rows) if i}
    assert set(by_name) == {ent_a.name, ent_b.name}

    # 回执 the bank paid A's line and returned B's
    col = {name: header.index(name) + 1 for name in ("结果", "拨付日期", "凭证号", "失败原因")}
    paid_row, failed_row = by_name[ent_a.name] + 1, by_name[ent_b.name] + 1
    sheet.cell(paid_row, col["结果"], "成功")
    sheet.cell(paid_row, col["拨付日期"], today())
    sheet.cell(paid_row, col["凭证号"], "GK-2026-0418")
    sheet.cell(failed_row, col["结果"], "失败")
    sheet.cell(failed_row, col["失败原因"], "账户已销户，退票")
    out = io.BytesIO()
    workbook.save(out)
    admin.page.set_input_files("#id_file", {"name": "回执.xlsx", "buffer": out.getvalue(), "mimeType": XLSX})
    admin.shot("payments-return-file")
    admin.submit(admin.button("导入"))
    main = admin.page.inner_text("main")
    assert "GK-2026-0418" in main and "账户已销户，退票" in main
    admin.shot("payments-recorded")
    lines = {ln.enterprise_id: ln for ln in PaymentLine.objects.all()}
    assert lines[ent_a.pk].status == "paid" and lines[ent_b.pk].status == "failed"
    assert list(LedgerEntry.objects.filter(kind="disburse").values_list("award_id", flat=True)) == [award_a.pk]

    # each enterprise sees what was paid and what is still due
    ent = login(actors, "enterprise-a", owner_a)
    ent.go("/payments/")
    main = ent.page.inner_text("main")
    assert "已拨付 800,000.00 元" in main and "待拨付 0.00 元" in main and "GK-2026-0418" in main
    ent.shot("payments-enterprise-paid")
    other = login(actors, "enterprise-b", owner_b)
    other.go("/payments/")
    main = other.page.inner_text("main")
    assert "已拨付 0.00 元" in main and "待拨付 600,000.00 元" in main and "账户已销户，退票" in main
    other.shot("payments-enterprise-failed")
    for actor in (admin, approver, ent, other):
        actor.assert_clean()
