"""vouchers' tables: the catalogue (policies, programmes, dated parameters, windows), the budget
(pools, ledger, awards) and, beside them, issued vouchers and their redemption."""

from .budget import MONEY, Award, BudgetCounter, BudgetPool, LedgerEntry
from .catalogue import ApplicationWindow, ParameterValue, Policy, Programme

__all__ = [
    "MONEY",
    "ApplicationWindow",
    "Award",
    "BudgetCounter",
    "BudgetPool",
    "LedgerEntry",
    "ParameterValue",
    "Policy",
    "Programme",
]

from .redemption import ComputeProvider, ProviderMember, ProviderRelation, Redemption, Voucher  # noqa: E402

__all__ += ["ComputeProvider", "ProviderMember", "ProviderRelation", "Redemption", "Voucher"]

from .payments import (  # noqa: E402
    AcceptanceFile,
    AcceptanceReport,
    Clawback,
    ClawbackRepayment,
    PaymentBatch,
    PaymentLine,
    PaymentTranche,
    ReceivingAccount,
)

__all__ += [
    "AcceptanceFile",
    "AcceptanceReport",
    "Clawback",
    "ClawbackRepayment",
    "PaymentBatch",
    "PaymentLine",
    "PaymentTranche",
    "ReceivingAccount",
]
