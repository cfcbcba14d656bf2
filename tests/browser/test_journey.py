"""The portal end to end in a real browser (issue 8): an enterprise registers, confirms its e-mail,
registers its enterprise and applies with attachments; a reviewer returns the application for
supplement; the enterprise answers and resubmits; the formal review passes with its comment; experts
declare and score a competitive application; the reviewer proposes each decision with the
calculator's maximum in view and the administrator checks it (复核), the leader signing too above
500,000 元 (分管领导); the administrator records the competitive programme's collective decision
(集体决策) and publishes the public notice; the notice ends; the enterprise downloads its approval
letter and verifies it on the letter's QR page; a compute provider redeems part of the voucher; the
enterprise confirms; the administrator sees the budget pool move at each stage.

Steps run in order in one test (they share one live database); each leaves a screenshot in
test-artifacts/browser/."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import Application, Attachment
from applications.workflow import State
from portal.models import Role, User
from reviews.models import AuthorisedApprover
from tests.factories import PASSWORD, UserFactory, make_uscc

from .helpers import Actor, link_in, pdf_text, upload_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTERPRISE_EMAIL = "zhang.wei@jiasuan.example.cn"
ENTERPRISE_NAME = "广州嘉算智能科技有限公司"
CREDIT_CODE = make_uscc(880001)
COMPUTE = "hp-compute-voucher"
OPEN_SOURCE = "hp-open-source"
ELIGIBLE_COST = Decimal("300000.00")
REQUESTED = Decimal("800000.00")
REDEEMED = Decimal("120000.00")
INVOICE = "25442000000011112222"  # the provider's invoice for the compute it sold


@dataclass
class World:
    admin: User
    leader: User
    reviewer: User
    experts: list[User]
    provider_user: User
    pools: dict


@pytest.fixture
def world(catalogue) -> World:
    """What exists before the enterprise arrives: staff accounts, open windows of both programmes,
    the year's budget pools (through the audited service) and a compute provider of the catalogue."""
    from vouchers.services.budget import pool_set_amount
    from vouchers.services.catalogue import window_open
    from vouchers.services.redemption import provider_member_link, provider_save

    admin = UserFactory(role=Role.BUREAU_ADMIN, email="admin@hp.example.cn", full_name="区经信局管理员", is_staff=True)
    reviewer = UserFactory(role=Role.REVIEWER, email="reviewer@hp.example.cn", full_name="李审核")
    leader = UserFactory(role=Role.BUREAU_ADMIN, email="leader@hp.example.cn", full_name="孙分管", is_staff=True)
    AuthorisedApprover.objects.create(user=leader, title="分管副局长", granted_by=admin)
    experts = [
        UserFactory(role=Role.EXPERT, email=f"expert{i}@hp.example.cn", full_name=f"专家{name}")
        for i, name in enumerate(("王", "陈", "刘"), start=1)
    ]
    provider_user = UserFactory(role=Role.PROVIDER, email="desk@zhisuan.example.cn", full_name="赵核销")
    now = timezone.now()
    year = timezone.localdate().year
    pools = {}
    for code in (COMPUTE, OPEN_SOURCE):
        programme = catalogue[code]
        window_open(
            actor=admin,
            programme=programme,
            name=f"{year}年第一批",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=60),
        )
        pools[code] = pool_set_amount(actor=admin, programme=programme, fiscal_year=year, amount="10000000.00")
    provider = provider_save(
        actor=admin,
        name="广州黄埔智算中心有限公司",
        credit_code=make_uscc(990001),
        services="智能算力租赁、模型云部署、API调用",
        district="黄埔区/广州开发区",
        contact_name="赵经理",
        contact_phone="020-88880000",
        valid_from=timezone.localdate() - dt.timedelta(days=100),
        valid_to=None,
    )
    provider_member_link(actor=admin, provider=provider, user=provider_user)
    return World(
        admin=admin, leader=leader, reviewer=reviewer, experts=experts, provider_user=provider_user, pools=pools
    )


