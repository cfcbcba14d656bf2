"""免申即享 end to end in a real browser (issue 18): the Tianhe administrator imports the bureau's DCMM list
(一企一档), runs matching (the enterprise sees its match), prepares a 免申 batch of the flagged programme,
publishes it (applications filed from the facts, submitted by the system, the decision proposed); a
second administrator checks it (复核) and the awards are reserved; the first lists them for 公示; the
enterprise confirms in one step (its verified 收款账户 and the declaration); the notice ends and the
enterprise has its approval letter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, EnterpriseMember
from applications.workflow import Route, State
from portal.models import Role
from reviews.models import Letter
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, member
from tests.vouchers.payments_helpers import verified_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "th-dcmm"
TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}


@pytest.fixture
def world(catalogue):
    from vouchers.services.budget import pool_set_amount
    from vouchers.services.catalogue import window_open

    admin = UserFactory(
        role=Role.BUREAU_ADMIN, email="admin@th.example.cn", full_name="天河经办", is_staff=True, district="tianhe"
    )
    checker = UserFactory(
        role=Role.BUREAU_ADMIN, email="check@th.example.cn", full_name="天河复核", is_staff=True, district="tianhe"
    )
    firm = EnterpriseFactory(name="广州天数科技有限公司", is_above_scale=True, **TIANHE)
    owner = member(firm, EnterpriseMember.MemberRole.OWNER, email="owner@tianshu.example.cn")
    account = verified_account(firm, owner, admin)
    now = timezone.now()
    programme = catalogue[PROGRAMME]
    window_open(
        actor=admin,
        programme=programme,
        name="免申第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )
    pool_set_amount(actor=admin, programme=programme, fiscal_year=timezone.localdate().year, amount="1000000.00")
    return {"admin": admin, "checker": checker, "firm": firm, "owner": owner, "account": account}


def test_auto_award_from_facts_to_letter(world, actors):
    firm = world["firm"]
    admin = actors("admin")
    admin.login(world["admin"].email, PASSWORD)

    # 一企一档 the bureau's DCMM list, imported as a whole
    admin.go("/proactive/imports/")
    admin.page.select_option("#department", "bureau")
    admin.page.fill("#source", "数据管理能力成熟度评估结果名单")
    admin.page.set_input_files(
        "#file",
        {
            "name": "dcmm.csv",
            "mimeType": "text/csv",
            "buffer": f"统一社会信用代码,DCMM等级\n{firm.credit_code},4\n".encode(),
        },
    )
    admin.submit(admin.button("校验并导入"))
    admin.expect_flash("导入完成")
    admin.submit(admin.button("立即运行政策匹配"))
    admin.shot("auto-facts-imported")

    ent = actors("enterprise")
    ent.login(world["owner"].email, PASSWORD)
    ent.go("/enterprise/matches/")
    assert "数据要素供给奖励" in ent.page.inner_text("main")
    ent.shot("auto-enterprise-matches")

    # 免申即享 prepare (the cut-off a minute on, so that the import just made is before it), publish
    from proactive.models import EnterpriseFact

    EnterpriseFact.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=2))
    admin.go("/proactive/auto-batches/")
    admin.submit(admin.button("生成候选名单"))
    text = admin.page.inner_text("main")
    assert firm.name in text and "100,000.00" in text
    admin.shot("auto-batch-prepared")
    admin.page.fill("textarea[name=comment]", "数据来源于评估结果名单，已抽查。")
    admin.submit(admin.button("发布并提交审批"))
    admin.expect_flash("已生成 1 件免申即享申报")
    app = Application.objects.get(enterprise=firm, route=Route.AUTO)
    assert app.state == State.BUREAU_REVIEW and app.input_sources["dcmm_level"]["source"]

    # 复核 by the second administrator: only then is the award reserved
    checker = actors("checker")
    checker.login(world["checker"].email, PASSWORD)
    checker.go("/review/approvals/")
    with checker.page.expect_navigation():
        checker.page.locator("main").get_by_role("link", name=app.reference).click()
    checker.page.fill("#id_comment", "同意。")
    checker.submit(checker.button("同意", scope="main"))
    checker.expect_flash("已同意，审批完成，决定已生效。")
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE

    # 公示 and the enterprise's one-step confirmation
    admin.go(admin.page.url)
    admin.submit(admin.button("发布公示"))
    admin.expect_flash("已发布公示")
    admin.shot("auto-batch-listed")
    ent.go("/enterprise/auto-awards/")
    assert "数据管理能力成熟度评估结果名单" in ent.page.inner_text("main")
    ent.page.select_option("select[name=account]", str(world["account"].pk))
    ent.page.check("input[name=declaration]")
    ent.shot("auto-enterprise-confirms")
    ent.submit(ent.button("确认领取"))
    ent.expect_flash("已确认领取")

    # 公示期满 the award is final, its letter issued
    from reviews.models import PublicNotice
    from reviews.tasks import public_notices_close_due

    today = timezone.localdate()
    PublicNotice.objects.update(starts_on=today - dt.timedelta(days=12), ends_on=today - dt.timedelta(days=1))
    assert public_notices_close_due.apply(throw=True).result["finalized"] == [app.pk]
    app.refresh_from_db()
    assert app.state == State.APPROVED and app.estimate_amount == Decimal("100000.00")
    letter = Letter.objects.get(application=app, kind=Letter.Kind.APPROVAL)
    ent.go("/letters/")
    assert letter.number in ent.page.inner_text("main")
    ent.shot("auto-enterprise-letter")
    for actor in (admin, checker, ent):
        actor.assert_clean()
