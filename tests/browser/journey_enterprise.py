"""The enterprise's and the compute provider's steps of the browser journey (tests/browser/test_journey.py):
registering, applying, answering a supplement request, downloading and verifying the letter, redeeming."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.core import mail
from django.utils import timezone

from applications.models import Application, Attachment
from applications.workflow import State
from portal.models import User
from tests.factories import make_uscc

from .helpers import Actor, link_in, pdf_text, upload_file

# Who the enterprise is, and what it asks and buys.
ENTERPRISE_EMAIL = "zhang.wei@jiasuan.example.cn"
ENTERPRISE_NAME = "广州嘉算智能科技有限公司"
CREDIT_CODE = make_uscc(880001)
REQUESTED = Decimal("800000.00")
INVOICE = "25442000000011112222"  # the provider's invoice for the compute it sold


def enterprise_registers(ent: Actor) -> None:
    ent.go("/")
    ent.submit(ent.page.locator("header").get_by_role("link", name="企业注册"))
    ent.page.fill("#id_email", ENTERPRISE_EMAIL)
    ent.page.fill("#id_full_name", "张伟")
    ent.page.fill("#id_phone", "13800138000")
    ent.page.fill("#id_password1", "Jiasuan-2026-secure")
    ent.page.fill("#id_password2", "Jiasuan-2026-secure")
    ent.shot("enterprise-register-form")
    ent.submit(ent.button("注册", scope="main"))
    assert ENTERPRISE_EMAIL in ent.page.inner_text("main")
    ent.shot("enterprise-register-done")
    assert not User.objects.get(email=ENTERPRISE_EMAIL).is_active

    # The confirmation link from the e-mail (locmem outbox), then the login.
    (message,) = [m for m in mail.outbox if ENTERPRISE_EMAIL in m.to]
    ent.go(link_in(message.body, "/accounts/confirm/"))
    assert "/accounts/login/" in ent.page.url
    ent.expect_flash("邮箱已确认")
    ent.shot("enterprise-email-confirmed")
    ent.login(ENTERPRISE_EMAIL, "Jiasuan-2026-secure")

    # 登记企业信息 with a valid unified social credit code.
    ent.go("/enterprise/register/")
    page = ent.page
    page.fill("#id_name", ENTERPRISE_NAME)
    page.fill("#id_credit_code", CREDIT_CODE)
    for name in ("registered_district", "tax_district", "stats_district"):
        page.select_option(f"#id_{name}", "huangpu")
    page.select_option("#id_industry", "ai")
    page.check("#id_has_independent_accounts")
    page.fill("#id_legal_representative", "张伟")
    page.fill("#id_contact_name", "张伟")
    page.fill("#id_contact_phone", "020-32012345")
    page.fill("#id_contact_email", ENTERPRISE_EMAIL)
    page.fill("#id_address", "广州市黄埔区科学大道1号")
    # 认领 with the business licence; the legal representative claims it himself (no power of attorney)
    page.check("#id_claimant_is_legal_representative")
    page.set_input_files("#id_business_licence", upload_file("business-licence.pdf"))
    ent.shot("enterprise-profile-form")
    ent.submit(ent.button("登记", scope="main"))
    ent.expect_flash("营业执照已提交主管部门实名核验")
    ent.shot("enterprise-dashboard")
    ent.go("/enterprise/")
    assert "实名核验：待核验" in page.inner_text("main")


def enterprise_applies(
    ent: Actor, *, code: str, title: str, inputs: dict[str, str], estimate: Decimal, contract: str, step: str
) -> Application:
    """From the programme's catalogue page: open a draft, fill it, upload every material (PDF and
    PNG files), tick the declaration and submit."""
    ent.go(f"/catalogue/{code}/")
    with ent.page.expect_navigation():
        ent.page.get_by_role("link", name="在线申报").click()
    ent.submit(ent.button("开始填写申报表"))
    ent.expect_flash("已创建申报草稿")
    page = ent.page
    page.fill("#id_title", title)
    page.fill("#id_description", f"{title}：使用区内智能算力开展大模型推理与微调。")
    page.fill("#id_contract_numbers", contract)
    for name, value in inputs.items():
        page.fill(f"#id_in_{name}", value)
    # The draft saves itself as typed and the live estimate answers (waited for, so that the
    # autosave is not still on its way when the form is posted).
    page.locator("#estimate-panel [data-estimate-amount]").filter(has_text=f"{estimate:,} 元").wait_for()
    page.locator(".saved-hint").filter(has_text="已自动保存").wait_for()
    ent.shot(f"{step}-form")
    ent.submit(ent.button("保存，下一步：上传材料"))
    app = Application.objects.get(enterprise__credit_code=CREDIT_CODE, programme__code=code)
    assert app.state == State.DRAFT and app.title == title

    materials = [m["code"] for m in app.programme.materials]
    for i, material in enumerate(materials):
        stem = material.replace("_", "-")  # a file name, not to be taken for a code name on the pages
        name = f"{stem}.png" if i % 2 else f"{stem}.pdf"
        form = page.locator("#materials form[enctype='multipart/form-data']")
        form.locator("select[name=material]").select_option(material)
        form.locator("input[type=file]").set_input_files(upload_file(name))
        ent.submit(form.get_by_role("button", name="上传"))
        ent.expect_flash(f"文件已上传：{name}")
    assert set(Attachment.objects.filter(application=app).values_list("material", flat=True)) == set(materials)
    ent.shot(f"{step}-materials")

    ent.go(f"/applications/{app.pk}/submit/")
    page.check("#id_declaration")
    ent.shot(f"{step}-declaration")
    ent.submit(ent.button("确认提交"))
    ent.expect_flash("申报已提交")
    ent.shot(f"{step}-submitted")
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.declared_by.email == ENTERPRISE_EMAIL
    return app


def enterprise_answers_supplement(ent: Actor, app: Application) -> None:
    """The notice arrives by e-mail; the enterprise replaces the invoice, answers each item and
    resubmits."""
    assert any("补正" in m.subject and ENTERPRISE_EMAIL in m.to for m in mail.outbox)
    old_invoice = Attachment.objects.get(application=app, material="invoice", superseded_at__isnull=True)
    ent.go("/inbox/")
    notice = ent.page.locator("tr", has_text=f"补正通知：申报 {app.reference}")
    assert "发票影像不清晰" in notice.inner_text()
    ent.shot("enterprise-inbox")
    ent.submit(notice.get_by_role("button", name="查看"))  # read, then on to the application
    assert ent.page.url.endswith(f"/applications/{app.pk}/")
    assert "发票影像不清晰" in ent.page.inner_text("main")
    ent.shot("enterprise-supplement-notice")
    with ent.page.expect_navigation():
        ent.page.get_by_role("link", name="答复并重新提交").click()
    form = ent.page.locator("#materials form[enctype='multipart/form-data']")
    form.locator("select[name=material]").select_option("invoice")
    form.locator("select[name=replaces]").select_option(str(old_invoice.pk))
    form.locator("input[type=file]").set_input_files(upload_file("invoice-clear.pdf", text="Invoice 2544200000009988"))
    ent.submit(form.get_by_role("button", name="上传"))
    ent.expect_flash("文件已上传：invoice-clear.pdf")
    old_invoice.refresh_from_db()
    assert old_invoice.superseded_at is not None

    with ent.page.expect_navigation():
        ent.page.get_by_role("link", name="答复并重新提交").click()
    ent.page.fill("#id_answer_invoice", "已上传清晰的发票PDF（invoice-clear.pdf）。")
    ent.page.fill("#id_answer_other-1", "用于本企业客服大模型的推理服务和行业数据微调。")
    ent.shot("enterprise-supplement-answer")
    ent.submit(ent.button("提交补正"))
    ent.expect_flash("补正材料已提交")
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    ent.shot("enterprise-resubmitted")


def enterprise_downloads_and_verifies_letter(ent: Actor, app: Application) -> None:
    """The approval letter: downloaded through its link (a PDF bearing its number), then checked on
    the public verification page its QR code leads to, by uploading the very file."""
    from reviews.models import Letter

    letter = Letter.objects.get(application=app, kind=Letter.Kind.APPROVAL)
    assert letter.sha256, "the approval letter was not rendered"
    ent.go(f"/applications/{app.pk}/")
    ent.shot("enterprise-approved")
    ent.go("/letters/")
    row = ent.page.locator("tr", has_text=letter.number)
    ent.shot("enterprise-letters")
    with ent.page.expect_download() as download:
        row.get_by_role("link", name="下载PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = "".join(pdf_text(pdf).split())
    assert "".join(letter.number.split()) in text, text[:300]
    assert letter.code in text  # the verification code printed under the QR code
    saved = ent.shots.root / "approval-letter.pdf"
    saved.write_bytes(pdf)

    # The address under the QR code (the same URL the code encodes) opens the public check.
    # (the note beside the signature may wrap the address: read it with the line breaks taken out)
    match = re.search(r"https?://\S+?(/verify/([A-Z0-9]+)/)", "".join(pdf_text(pdf).split()))
    assert match and match.group(2) == letter.code, "no verification address in the letter"
    public = ent.context.browser.new_context(base_url=ent.base_url, locale="zh-CN")
    try:
        page = public.new_page()
        page.goto(match.group(1))
        assert "现行有效" in page.inner_text("main")
    finally:
        public.close()
    with ent.page.expect_navigation():
        row.get_by_role("link", name="核验").click()
    assert ent.page.url.endswith(match.group(1))
    main = ent.page.inner_text("main")
    assert "现行有效" in main and letter.number in main and ENTERPRISE_NAME in main
    ent.page.locator("main input[type=file]").set_input_files(str(saved))
    ent.submit(ent.button("核对"))
    assert "一致：该文件与平台存档的文书完全相同" in ent.page.inner_text("main")
    ent.shot("letter-verified")


def provider_redeems(prov: Actor, voucher, amount: Decimal) -> None:
    """核销 the provider's desk: voucher code, the holder's credit code, an invoice and its file."""
    prov.go("/provider/")
    page = prov.page
    page.fill("#id_voucher_code", voucher.code)
    page.fill("#id_holder_credit_code", CREDIT_CODE)
    page.fill("#id_invoice_number", INVOICE)
    page.fill("#id_invoice_date", timezone.localdate().isoformat())
    page.fill("#id_amount", str(amount))
    page.locator("#id_invoice_file").set_input_files(upload_file("invoice-2026-1122.pdf", text=f"Invoice {INVOICE}"))
    prov.shot("provider-redeem-form")
    prov.submit(prov.button("提交核销"))
    prov.expect_flash(f"核销成功：{voucher.code} 核销 {amount:,} 元")
    prov.shot("provider-redeemed")
