"""REST endpoints of the vouchers app, mounted under /api/v1/."""

from django.urls import path

from . import api_budget, api_catalogue, api_payments, api_redemption, api_windows

urlpatterns: list = [
    # the public catalogue and the policy calculator (AllowAny on these only)
    path("programs/", api_catalogue.ProgrammeListView.as_view(), name="api-programs"),
    path("programs/<slug:code>/", api_catalogue.ProgrammeDetailView.as_view(), name="api-program"),
    path("programs/<slug:code>/estimate/", api_catalogue.ProgrammeEstimateView.as_view(), name="api-program-estimate"),
    # budget pools and their ledger (administrators only)
    path("budget/pools/", api_budget.PoolList.as_view(), name="api-budget-pools"),
    path("budget/pools/<int:pk>/", api_budget.PoolDetail.as_view(), name="api-budget-pool"),
    path("budget/pools/<int:pk>/ledger/", api_budget.PoolLedger.as_view(), name="api-budget-pool-ledger"),
    # 申报批次 application windows (bureau staff read; administrators open, change, close)
    path("windows/", api_windows.WindowList.as_view(), name="api-windows"),
    path("windows/<int:pk>/", api_windows.WindowDetail.as_view(), name="api-window"),
    path("windows/<int:pk>/close/", api_windows.WindowClose.as_view(), name="api-window-close"),
    # 算力券 vouchers and their redemption (scoped to the actor; providers redeem)
    path("vouchers/", api_redemption.VoucherList.as_view(), name="api-vouchers"),
    path("vouchers/<int:pk>/", api_redemption.VoucherDetail.as_view(), name="api-voucher"),
    path("redemptions/", api_redemption.RedemptionList.as_view(), name="api-redemptions"),
    path("redemptions/<int:pk>/confirm/", api_redemption.RedemptionConfirm.as_view(), name="api-redemption-confirm"),
    path("redemptions/<int:pk>/dispute/", api_redemption.RedemptionDispute.as_view(), name="api-redemption-dispute"),
    # 收款账户与拨付 receiving accounts, tranches, payment batches, claw-backs, the report
    path("payments/mine/", api_payments.Mine.as_view(), name="api-payments-mine"),
    path("payments/accounts/", api_payments.AccountList.as_view(), name="api-payment-accounts"),
    path("payments/accounts/<int:pk>/", api_payments.AccountDetail.as_view(), name="api-payment-account"),
    path("payments/accounts/<int:pk>/verify/", api_payments.AccountVerify.as_view(), name="api-payment-account-verify"),
    path("payments/accounts/<int:pk>/refuse/", api_payments.AccountRefuse.as_view(), name="api-payment-account-refuse"),
    path("payments/awards/", api_payments.AwardList.as_view(), name="api-payment-awards"),
    path("payments/awards/<int:pk>/", api_payments.AwardDetail.as_view(), name="api-payment-award"),
    path("payments/awards/<int:pk>/schedule/", api_payments.AwardSchedule.as_view(), name="api-payment-award-schedule"),
    path("payments/due/", api_payments.DueList.as_view(), name="api-payments-due"),
    # (POST payments/tranches/<pk>/acceptance/ with the files: applications.api_acceptance)
    path(
        "payments/acceptance-files/<int:pk>/",
        api_payments.AcceptanceFileDownload.as_view(),
        name="api-payment-acceptance-file",
    ),
    path("payments/acceptance/", api_payments.AcceptanceList.as_view(), name="api-payment-acceptance"),
    path(
        "payments/acceptance/<int:pk>/decide/",
        api_payments.AcceptanceDecide.as_view(),
        name="api-payment-acceptance-decide",
    ),
    path("payments/batches/", api_payments.BatchList.as_view(), name="api-payment-batches"),
    path("payments/batches/<int:pk>/", api_payments.BatchDetail.as_view(), name="api-payment-batch"),
    path("payments/batches/<int:pk>/approve/", api_payments.BatchApprove.as_view(), name="api-payment-batch-approve"),
    path("payments/batches/<int:pk>/cancel/", api_payments.BatchCancel.as_view(), name="api-payment-batch-cancel"),
    path("payments/batches/<int:pk>/file/<str:fmt>/", api_payments.BatchFile.as_view(), name="api-payment-batch-file"),
    path("payments/batches/<int:pk>/results/", api_payments.BatchResults.as_view(), name="api-payment-batch-results"),
    path(
        "payments/batches/<int:pk>/return-file/",
        api_payments.BatchReturnFile.as_view(),
        name="api-payment-batch-return-file",
    ),
    path("payments/clawbacks/<int:pk>/", api_payments.ClawbackDetail.as_view(), name="api-payment-clawback"),
    path(
        "payments/clawbacks/<int:pk>/repayments/",
        api_payments.ClawbackRepayments.as_view(),
        name="api-payment-clawback-repayments",
    ),
    path("payments/report/", api_payments.Report.as_view(), name="api-payments-report"),
]
