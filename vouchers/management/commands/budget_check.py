"""manage.py budget_check — verify every pool's figures against its ledger (and each award's paid
amount and each cap counter against the awards, and the payments — batches' lines, tranches,
claw-back repayments — against the ledger: vouchers.payment_checks). Exits non-zero on any mismatch."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from vouchers.budget_selectors import award_ledger_sums, ledger_sums
from vouchers.models import Award, BudgetCounter, BudgetPool
from vouchers.payment_checks import payment_problems
from vouchers.services.budget import counter_actual


class Command(BaseCommand):
    help = "核对资金池与台账：每个资金池的已预留、已核定、已拨付须等于台账合计。"

    def handle(self, *args, **options):
        problems: list[str] = []
        sums = ledger_sums()
        pools = 0
        for pool in BudgetPool.objects.select_related("programme").order_by("pk"):
            pools += 1
            want = sums.get(pool.pk, {"reserved": 0, "committed": 0, "disbursed": 0})
            for figure in ("reserved", "committed", "disbursed"):
                have = getattr(pool, figure)
                if have != want[figure]:
                    problems.append(f"资金池 {pool}（#{pool.pk}）{figure}: 记录 {have}，台账合计 {want[figure]}")
            if pool.amount < pool.reserved + pool.committed:
                problems.append(
                    f"资金池 {pool}（#{pool.pk}）超支：额度 {pool.amount} < 已预留+已核定 "
                    f"{pool.reserved + pool.committed}"
                )
        paid = award_ledger_sums()
        for award in Award.objects.only("pk", "disbursed").order_by("pk").iterator():
            if award.disbursed != paid.get(award.pk, 0):
                problems.append(f"奖励 #{award.pk} 已拨付 {award.disbursed}，台账合计 {paid.get(award.pk, 0)}")
        for counter in BudgetCounter.objects.order_by("pk"):
            actual = counter_actual(counter)
            if counter.used != actual:
                problems.append(f"额度计数 #{counter.pk}（{counter}）记录 {counter.used}，按奖励应为 {actual}")
        problems += payment_problems()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} 处不一致。")
        self.stdout.write(self.style.SUCCESS(f"已核对 {pools} 个资金池及拨付记录，与台账一致。"))
