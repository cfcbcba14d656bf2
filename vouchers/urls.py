"""Web pages of the vouchers app."""

from django.urls import path

from . import views_budget, views_catalogue, views_directory, views_payment_batches, views_payments, views_redemption

app_name = "vouchers"
urlpatterns: list = [
    # 政策与项目 the public catalogue and the policy calculator (no login needed)
    path("catalogue/", views_catalogue.catalogue_index, name="catalogue"),
    path("catalogue/policy/<slug:code>/", views_catalogue.policy_detail, name="policy"),
    path("catalogue/<slug:code>/", views_catalogue.programme_detail, name="programme"),
    path("catalogue/<slug:code>/estimate/", views_catalogue.programme_estimate, name="estimate"),
    # administrators (not under /catalogue/, which is exempt from the staff two-factor check)
    path("manage/catalogue/<slug:code>/parameter/", views_catalogue.parameter_change, name="parameter_change"),
    path("manage/catalogue/<slug:code>/window/", views_catalogue.window_add, name="window_add"),
    # 预算管理 budget pools (bureau administrators and system administrators)
    path("manage/budget/", views_budget.budget_index, name="budget"),
    path("manage/budget/export.<str:fmt>", views_budget.budget_export, name="budget_export"),
    path("manage/budget/pools/new/", views_budget.budget_pool_create, name="budget_pool_create"),
    path("manage/budget/pools/<int:pk>/", views_budget.budget_pool, name="budget_pool"),
    path("manage/budget/pools/<int:pk>/amount/", views_budget.budget_pool_amount, name="budget_pool_amount"),
    path("manage/budget/pools/<int:pk>/export.<str:fmt>", views_budget.budget_pool_export, name="budget_pool_export"),
    # 算力券 vouchers: the holder's pages, the provider's redemption desk, the provider catalogue and settlement
    path("vouchers/", views_redemption.voucher_list, name="voucher_list"),
    path("vouchers/<int:pk>/", views_redemption.voucher_detail, name="voucher_detail"),
    path("vouchers/redemptions/<int:pk>/confirm/", views_redemption.redemption_confirm, name="redemption_confirm"),
    path("vouchers/redemptions/<int:pk>/dispute/", views_redemption.redemption_dispute, name="redemption_dispute"),
    path("vouchers/redemptions/<int:pk>/invoice/", views_redemption.redemption_invoice, name="redemption_invoice"),
    path("compute-providers/", views_directory.provider_directory, name="provider_directory"),  # public
    path("provider/", views_redemption.provider_home, name="provider_home"),
    path("manage/providers/", views_redemption.providers, name="providers"),
    path("manage/providers/<int:pk>/", views_redemption.provider_admin, name="provider_admin"),
    path("manage/providers/<int:pk>/members/", views_redemption.provider_member_add, name="provider_member_add"),
    path(
        "manage/providers/<int:pk>/members/<int:member_pk>/remove/",
        views_redemption.provider_member_remove,
        name="provider_member_remove",
    ),
    path("manage/providers/<int:pk>/relations/", views_redemption.provider_relation_add, name="provider_relation_add"),
    path(
        "manage/providers/<int:pk>/relations/<int:relation_pk>/remove/",
        views_redemption.provider_relation_remove,
        name="provider_relation_remove",
    ),
    path("manage/settlement/", views_redemption.settlement, name="settlement"),
    # 收款与拨付 the enterprise's receiving account, payments and acceptance reports
    path("payments/", views_payments.payments_mine, name="payments_mine"),
    path("payments/account/", views_payments.payment_account_submit, name="payment_account_submit"),
    # (the report with its files is submitted at applications:acceptance_submit, where uploads are checked)
    path("payments/acceptance-files/<int:pk>/", views_payments.payment_acceptance_file, name="payment_acceptance_file"),
    # 拨付管理 administrators: accounts, acceptance, awards, batches, claw-backs, the report
    path("manage/payments/", views_payment_batches.payments_index, name="payments"),
    path("manage/payments/accounts/", views_payments.payment_accounts, name="payment_accounts"),
    path(
        "manage/payments/accounts/<int:pk>/decide/",
        views_payments.payment_account_decide,
        name="payment_account_decide",
    ),
    path("manage/payments/acceptance/", views_payments.payment_acceptance, name="payment_acceptance"),
    path(
        "manage/payments/acceptance/<int:pk>/decide/",
        views_payments.payment_acceptance_decide,
        name="payment_acceptance_decide",
    ),
    path("manage/payments/awards/<int:pk>/", views_payments.payment_award, name="payment_award"),
    path(
        "manage/payments/awards/<int:pk>/schedule/",
        views_payments.payment_award_schedule,
        name="payment_award_schedule",
    ),
    path(
        "manage/payments/clawbacks/<int:pk>/repayment/",
        views_payments.payment_clawback_repayment,
        name="payment_clawback_repayment",
    ),
    path("manage/payments/batches/new/", views_payment_batches.payment_batch_prepare, name="payment_batch_prepare"),
    path("manage/payments/batches/<int:pk>/", views_payment_batches.payment_batch, name="payment_batch"),
    path(
        "manage/payments/batches/<int:pk>/approve/",
        views_payment_batches.payment_batch_approve,
        name="payment_batch_approve",
    ),
    path(
        "manage/payments/batches/<int:pk>/cancel/",
        views_payment_batches.payment_batch_cancel,
        name="payment_batch_cancel",
    ),
    path(
        "manage/payments/batches/<int:pk>/export.<str:fmt>",
        views_payment_batches.payment_batch_export,
        name="payment_batch_export",
    ),
    path(
        "manage/payments/batches/<int:pk>/results/",
        views_payment_batches.payment_batch_results,
        name="payment_batch_results",
    ),
    path(
        "manage/payments/batches/<int:pk>/return-file/",
        views_payment_batches.payment_batch_return_file,
        name="payment_batch_return_file",
    ),
    path("manage/payments/report/", views_payment_batches.payments_report, name="payments_report"),
    path("manage/payments/report.xlsx", views_payment_batches.payments_report_xlsx, name="payments_report_xlsx"),
]
