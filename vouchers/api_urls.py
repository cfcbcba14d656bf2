"""REST endpoints of the vouchers app, mounted under /api/v1/."""

from django.urls import path

from . import api_budget, api_catalogue, api_redemption, api_windows

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
]