# ---------------------------------------------------------------- the steps


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


def bureau_verifies_enterprise(rev: Actor) -> None:
    """实名核验 the bureau's queue: the claim with its licence, the division agrees; verified."""
    rev.go("/verification/")
    with rev.page.expect_navigation():
        rev.page.locator("main").get_by_role("link", name=ENTERPRISE_NAME).first.click()
    main = rev.page.inner_text("main")
    assert "营业执照" in main and "与所报注册地一致" in main
    rev.page.get_by_label("核验通过", exact=True).check()
    rev.shot("bureau-verifies-enterprise")
    rev.submit(rev.button("提交"))
    rev.expect_flash("已核验通过")


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


def reviewer_claims(rev: Actor, app: Application, step: str) -> None:
    """From the queue: open the application and claim it (formal review starts)."""
    rev.go("/review/")
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name=app.reference).click()
    rev.submit(rev.button("认领"))
    rev.expect_flash("已认领")
    app.refresh_from_db()
    assert app.state == State.FORMAL_REVIEW
    rev.shot(step)


def reviewer_returns_for_supplement(rev: Actor, app: Application) -> None:
    """退回补正 listing every item at once (一次性告知): a material to replace and another item."""
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name="退回补正（一次性告知）").click()
    page = rev.page
    page.check("#id_m_invoice")
    page.fill("#id_n_invoice", "发票影像不清晰，请上传清晰的发票PDF")
    page.fill("#id_other_label_1", "算力用途说明")
    page.fill("#id_other_note_1", "请说明所购算力用于哪些模型的推理或微调")
    page.fill("#id_note", "请在补正期限内一次性补齐以上事项。")
    rev.shot("reviewer-return-form")
    rev.submit(rev.button("退回补正并通知申报单位"))
    rev.expect_flash("已退回补正")
    app.refresh_from_db()
    assert app.state == State.SUPPLEMENT_REQUESTED
    rev.shot("reviewer-returned")


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


def reviewer_passes_formal_review(rev: Actor, app: Application, *, button: str, state: str, step: str) -> None:
    rev.go(f"/review/applications/{app.pk}/")
    rev.page.fill("#id_formal_note", "材料齐全，符合申报条件。")  # 形式审查意见, required
    rev.submit(rev.button(button))
    rev.expect_flash("形式审查通过")
    app.refresh_from_db()
    assert app.state == state
    rev.shot(step)


def admin_assigns_experts(admin: Actor, app: Application, experts: list[User]) -> None:
    admin.go(f"/review/applications/{app.pk}/")
    form = admin.page.locator("form.experts-form")
    for expert in experts:
        form.get_by_label(str(expert), exact=True).check()
    admin.shot("admin-assigns-experts")
    admin.submit(form.get_by_role("button", name="指派"))
    admin.expect_flash("已指派评审专家")


def expert_declares_and_scores(expert: Actor, app: Application, scores: dict[str, str], n: int) -> None:
    expert.go("/expert/")
    with expert.page.expect_navigation():
        expert.page.get_by_role("link", name=app.reference).click()
    expert.page.get_by_label("本人与申报单位及项目不存在利益冲突", exact=False).check()
    if n == 1:
        expert.shot("expert-declaration")
    expert.submit(expert.button("提交声明"))
    expert.expect_flash("已声明无利益冲突")
    assert f"{REQUESTED:,} 元" in expert.page.inner_text("main")  # the project's figures, as amounts
    for code, value in scores.items():
        expert.page.fill(f"#id_score_{code}", value)
    expert.page.fill("#id_comment", "开源生态活跃，性能测评数据完整，建议支持。")
    if n == 1:
        expert.shot("expert-scores")
    expert.submit(expert.button("提交评分"))
    expert.expect_flash("评分已提交")


