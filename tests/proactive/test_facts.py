"""一企一档: a department's file is checked as a whole (errors by row and column, nothing half-imported),
the same file twice changes nothing, an enterprise contests a fact and the bureau resolves it (audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditEvent
from proactive.models import Department, EnterpriseFact, FactContest, FactImport
from proactive.services_facts import fact_contest, fact_contest_resolve, facts_import
from tests.factories import EnterpriseFactory


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


def _import(actor, data: bytes, **kw):
    kw.setdefault("department", Department.STATISTICS)
    kw.setdefault("source", "广州市统计局规模以上企业名录")
    return facts_import(actor=actor, data=data, file_name=kw.pop("file_name", "facts.csv"), **kw)


@pytest.mark.django_db
def test_import_writes_facts_with_source_period_and_batch(bureau_admin, enterprise_a):
    data = csv_bytes(
        "统一社会信用代码,所属期间,年度营业收入,规上",
        f"{enterprise_a.credit_code},2025,12000000.50,是",
        f"{enterprise_a.credit_code},2024,9000000,是",
        "91440101MA5AAAAAA0,2025,100,否",
    )
    batch, new = _import(bureau_admin, data)
    assert new and batch.created == 4 and batch.unknown == 1 and batch.rows == 3
    revenue = EnterpriseFact.objects.get(enterprise=enterprise_a, kind="annual_revenue", period="2025")
    assert revenue.value == "12000000.50" and revenue.fact_import == batch
    assert revenue.source == "广州市统计局规模以上企业名录" and revenue.department == Department.STATISTICS
    assert AuditEvent.objects.filter(action="proactive.facts_import").count() == 1


@pytest.mark.django_db
def test_same_file_twice_changes_nothing(bureau_admin, enterprise_a):
    data = csv_bytes("统一社会信用代码,所属期间,年度营业收入", f"{enterprise_a.credit_code},2025,100")
    first, _ = _import(bureau_admin, data)
    again, new = _import(bureau_admin, data)
    assert not new and again == first
    assert FactImport.objects.count() == 1 and EnterpriseFact.objects.count() == 1


@pytest.mark.django_db
def test_changed_value_in_a_new_file_is_recorded_as_changed(bureau_admin, enterprise_a):
    _import(bureau_admin, csv_bytes("统一社会信用代码,所属期间,年度营业收入", f"{enterprise_a.credit_code},2025,100"))
    batch, _ = _import(
        bureau_admin, csv_bytes("统一社会信用代码,所属期间,年度营业收入", f"{enterprise_a.credit_code},2025,200")
    )
    assert (batch.created, batch.changed) == (0, 1)
    assert EnterpriseFact.objects.get().value == "200.00"


@pytest.mark.django_db
def test_one_bad_cell_refuses_the_whole_file_with_row_and_column(bureau_admin, enterprise_a, enterprise_b):
    data = csv_bytes(
        "统一社会信用代码,所属期间,年度营业收入,纳税信用等级",
        f"{enterprise_a.credit_code},2025,100,A",
        f"{enterprise_b.credit_code},2025,一百万,Z",
        f"{enterprise_b.credit_code},,100,",
    )
    with pytest.raises(ValidationError) as caught:
        _import(bureau_admin, data)
    messages = caught.value.messages
    assert "第3行“年度营业收入”列：须为金额（元）" in messages
    assert any(m.startswith("第3行“纳税信用等级”列：须为以下之一") for m in messages)
    assert "第4行“年度营业收入”列：须注明所属期间（“所属期间”列或导入时填写）" in messages
    assert not EnterpriseFact.objects.exists() and not FactImport.objects.exists()


@pytest.mark.django_db
def test_unknown_column_and_missing_code_column_are_refused(bureau_admin):
    with pytest.raises(ValidationError) as caught:
        _import(bureau_admin, csv_bytes("代码,身高", "x,1"))
    assert "第1行“身高”列：不是可导入的企业信息（请使用模板中的列名）。" in caught.value.messages
    assert "第1行：缺少“统一社会信用代码”列。" in caught.value.messages


@pytest.mark.django_db
def test_xlsx_is_read_like_csv(bureau_admin, enterprise_a):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "数据管理能力成熟度等级", "深度合成服务算法已备案"])
    sheet.append([enterprise_a.credit_code, 4, "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch, _ = _import(bureau_admin, buffer.getvalue(), file_name="名单.xlsx", department=Department.BUREAU)
    assert batch.created == 2
    assert EnterpriseFact.objects.get(kind="dcmm_level").value == "4"
    assert EnterpriseFact.objects.get(kind="cac_deep_synthesis").value == "true"


@pytest.mark.django_db
def test_only_bureau_admins_import_and_district_binds(reviewer, owner_a, bureau_admin_th, enterprise_a):
    data = csv_bytes("统一社会信用代码,地址", f"{enterprise_a.credit_code},广州市黄埔区科学大道1号")
    for actor in (reviewer, owner_a, None):
        with pytest.raises(PermissionDenied):
            _import(actor, data)
    assert not FactImport.objects.exists()
    batch, _ = _import(bureau_admin_th, data)  # Tianhe's administrator: a Huangpu enterprise is not theirs
    assert batch.unknown == 1 and not EnterpriseFact.objects.exists()


@pytest.fixture
def revenue(bureau_admin, enterprise_a):
    _import(bureau_admin, csv_bytes("统一社会信用代码,所属期间,年度营业收入", f"{enterprise_a.credit_code},2025,100"))
    return EnterpriseFact.objects.get()


@pytest.mark.django_db
def test_contest_upheld_corrects_the_fact_audited_and_notifies(
    revenue, owner_a, reviewer, django_capture_on_commit_callbacks
):
    contest = fact_contest(actor=owner_a, fact=revenue, reason="统计口径有误", proposed_value="150")
    with pytest.raises(ValidationError):
        fact_contest(actor=owner_a, fact=revenue, reason="再次")  # one pending per fact
    with django_capture_on_commit_callbacks(execute=True):
        fact_contest_resolve(actor=reviewer, contest=contest, uphold=True, resolution="经核实，以更正后数据为准")
    revenue.refresh_from_db()
    contest.refresh_from_db()
    assert revenue.value == "150.00" and revenue.corrected_by_contest
    assert contest.state == FactContest.State.UPHELD and contest.resolved_by == reviewer
    event = AuditEvent.objects.get(action="proactive.fact_contest_resolve")
    assert event.before == {"value": "100.00"} and event.after["value"] == "150.00"
    assert owner_a.notifications.filter(subject="档案信息异议已处理").exists()


@pytest.mark.django_db
def test_contest_rejected_changes_nothing(revenue, owner_a, reviewer):
    contest = fact_contest(actor=owner_a, fact=revenue, reason="不对")
    fact_contest_resolve(actor=reviewer, contest=contest, uphold=False, resolution="数据来源于统计年报，无误")
    revenue.refresh_from_db()
    assert revenue.value == "100.00"


@pytest.mark.django_db
def test_wrong_people_cannot_contest_or_resolve(revenue, owner_a, agent_a, owner_b, reviewer_th, reviewer):
    for actor in (agent_a, owner_b, reviewer):
        with pytest.raises(PermissionDenied):
            fact_contest(actor=actor, fact=revenue, reason="x")
    contest = fact_contest(actor=owner_a, fact=revenue, reason="x", proposed_value="1")
    for actor in (owner_a, owner_b, reviewer_th):
        with pytest.raises(PermissionDenied):
            fact_contest_resolve(actor=actor, contest=contest, uphold=True, resolution="y")
    revenue.refresh_from_db()
    contest.refresh_from_db()
    assert revenue.value == "100.00" and contest.state == FactContest.State.PENDING


@pytest.mark.django_db
def test_facts_never_touch_the_application_and_differences_are_flagged(catalogue, bureau_admin_th):
    from applications.models import Application
    from proactive.selectors import declared_vs_facts
    from tests.factories import member

    enterprise = EnterpriseFactory(registered_district="tianhe", tax_district="tianhe", stats_district="tianhe")
    owner = member(enterprise)
    app = Application.objects.create(
        enterprise=enterprise,
        programme=catalogue["th-scale-leap"],
        reference="T-1",
        created_by=owner,
        inputs={
            "revenue_current": "6000000000.00",
            "revenue_previous": "5000000000",
            "rd_current": "1",
            "rd_previous": "0",
        },
    )
    _import(
        bureau_admin_th,
        csv_bytes(
            "统一社会信用代码,所属期间,年度营业收入",
            f"{enterprise.credit_code},2025,6000000000",
            f"{enterprise.credit_code},2024,4000000000",
        ),
    )
    rows = {r["input"]: r for r in declared_vs_facts(app)}
    assert not rows["revenue_current"]["differs"]
    assert rows["revenue_previous"]["differs"] and rows["revenue_previous"]["fact"] == "4000000000.00"
    assert rows["revenue_previous"]["source"] == "广州市统计局规模以上企业名录"
    assert rows["rd_current"]["fact"] is None and not rows["rd_current"]["differs"]
    app.refresh_from_db()
    assert app.inputs["revenue_previous"] == "5000000000"


@pytest.mark.django_db
def test_command_imports_and_refuses_a_bad_file(tmp_path, bureau_admin, enterprise_a):
    from django.core.management import CommandError, call_command

    good = tmp_path / "税务.csv"
    good.write_bytes(csv_bytes("统一社会信用代码,所属期间,研发费用", f"{enterprise_a.credit_code},2025,300000"))
    call_command("profile_facts_import", str(good), department="tax", source="税务局", actor=bureau_admin.email)
    call_command("profile_facts_import", str(good), department="tax", source="税务局", actor=bureau_admin.email)
    assert EnterpriseFact.objects.get().value == "300000.00" and FactImport.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("统一社会信用代码,所属期间,研发费用", f"{enterprise_a.credit_code},2025,-1"))
    with pytest.raises(CommandError, match="第2行“研发费用”列：不能为负数"):
        call_command("profile_facts_import", str(bad), department="tax", source="税务局", actor=bureau_admin.email)
