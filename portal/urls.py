from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy, pgettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api_auth, api_staff, api_views, oidc, views, views_workbench

admin.site.site_header = gettext_lazy("广州人工智能产业补贴券平台 · 管理后台")
admin.site.site_title = gettext_lazy("补贴券平台管理")
admin.site.index_title = pgettext_lazy("admin index", "管理")

account_patterns = [
    path("register/", views.register, name="register"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    # 统一身份认证 (portal.oidc): 404 unless settings.OIDC_ENABLED
    path("oidc/authenticate/", oidc.OIDCSignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]

api_v1 = [
    path("me/", api_views.me, name="api-me"),
    path("auth/token/", api_auth.TokenObtainView.as_view(), name="api-token"),
    path("auth/logout/", api_auth.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("auth/logout-all/", api_auth.TokenRevokeAllView.as_view(), name="api-token-revoke-all"),
    path("calendar/", api_views.calendar, name="api-calendar"),
    path("staff/", api_staff.StaffList.as_view(), name="api-staff"),
    path("", include("vouchers.api_urls")),
    path("", include("applications.api_urls")),
    path("", include("reviews.api_urls")),
    path("", include("proactive.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("accounts/", include(account_patterns)),
    path("workbench/", views_workbench.workbench, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its script from a URL: no inline script, as the CSP requires
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("vouchers.urls")),
    path("", include("applications.urls")),
    path("", include("reviews.urls")),
    path("", include("proactive.urls")),
]

# Errors in Chinese; JSON under /api/; a database outage is a 503 with a clear message (portal/errors.py).
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