def reviewer_proposes(rev: Actor, app: Application, *, maximum: Decimal, step: str) -> None:
    """实质审核 the decision page shows the calculator's maximum; the reviewer proposes it in full (经办),
    which waits for the check (复核) by someone else."""
    rev.go(f"/review/applications/{app.pk}/")
    with rev.page.expect_navigation():
        rev.page.get_by_role("link", name="实质审核：核定金额或不予支持").click()
    shown = rev.page.locator(".amount-big").inner_text()
    assert shown == f"{maximum:,} 元", shown
    rev.page.get_by_label("予以支持", exact=False).check()
    assert Decimal(rev.page.input_value("#id_amount")) == maximum
    rev.page.fill("#id_comment", "材料齐全，测算无误，拟按测算金额支持。")
    rev.shot(step)
    rev.submit(rev.button("提交拟办意见"))
    rev.expect_flash("拟办意见已提交，待复核。")
    assert "同一人不能办理同一决定的两个环节" in rev.page.inner_text("main")
    app.refresh_from_db()
    assert app.state == State.BUREAU_REVIEW


def step_approves(actor: Actor, app: Application, *, then: str, step: str) -> None:
    """复核 / 分管领导: from the proposals awaiting me, the decision workspace's chain; approve the step."""
    actor.go("/review/approvals/")
    with actor.page.expect_navigation():
        actor.page.locator("main").get_by_role("link", name=app.reference).click()
    assert "拟办意见（审批中）" in actor.page.inner_text("main")
    actor.page.fill("#id_comment", "同意。")
    actor.shot(step)
    actor.submit(actor.button("同意", scope="main"))
    actor.expect_flash(f"已同意，{then}")


def pool_figures(admin: Actor, pool, step: str) -> dict[str, str]:
    """The administrator's pool page: the figures on its cards (预算额度, 已预留, 已核定, 已拨付, 剩余可用)."""
    admin.go(f"/manage/budget/?year={pool.fiscal_year}")
    with admin.page.expect_navigation():
        admin.page.locator(f"main a[href='/manage/budget/pools/{pool.pk}/']").first.click()
    cards = admin.page.locator(".totals .card")
    figures = {
        cards.nth(i).locator(".muted").inner_text(): cards.nth(i).locator(".figure").inner_text()
        for i in range(cards.count())
    }
    admin.shot(step)
    return figures


def admin_records_collective_decision(admin: Actor, app: Application) -> None:
    """集体决策: the competitive programme's list goes to notice once the meeting is recorded."""
    admin.go("/review/notices/")
    with admin.page.expect_navigation():
        admin.page.get_by_role("link", name="记录集体决策").click()
    page = admin.page
    page.fill("#id_meeting_name", "2026年第5次局务会议")
    page.fill("#id_meeting_date", timezone.localdate().isoformat())
    page.fill("#id_attendees", "张局长（主持）\n孙分管\n王科长")
    page.fill("#id_minutes", "会议审议了开源项目拟支持名单，同意予以支持，进入公示。")
    admin.shot("admin-collective-decision")
    admin.submit(admin.button("记录集体决策", scope="main"))
    admin.expect_flash("已记录集体决策")
    assert app.collective_decisions.exists()


def admin_publishes_notices(admin: Actor, apps: list[Application]) -> None:
    admin.go("/review/notices/")
    main = admin.page.inner_text("main")
    assert all(f"{a.decisions.get(current=True).amount:,}" in main for a in apps), main  # each amount shown
    admin.shot("admin-notices-pending")
    for _ in apps:
        admin.submit(admin.page.locator("main form").first.get_by_role("button", name="发布公示"))
        admin.expect_flash("公示已发布")
        admin.go("/review/notices/")
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.IN_PUBLIC_NOTICE, app.state
    admin.shot("admin-notices-published")


