"""Every bound a reservation draws on besides the pool: the programme's period total, quotas of
awardees and projects, per-line caps of th-scenario-demo; releasing frees them; the check command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.factories import EnterpriseFactory
from vouchers.models import Award, BudgetCounter, BudgetPool, LedgerEntry, ParameterValue
from vouchers.services.budget import (
    award_clawback,
    award_commit,
    award_release,
    award_reserve,
    pool_set_amount,
    tranche_disburse,
)

from .test_budget_helpers import assert_balanced, counters_match, make_app, reserve

D = Decimal
ON = dt.date(2026, 3, 2)


def _param(programme, name, value, on=dt.date(2026, 1, 1)):
    ParameterValue.objects.create(programme=programme, name=name, value=D(value), effective_from=on)


def test_programme_total_over_the_period(catalogue, bureau_admin, owner_a):
    voucher = catalogue["hp-compute-voucher"]  # programme_total_period 10,000,000
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="5000")
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2027, amount="5000")
    # a guideline lowers the total after the pools were set: the counter still holds the line
    _param(voucher, "programme_total_period", "3000")
    ents = EnterpriseFactory.create_batch(3)
    reserve(make_app(voucher, ents[0], owner_a), "2000", on=ON)
    with pytest.raises(ValidationError, match="政策有效期内总额度不足.*剩余 1,000.00 元"):
        reserve(make_app(voucher, ents[1], owner_a), "1500", on=dt.date(2027, 2, 1))  # another year, same period
    [a] = reserve(make_app(voucher, ents[1], owner_a), "1000", on=dt.date(2027, 2, 1))
    award_release(actor=None, award=a, reason="撤回")
    reserve(make_app(voucher, ents[2], owner_a), "1000", on=dt.date(2027, 2, 1))
    counters_match()


def test_a_pool_cannot_promise_more_than_the_programme_total_over_the_period(catalogue, bureau_admin, owner_a):
    voucher = catalogue["hp-compute-voucher"]  # 第二条: all vouchers together 10,000,000 over the period
    this_year = dt.date.today().year
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=this_year, amount="6000000")
    with pytest.raises(ValidationError) as info:  # next year's promise plus this year's exceeds the total
        pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=this_year + 1, amount="4000000.01")
    assert "最多 4,000,000.00" in info.value.message_dict["amount"][0]
    assert not BudgetPool.objects.filter(programme=voucher, fiscal_year=this_year + 1).exists()
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=this_year + 1, amount="4000000")
    with pytest.raises(ValidationError):  # nor may this year's pool grow past what is left
        pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=this_year, amount="6000000.01")
    # a past year's pool takes only what its awards hold: its unspent budget lapsed with its year
    past = BudgetPool.objects.create(programme=voucher, fiscal_year=this_year - 1, amount=D("9000000"))
    BudgetPool.objects.filter(pk=past.pk).update(committed=D("0"), reserved=D("0"))
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=this_year, amount="6000000")
    # a programme without a period total is bound by nothing but its own floor
    pool_set_amount(
        actor=bureau_admin, programme=catalogue["hp-data-trading"], fiscal_year=this_year, amount="900000000"
    )


def test_awardee_quota_counts_enterprises_and_release_frees_it(catalogue, bureau_admin, owner_a, reviewer):
    prog = catalogue["hp-vertical-model-compute"]  # awardee_quota_period
    _param(prog, "awardee_quota_period", "2")
    pool = pool_set_amount(actor=bureau_admin, programme=prog, fiscal_year=2026, amount="1000000")
    e1, e2, e3 = EnterpriseFactory.create_batch(3)
    [a1] = reserve(make_app(prog, e1, owner_a), "100")
    reserve(make_app(prog, e1, owner_a), "100")  # the same enterprise again: no new awardee
    reserve(make_app(prog, e2, owner_a), "100")
    with pytest.raises(ValidationError, match="支持主体名额已满：上限 2 家，已支持 2 家，剩余 0 家"):
        reserve(make_app(prog, e3, owner_a), "100")
    award_release(actor=reviewer, award=a1, reason="异议成立")  # e1 still holds its second award
    with pytest.raises(ValidationError, match="名额已满"):
        reserve(make_app(prog, e3, owner_a), "100")
    for a in Award.objects.filter(enterprise=e1, status="reserved"):
        award_release(actor=reviewer, award=a, reason="撤回")
    reserve(make_app(prog, e3, owner_a), "100")
    assert_balanced(pool)
    counters_match()


def test_two_lines_capped_per_line_and_projects_counted_per_year(catalogue, bureau_admin_th, owner_a):
    prog = catalogue["th-scenario-demo"]  # cap_supplier_year, cap_buyer_year, project_quota_year
    _param(prog, "project_quota_year", "2")
    pool_set_amount(actor=bureau_admin_th, programme=prog, fiscal_year=2026, amount="5000000")
    pool_set_amount(actor=bureau_admin_th, programme=prog, fiscal_year=2027, amount="5000000")
    supplier, buyer, other = EnterpriseFactory.create_batch(3)

    def lines(s, b, amount_s, amount_b):
        return [
            {"enterprise_id": s.pk, "line": "supplier", "amount": D(amount_s)},
            {"enterprise_id": b.pk, "line": "buyer", "amount": D(amount_b)},
        ]

    app1 = make_app(prog, supplier, owner_a)
    awards = reserve(app1, 0, lines=lines(supplier, buyer, "400000", "300000"))
    assert [(a.line, a.amount) for a in awards] == [("supplier", D("400000")), ("buyer", D("300000"))]
    # supplier line: 100,000 left this year for `supplier`; the buyer line of `supplier` is separate
    with pytest.raises(ValidationError, match="供应方2026年度奖励上限不足.*剩余 100,000.00 元"):
        reserve(make_app(prog, supplier, owner_a), 0, lines=lines(supplier, other, "100000.01", "1"))
    assert Award.objects.count() == 2
    reserve(make_app(prog, supplier, owner_a), 0, lines=lines(supplier, other, "100000", "1"))
    with pytest.raises(ValidationError, match="2026年度支持项目名额已满"):
        reserve(make_app(prog, other, owner_a), 0, lines=lines(other, buyer, "1", "1"))
    # a new year: fresh caps and quota
    reserve(
        make_app(prog, supplier, owner_a), 0, lines=lines(supplier, buyer, "500000", "500000"), on=dt.date(2027, 1, 5)
    )
    counters_match()
    c = BudgetCounter.objects.get(kind="projects", fiscal_year=2026)
    assert c.used == 2 and c.limit == 2


def test_zero_line_skipped_and_all_zero_refused(catalogue, bureau_admin_th, owner_a):
    prog = catalogue["th-scenario-demo"]
    pool_set_amount(actor=bureau_admin_th, programme=prog, fiscal_year=2026, amount="100000")
    s, b = EnterpriseFactory.create_batch(2)
    app = make_app(prog, s, owner_a)
    with pytest.raises(ValidationError, match="核定金额为零"):
        reserve(
            app,
            0,
            lines=[
                {"enterprise_id": s.pk, "line": "supplier", "amount": D("0")},
                {"enterprise_id": b.pk, "line": "buyer", "amount": D("0")},
            ],
        )
    [a] = reserve(
        app,
        0,
        lines=[
            {"enterprise_id": s.pk, "line": "supplier", "amount": D("0")},
            {"enterprise_id": b.pk, "line": "buyer", "amount": D("5")},
        ],
    )
    assert a.line == "buyer"


def test_bad_lines_refused(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    app = make_app(voucher, enterprise_a, owner_a)
    for bad in (
        [],
        [{"enterprise_id": enterprise_a.pk, "line": "seller", "amount": D("1")}],
        [{"line": "", "amount": D("1")}],
        [{"enterprise_id": enterprise_a.pk, "line": "", "amount": D("1")}] * 2,
    ):
        with pytest.raises(ValidationError):
            reserve(app, 0, lines=bad)
    assert not LedgerEntry.objects.exists()


def test_only_deciders_reserve(catalogue, bureau_admin, owner_a, enterprise_a, expert, provider_user):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    app = make_app(voucher, enterprise_a, owner_a)
    for who in (owner_a, expert, provider_user):
        with pytest.raises(PermissionDenied):
            reserve(app, "1", actor=who)
    assert not Award.objects.exists()


def test_refusal_inside_callers_transaction_leaves_it_usable(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool = pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100")
    app = make_app(voucher, enterprise_a, owner_a)
    with transaction.atomic():
        with pytest.raises(ValidationError):
            reserve(app, "100.01")
        app.title = "改名"
        app.save(update_fields=["title"])
        reserve(app, "100")
    pool.refresh_from_db()
    assert pool.remaining == 0
    assert_balanced(pool)


def test_idempotency_key_of_another_application_refused(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    reserve(make_app(voucher, enterprise_a, owner_a), "10", key="K-1")
    with pytest.raises(ValidationError, match="幂等键"):
        reserve(make_app(voucher, enterprise_a, owner_a), "10", key="K-1")
    app = Award.objects.get().application
    with pytest.raises(ValidationError, match="不一致"):
        reserve(app, "11", key="K-1")


def test_released_award_cannot_be_reserved_again(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    app = make_app(voucher, enterprise_a, owner_a)
    [a] = reserve(app, "10")
    award_release(actor=None, award=a, reason="不予支持")
    assert award_release(actor=None, award=a, reason="again").status == "released"  # idempotent
    with pytest.raises(ValidationError, match="已释放"):
        reserve(app, "10")
    with pytest.raises(ValidationError, match="已释放"):
        award_commit(actor=None, award=a)


def test_release_of_paid_award_keeps_what_was_paid_until_clawed_back(catalogue, bureau_admin, owner_a, enterprise_a):
    prog = catalogue["hp-vertical-model-compute"]
    _param(prog, "awardee_quota_period", "1")
    pool = pool_set_amount(actor=bureau_admin, programme=prog, fiscal_year=2026, amount="1000")
    [a] = reserve(make_app(prog, enterprise_a, owner_a), "1000")
    award_commit(actor=None, award=a)
    tranche_disburse(actor=bureau_admin, award=a, amount="400", paid_on=ON, reference="第一期")
    award_release(actor=bureau_admin, award=a, reason="项目终止")
    pool.refresh_from_db()
    assert (pool.committed, pool.disbursed, pool.remaining) == (D("400"), D("400"), D("600"))
    other = EnterpriseFactory()
    with pytest.raises(ValidationError, match="名额已满"):  # the paid enterprise still counts
        reserve(make_app(prog, other, owner_a), "10")
    with pytest.raises(ValidationError):
        award_clawback(actor=bureau_admin, award=a, amount="400.01", reference="追回通知")
    award_clawback(actor=bureau_admin, award=a, amount="400", reference="追回通知")
    pool.refresh_from_db()
    assert (pool.committed, pool.disbursed, pool.remaining) == (D("0"), D("0"), D("1000"))
    reserve(make_app(prog, other, owner_a), "10")
    assert_balanced(pool)
    counters_match()
    call_command("budget_check")


def test_budget_check_finds_a_tampered_pool(catalogue, bureau_admin, owner_a, enterprise_a, capsys):
    voucher = catalogue["hp-compute-voucher"]
    pool = pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    reserve(make_app(voucher, enterprise_a, owner_a), "10")
    call_command("budget_check")
    assert "一致" in capsys.readouterr().out
    BudgetPool.objects.filter(pk=pool.pk).update(reserved=D("9"))
    with pytest.raises(CommandError):
        call_command("budget_check")
    assert "reserved" in capsys.readouterr().err


def test_budget_check_finds_a_tampered_counter(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    reserve(make_app(voucher, enterprise_a, owner_a), "10")
    BudgetCounter.objects.filter(kind="enterprise_period").update(used=D("3"))
    with pytest.raises(CommandError):
        call_command("budget_check")


def test_award_keeps_parameters_and_explanation(catalogue, bureau_admin, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    app = make_app(voucher, enterprise_a, owner_a)
    [a] = award_reserve(
        actor=None,
        application=app,
        decided_on=ON,
        idempotency_key="x",
        lines=[{"enterprise_id": enterprise_a.pk, "line": "", "amount": D("10.50")}],
        parameters={"rate": D("1.00"), "cap_per_enterprise_period": D("500000")},
        explanation=[{"label": "成本 × 比例", "amount": D("10.50")}],
    )
    a.refresh_from_db()
    assert a.parameters == {"rate": "1.00", "cap_per_enterprise_period": "500000"}
    assert a.explanation == [{"label": "成本 × 比例", "amount": "10.50"}]
    assert a.decided_on == ON and a.fiscal_year == 2026
