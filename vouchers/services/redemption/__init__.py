"""Vouchers (算力券) and their redemption (核销) by compute service providers.

A voucher is issued on final approval of a voucher programme (face value = the award, bound to the
enterprise, valid for `voucher_validity_months`). A provider of the district's catalogue redeems part
of it against an invoice: the balance drops by a conditional UPDATE (balance >= amount), so two
redemptions at once can never take it below zero (the CheckConstraint is the backstop), and the
amount is paid out of the award in the budget ledger (`tranche_disburse`). The enterprise confirms or
disputes; a dispute gives the amount back (`award_clawback`). On expiry the unredeemed balance is
released to the pool (`award_release`). Lock order everywhere: voucher → award → pool.

  common     code and invoice formats, the invoice file check, who the actor is
  issue      voucher_issue (发放)
  providers  provider_save, their members and relations (administrators)
  redeem     redemption_create (核销), redemption_confirm, redemption_dispute
  expiry     voucher_expire, vouchers_expire_due (到期)
"""

from .common import (
    CODE_ALPHABET,
    CODE_RE,
    DEFAULT_VALIDITY_MONTHS,
    INVOICE_RE,
    INVOICE_TYPES,
    ISSUERS,
    add_months,
    invoice_number_normalize,
    voucher_code_normalize,
)
from .expiry import voucher_expire, vouchers_expire_due
from .issue import voucher_issue
from .providers import (
    PROVIDER_FIELDS,
    provider_member_link,
    provider_member_unlink,
    provider_relation_declare,
    provider_relation_remove,
    provider_save,
)
from .redeem import redemption_confirm, redemption_create, redemption_dispute

__all__ = [
    "CODE_ALPHABET",
    "CODE_RE",
    "DEFAULT_VALIDITY_MONTHS",
    "INVOICE_RE",
    "INVOICE_TYPES",
    "ISSUERS",
    "PROVIDER_FIELDS",
    "add_months",
    "invoice_number_normalize",
    "provider_member_link",
    "provider_member_unlink",
    "provider_relation_declare",
    "provider_relation_remove",
    "provider_save",
    "redemption_confirm",
    "redemption_create",
    "redemption_dispute",
    "voucher_code_normalize",
    "voucher_expire",
    "voucher_issue",
    "vouchers_expire_due",
]
