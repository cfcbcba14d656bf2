"""Budget pools and their append-only ledger (资金池与台账).

Every approved yuan is drawn from the pool of its programme and fiscal year, and from the bounds
besides it (the programme's total over the policy period, its quotas, an enterprise's caps: the
counters). Rows are locked in one order everywhere — award, counters (by kind, then key; the
programme-wide ones last), pool — and every draw is a conditional update, with the database's
CheckConstraints as the backstop; the same path runs on PostgreSQL and SQLite.

The pool's figures are the ledger's sums:
  reserved  = Σ reserve − Σ commit − Σ release(from reserved)
  committed = Σ commit − Σ release(from committed)
  disbursed = Σ disburse − Σ clawback
  remaining = amount − reserved − committed

  reservation   award_reserve (预留)
  awards        award_commit (核定), award_release (释放)
  disbursement  tranche_disburse (拨付), award_clawback (追回)
  pools         pool_set_amount, programme_total_ceiling, batch_oversubscription
  counters      the bounds besides the pool; counter_actual for budget_check
  common        money, fmt_yuan, who may move awards
  statements    the reservation's two conditional draws as SQL, the same text on both databases
"""

from .awards import award_commit, award_release
from .common import CENT, ZERO, fmt_yuan, money
from .counters import counter_actual
from .disbursement import award_clawback, tranche_disburse
from .pools import batch_oversubscription, pool_set_amount, programme_total_ceiling
from .reservation import award_reserve

__all__ = [
    "CENT",
    "ZERO",
    "award_clawback",
    "award_commit",
    "award_release",
    "award_reserve",
    "batch_oversubscription",
    "counter_actual",
    "fmt_yuan",
    "money",
    "pool_set_amount",
    "programme_total_ceiling",
    "tranche_disburse",
]