def notice_period_ends(apps: list[Application]) -> None:
    """公示期满: the periodic task finalizes what the notices list. The task reads the clock itself
    (no "now" argument), so the notices' dates are moved into the past through the ORM first."""
    from reviews.models import PublicNotice
    from reviews.tasks import public_notices_close_due

    today = timezone.localdate()
    notices = PublicNotice.objects.filter(entries__application__in=apps).distinct()
    assert notices.count() == len(apps)
    PublicNotice.objects.filter(pk__in=[n.pk for n in notices]).update(
        starts_on=today - dt.timedelta(days=12), ends_on=today - dt.timedelta(days=1)
    )
    # .result, not .get(): Celery's "no join inside a task" guard is process-wide, and the live server may be
    # running an eager task in its own thread at this moment (the two browser journeys failed so, by chance)
    result = public_notices_close_due.apply(throw=True).result
    assert sorted(result["finalized"]) == sorted(a.pk for a in apps), result
    for app in apps:
        app.refresh_from_db()
        assert app.state == State.APPROVED, app.state


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


# ---------------------------------------------------------------- the journey


def test_enterprise_to_redeemed_voucher(world, actors):
    ent = actors("enterprise")
    enterprise_registers(ent)
    rev = actors("reviewer")
    rev.login(world.reviewer.email, PASSWORD)
    bureau_verifies_enterprise(rev)
    voucher_app = enterprise_applies(
        ent,
        code=COMPUTE,
        title="大模型推理算力采购项目",
        inputs={"eligible_cost": "300000"},
        estimate=ELIGIBLE_COST,
        contract="HT-2026-0815",
        step="compute-apply",
    )
    open_app = enterprise_applies(
        ent,
        code=OPEN_SOURCE,
        title="嘉算开源推理框架",
        inputs={"requested_amount": "800000"},
        estimate=REQUESTED,
        contract="OSS-2026-001",
        step="opensource-apply",
    )
    assert voucher_app.pk != open_app.pk

    # 形式审查 a reviewer claims the voucher application and returns it for supplement; the
    # enterprise answers; the formal review passes.
    reviewer_claims(rev, voucher_app, "reviewer-claimed")
    reviewer_returns_for_supplement(rev, voucher_app)
    enterprise_answers_supplement(ent, voucher_app)
    reviewer_passes_formal_review(
        rev, voucher_app, button="形式审查通过，进入实质审核", state=State.BUREAU_REVIEW, step="reviewer-formal-passed"
    )

    # 专家评审 the competitive application: three experts, each declares no conflict and scores.
    reviewer_claims(rev, open_app, "reviewer-claimed-opensource")
    reviewer_passes_formal_review(
        rev, open_app, button="形式审查通过，提交专家评审", state=State.EXPERT_REVIEW, step="reviewer-sent-to-experts"
    )
    admin = actors("admin")
    admin.login(world.admin.email, PASSWORD)
    admin_assigns_experts(admin, open_app, world.experts)
    marks = [
        {"downloads": "36", "performance": "26", "influence": "25"},
        {"downloads": "33", "performance": "27", "influence": "24"},
        {"downloads": "38", "performance": "25", "influence": "27"},
    ]
    for n, (user, scores) in enumerate(zip(world.experts, marks, strict=True), start=1):
        expert = actors(f"expert{n}")
        expert.login(user.email, PASSWORD)
        expert_declares_and_scores(expert, open_app, scores, n)
        expert.assert_clean()
        expert.close()
    rev.go(f"/review/applications/{open_app.pk}/")
    assert "已评分 3 / 3 名专家" in rev.page.inner_text("main")
    rev.submit(rev.button("专家评审完成，进入实质审核"))
    open_app.refresh_from_db()
    assert open_app.state == State.BUREAU_REVIEW
    rev.shot("reviewer-expert-panel")

    # 实质审核 the reviewer proposes with the calculator's maximum in view (经办); the administrator checks
    # (复核), and above 500,000 元 the leader signs (分管领导); only then does the pool reserve it.
    compute_pool = world.pools[COMPUTE]
    before = pool_figures(admin, compute_pool, "budget-before")
    assert before["已预留（待公示）"] == "0.00 元", before
    reviewer_proposes(rev, voucher_app, maximum=ELIGIBLE_COST, step="reviewer-proposes-compute")
    reviewer_proposes(rev, open_app, maximum=REQUESTED, step="reviewer-proposes-opensource")
    assert pool_figures(admin, compute_pool, "budget-proposed")["已预留（待公示）"] == "0.00 元"
    step_approves(admin, voucher_app, then="审批完成，决定已生效。", step="admin-checks-compute")
    step_approves(admin, open_app, then="待分管领导。", step="admin-checks-opensource")
    leader = actors("leader")
    leader.login(world.leader.email, PASSWORD)
    step_approves(leader, open_app, then="审批完成，决定已生效。", step="leader-signs-opensource")
    for app in (voucher_app, open_app):
        app.refresh_from_db()
        assert app.state == State.APPROVED_PENDING_NOTICE
    reserved = pool_figures(admin, compute_pool, "budget-reserved")
    assert reserved["已预留（待公示）"] == f"{ELIGIBLE_COST:,} 元", reserved

    # 公示 the administrator records the competitive programme's collective decision and publishes;
    # anyone can read the notice.
    admin_records_collective_decision(admin, open_app)
    admin_publishes_notices(admin, [voucher_app, open_app])
    public = actors("public")
    public.go("/notices/")
    with public.page.expect_navigation():
        title = f"{voucher_app.programme.name_zh}{voucher_app.window.name}"  # 算力券2026年第一批拟支持名单公示
        public.page.locator("main").get_by_role("link", name=title, exact=False).click()
    assert ENTERPRISE_NAME in public.page.inner_text("main")
    public.shot("public-notice")

    # 公示期满 the notices end; the awards are committed, the letters issued, the voucher issued.
    notice_period_ends([voucher_app, open_app])
    committed = pool_figures(admin, compute_pool, "budget-committed")
    assert committed["已预留（待公示）"] == "0.00 元" and committed["已核定"] == f"{ELIGIBLE_COST:,} 元", committed

    # 正式文书 the enterprise downloads its approval letter and verifies it.
    enterprise_downloads_and_verifies_letter(ent, voucher_app)

    # 算力券 the voucher; a provider of the catalogue redeems part of it; the enterprise confirms.
    from vouchers.models import Redemption, Voucher

    voucher = Voucher.objects.get(award__application=voucher_app)
    assert voucher.face_value == ELIGIBLE_COST
    ent.go("/vouchers/")
    assert voucher.code in ent.page.inner_text("main")
    ent.shot("enterprise-vouchers")
    prov = actors("provider")
    prov.login(world.provider_user.email, PASSWORD)
    provider_redeems(prov, voucher, REDEEMED)
    voucher.refresh_from_db()
    assert voucher.balance == ELIGIBLE_COST - REDEEMED

    ent.go("/vouchers/")
    with ent.page.expect_navigation():
        ent.page.locator("tr", has_text=voucher.code).get_by_role("link", name="查看").click()
    ent.shot("enterprise-voucher-pending")
    ent.submit(ent.page.locator("main table").last.get_by_role("button", name="确认"))
    ent.expect_flash("已确认该笔核销")
    assert Redemption.objects.get(voucher=voucher).status == Redemption.Status.CONFIRMED
    ent.shot("enterprise-redemption-confirmed")

    # 预算 the administrator sees the pool move: reserved → committed → disbursed.
    after = pool_figures(admin, compute_pool, "budget-disbursed")
    assert after["已核定"] == f"{ELIGIBLE_COST:,} 元" and after["已拨付"] == f"{REDEEMED:,} 元", after

    for actor in (ent, rev, admin, leader, public, prov):
        actor.assert_clean()
