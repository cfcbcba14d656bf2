"""快申快享 end to end in a real browser (issue 18): the enterprise keeps its 营业执照, 信用承诺书 and
纳税证明 in its document library, starts an application that is pre-filled from its facts (一企一档) with
each value's source shown, reuses the library's files, submits and sees the promised payment date on
its progress stepper; once the clock is moved near that date, the administrator finds the application
on the at-risk dashboard."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from applications.models import Application, EnterpriseMember
from applications.workflow import State
from portal.models import Role
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, member
from tests.proactive.quick_helpers import PROGRAMME, Clock, at, open_window, revenue_facts

from .helpers import upload_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(catalogue):
    admin = UserFactory(
        role=Role.BUREAU_ADMIN, email="admin@hp.example.cn", full_name="黄埔经办", is_staff=True, district="huangpu"
    )
    firm = EnterpriseFactory(name="广州快申智能科技有限公司")
    owner = member(firm, EnterpriseMember.MemberRole.OWNER, email="owner@kuaishen.example.cn")
    revenue_facts(firm)
    open_window(catalogue[PROGRAMME])
    return {"admin": admin, "firm": firm, "owner": owner}


def test_quick_application_from_library_and_facts_to_the_at_risk_dashboard(world, actors):
    ent = actors("enterprise")
    ent.login(world["owner"].email, PASSWORD)

    # 资料库 upload once
    for material, name in (
        ("business_license", "营业执照.pdf"),
        ("credit_commitment", "信用承诺书.pdf"),
        ("tax_certificate", "纳税证明.pdf"),
    ):
        ent.go("/enterprise/library/")
        ent.page.select_option("#id_material", material)
        ent.page.set_input_files("#id_file", upload_file(name, text="GZAI library file"))
        ent.submit(ent.button("上传", scope="#library-upload"))
        ent.expect_flash("已存入企业资料库")
    assert "长期有效" in ent.page.inner_text("#library")
    ent.shot("quick-library")

    # 快申 the start shows what the facts pre-fill and where each value comes from
    ent.go(f"/applications/new/{PROGRAMME}/")
    preview = ent.page.inner_text("#prefill-preview")
    assert "广州市统计局" in preview and "所属期间 2025-11" in preview and "规上企业营收.csv" in preview
    ent.shot("quick-start")
    ent.submit(ent.button("按企业档案预填并开始填写"))
    ent.expect_flash("已按企业档案预填")
    app = Application.objects.get(enterprise=world["firm"])
    assert set(app.input_sources) == {"revenue_current", "revenue_previous"}
    assert "沿用档案数据" in ent.page.inner_text("#prefill-sources")
    ent.page.fill("#id_title", "软件营收增长奖励申报")
    ent.page.fill("#id_project_key", "YS-2025-KS")
    ent.submit(ent.button("保存，下一步：上传材料"))

    # the library's files, reused; the one it does not keep, uploaded
    for _ in range(3):
        ent.submit(ent.button("使用此文件", scope="#library-offer").first)
        ent.expect_flash("已从资料库添加")
    assert ent.page.locator("#library-offer").count() == 0
    ent.page.select_option("#id_material", "statistics_report")
    ent.page.set_input_files("#id_file", upload_file("营业收入报表.pdf", text="GZAI revenue report"))
    ent.submit(ent.button("上传", scope="#materials"))
    ent.shot("quick-materials")

    ent.go(f"/applications/{app.pk}/submit/")
    ent.page.check("input[name=declaration]")
    ent.submit(ent.button("确认提交"))
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.payment_promised_on is not None
    ent.go(f"/applications/{app.pk}/")
    promised = app.payment_promised_on
    assert f"承诺兑付日期：{promised:%Y-%m-%d}" in ent.page.inner_text("#payment-promise")
    ent.shot("quick-promise")

    # the clock moved a week before the promise: the administrator sees it at risk
    clock = Clock(at(promised.year, promised.month, promised.day) - dt.timedelta(days=7))
    with mock.patch.object(timezone, "now", clock):
        admin = actors("admin")
        admin.login(world["admin"].email, PASSWORD)
        admin.go("/proactive/payment-promises/")
        assert app.reference in admin.page.inner_text("#promises")
        admin.shot("quick-at-risk")
        admin.go("/proactive/payment-promises/?watch=overdue")
        assert app.reference not in admin.page.inner_text("#promises")
    for actor in (ent, admin):
        actor.assert_clean()
