"""The cast's enterprises beyond their applications: facts and 免申 batches (proactive), 实名核验
verification, a 事前同意 pre-approval, a two-party application and an invitation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from portal.models import Role
from tests.factories import UserFactory

from .base import _code, _upload


def _proactive(o: dict, users: dict) -> None:
    """一企一档 and 免申即享: facts of A (one of them contested by A's owner), an import batch, and a prepared
    免申 batch of Huangpu's flagged programme (hp-revenue-growth)."""
    from proactive.models import (
        AutoAwardBatch,
        AutoAwardCandidate,
        Department,
        EnterpriseFact,
        FactContest,
        FactImport,
    )
    from vouchers.models import ApplicationWindow, Programme

    a = o["a_draft"].enterprise
    o["fact_import"] = FactImport.objects.create(
        department=Department.STATISTICS,
        source="广州市统计局",
        file_name="规上企业.csv",
        sha256="0" * 64,
        rows=1,
        created=2,
    )
    o["fact_a"] = EnterpriseFact.objects.create(
        enterprise=a,
        kind="revenue_jan_nov",
        period="2025-11",
        value="90000000.00",
        department=Department.STATISTICS,
        source="广州市统计局",
        fact_import=o["fact_import"],
    )
    contested = EnterpriseFact.objects.create(
        enterprise=a,
        kind="revenue_jan_nov",
        period="2024-11",
        value="70000000.00",
        department=Department.STATISTICS,
        source="广州市统计局",
        fact_import=o["fact_import"],
    )
    o["fact_contest"] = FactContest.objects.create(
        fact=contested, raised_by=users["owner_a"], reason="口径有误", proposed_value="60000000.00"
    )
    programme = Programme.objects.get(code="hp-revenue-growth")
    now = timezone.now()
    o["window_auto"] = ApplicationWindow.objects.create(
        programme=programme,
        name="免申即享第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    o["auto_batch"] = AutoAwardBatch.objects.create(
        programme=programme, window=o["window_auto"], facts_cutoff=now, seed=1, created_by=users["admin"]
    )
    # a listed award of A to confirm or decline (its application, A's draft, refuses both: nothing changes);
    # nothing under either remedy, so that publishing the batch files nothing
    # 资料库 A's library: a 营业执照 its members may reuse (its file is theirs; staff never see it directly)
    from proactive.services_library import library_document_add

    o["library_doc_a"] = library_document_add(
        actor=users["owner_a"], material="business_license", upload=_upload("营业执照.pdf")
    )
    o["auto_award_a"] = AutoAwardCandidate.objects.create(
        batch=o["auto_batch"],
        enterprise=a,
        amount="100000",
        rank_award="0",
        pro_rata_award="0",
        application=o["a_draft"],
        confirm_by=timezone.localdate() + dt.timedelta(days=14),
    )


def _verification(o: dict, users: dict) -> None:
    from applications.membership import enterprise_update
    from applications.models import District
    from applications.services import enterprise_register
    from applications.verification import claim_contest

    claimant = UserFactory(role=Role.ENTERPRISE, email="claimant-c@example.cn")
    o["enterprise_c"] = enterprise_register(
        actor=claimant,
        credit_code=_code(41),
        name="广州丙新创科技有限公司",
        registered_district=District.TIANHE,
        tax_district=District.TIANHE,
        stats_district=District.TIANHE,
        legal_representative="陈丙",
        contact_name="陈丙",
        contact_phone="020-38000003",
        claimant_is_legal_representative=True,
        business_licence=_upload("营业执照.pdf"),
    )
    o["claim_registration"] = o["enterprise_c"].claims.get()
    o["claim_document"] = o["claim_registration"].documents.get()
    contester = UserFactory(role=Role.ENTERPRISE, email="contester@example.cn")
    o["claim_contested"] = claim_contest(
        actor=contester,
        credit_code=o["enterprise_a"].credit_code,
        name=o["enterprise_a"].name,
        legal_representative="赵甲",
        registered_district=District.HUANGPU,
        claimant_is_legal_representative=False,
        statement="本人为该企业法定代表人授权的经办人，现登记人已离职。",
        business_licence=_upload("营业执照.pdf"),
        authorization=_upload("授权委托书.pdf"),
    )
    o["fact_change"] = enterprise_update(
        actor=users["owner_a"],
        enterprise=o["enterprise_a"],
        industry="software_it",
        change_note="主营业务已变更为软件开发。",
        evidence=[_upload("变更证明.pdf")],
    ).fact_change
    o["fact_change_document"] = o["fact_change"].documents.get()


def _preapproval(enterprise, owner):
    """A's 事前同意 request for an event under th-events, pending with the bureau. Made directly: the
    service asks for an event date inside th2024's validity, which the real clock leaves behind."""
    from applications.models import PreApproval
    from vouchers.models import Programme

    return PreApproval.objects.create(
        reference="SQ2026-900001",
        enterprise=enterprise,
        programme=Programme.objects.get(code="th-events"),
        event_name="大模型产业峰会",
        event_date=timezone.localdate() + dt.timedelta(days=30),
        venue="天河区",
        plan="峰会议程与嘉宾。",
        budget=Decimal("600000.00"),
        requested_by=owner,
    )


def _two_party(supplier, owner, *, buyer) -> Application:
    """B's th-scenario-demo application (a two-party award) naming A as the buyer, submitted, A's
    confirmation (合作方确认) pending. Made directly: th2024's windows end with 2026, the clock goes on."""
    from vouchers.models import Programme

    now = timezone.now()
    return Application.objects.create(
        reference="GZAI-2026-900001",
        enterprise=supplier,
        programme=Programme.objects.get(code="th-scenario-demo"),
        state=State.SUBMITTED,
        title="大模型客服场景示范",
        submitted_at=now,
        created_by=owner,
        declared_at=now,
        declared_by=owner,
        inputs={"contract_paid": "3000000.00", "supplier_uscc": supplier.credit_code, "buyer_uscc": buyer.credit_code},
    )


def _invitation(enterprise, owner) -> tuple[Any, str]:
    from applications.membership import invitation_create

    return invitation_create(actor=owner, enterprise=enterprise, email="newcomer@example.cn")
