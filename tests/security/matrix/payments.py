"""收款账户与拨付 payments: receiving accounts, awards' tranches, acceptance, batches, clawbacks
(API and pages)."""

from __future__ import annotations

from .bodies import account, return_file, today
from .cases import ADMIN_LIST, ADMIN_OBJ, API_ADMIN_LIST, API_ADMIN_OBJ, API_SIGNED_IN, Case, case, pdf_upload, pk

PAYMENTS: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ API: 收款账户与拨付 payments
    "api-payments-mine": [case(GET="anon:403 ENT:ok *:403")],
    "api-payment-accounts": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", data=account)],
    "api-payment-account": [case(pk("receiving_account"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-account-verify": [case(pk("account_pending"), POST=API_ADMIN_OBJ)],
    "api-payment-account-refuse": [
        case(pk("account_pending"), POST=API_ADMIN_OBJ, data=lambda c: {"reason": "开户证明与账号不符"})
    ],
    "api-payment-awards": [case(GET=API_SIGNED_IN)],
    "api-payment-award": [case(pk("payment_award"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-award-schedule": [
        case(pk("payment_award"), POST=API_ADMIN_OBJ, data=lambda c: {"tranches": [{"amount": "300000.00"}]})
    ],
    "api-payments-due": [case(GET=API_ADMIN_LIST)],
    "api-payment-tranche-acceptance": [
        case(
            pk("tranche_waiting"),
            POST="anon:403 A:ok owner_b:404 *:403",
            multipart=True,
            data=lambda c: {"summary": "促进中心建设完成，已通过第三方验收。", "files": [pdf_upload("验收报告.pdf")]},
        )
    ],
    "api-payment-acceptance-file": [case(pk("acceptance_file"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-acceptance": [case(GET=API_SIGNED_IN)],
    "api-payment-acceptance-decide": [case(pk("acceptance"), POST=API_ADMIN_OBJ, data=lambda c: {"approve": True})],
    # Tianhe: a Huangpu tranche is as unknown as one that does not exist (400)
    "api-payment-batches": [
        case(
            GET=API_ADMIN_LIST,
            POST=API_ADMIN_LIST,
            data=lambda c: {"tranches": [c.tranche_waiting.pk], "note": "十二月"},
        )
    ],
    "api-payment-batch": [case(pk("payment_batch"), GET=API_ADMIN_OBJ)],
    "api-payment-batch-approve": [case(pk("payment_batch"), POST=API_ADMIN_OBJ)],
    "api-payment-batch-cancel": [case(pk("payment_batch"), POST=API_ADMIN_OBJ, data=lambda c: {"reason": "改期拨付"})],
    "api-payment-batch-file": [case(lambda c: {"pk": c.payment_batch_paid.pk, "fmt": "csv"}, GET=API_ADMIN_OBJ)],
    "api-payment-batch-results": [
        case(
            pk("payment_batch"),
            POST=API_ADMIN_OBJ,
            data=lambda c: {
                "results": [
                    {
                        "seq": 1,
                        "paid": True,
                        "paid_on": str(c.payment_batch.prepared_at.date()),
                        "voucher_number": "V-1",
                    }
                ]
            },
        )
    ],
    "api-payment-batch-return-file": [
        case(pk("payment_batch"), POST=API_ADMIN_OBJ, multipart=True, data=lambda c: {"file": return_file()})
    ],
    "api-payment-clawbacks": [
        case(
            GET=API_SIGNED_IN,
            POST=API_ADMIN_OBJ,  # a Huangpu award: 404 for Tianhe
            data=lambda c: {"award": c.clawback.award_id, "amount": "100.00", "reason": "另查明部分支出不合规。"},
        )
    ],
    "api-payment-clawback": [case(pk("clawback"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-clawback-repayments": [
        case(
            pk("clawback"),
            POST=API_ADMIN_OBJ,
            data=lambda c: {"amount": "1000.00", "repaid_on": today(), "voucher_number": "TH-1"},
        )
    ],
    "api-payments-report": [case(GET=API_ADMIN_LIST)],
    # ------------------------------------------------------------------ 收款账户与拨付 payments
    "vouchers:payments_mine": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "vouchers:payment_account_submit": [case(GET="anon:login USERS:405", POST="anon:login ENT:ok *:403", data=account)],
    "applications:acceptance_submit": [
        case(
            pk("tranche_waiting"),
            GET="anon:login USERS:405",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"summary": "促进中心建设完成，已通过第三方验收。", "files": [pdf_upload("验收报告.pdf")]},
        )
    ],
    "vouchers:payment_acceptance_file": [
        case(pk("acceptance_file"), GET="anon:login A:ok admin:ok *:404", POST="anon:login USERS:405")
    ],
    "vouchers:payments": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_accounts": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_account_decide": [
        case(pk("account_pending"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"decision": "verify"})
    ],
    "vouchers:payment_acceptance": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_acceptance_decide": [
        case(pk("acceptance"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"decision": "approve"})
    ],
    "vouchers:payment_award": [case(pk("payment_award"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "vouchers:payment_award_schedule": [
        case(pk("payment_award"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"amount_1": "300000"})
    ],
    "reviews:payment_award_clawback": [
        case(
            pk("payment_award"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"amount": "100", "reason": "部分支出不合规，予以追回。"},
        )
    ],
    "vouchers:payment_clawback_repayment": [
        case(
            pk("clawback"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"amount": "1000", "repaid_on": today(), "voucher_number": "TH-1"},
        )
    ],
    "vouchers:payment_batch_prepare": [
        case(
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,  # Tianhe: told "unknown"
            data=lambda c: {"tranche": [c.tranche_waiting.pk]},
        )
    ],
    "vouchers:payment_batch": [case(pk("payment_batch"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "vouchers:payment_batch_approve": [case(pk("payment_batch"), GET="anon:login USERS:405", POST=ADMIN_OBJ)],
    "vouchers:payment_batch_cancel": [
        case(pk("payment_batch"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"reason": "改期拨付"})
    ],
    "vouchers:payment_batch_export": [
        case(lambda c: {"pk": c.payment_batch_paid.pk, "fmt": "csv"}, GET=ADMIN_OBJ, POST=ADMIN_OBJ)
    ],
    "vouchers:payment_batch_results": [
        case(
            pk("payment_batch"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"result_1": "paid", "paid_on_1": today(), "voucher_1": "V-1"},
        )
    ],
    "vouchers:payment_batch_return_file": [
        case(
            pk("payment_batch"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            multipart=True,
            data=lambda c: {"file": return_file()},
        )
    ],
    "vouchers:payments_report": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payments_report_xlsx": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
}
