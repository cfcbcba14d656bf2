"""Web pages of the applications app: the enterprise space and the applicant's journey."""

from django.urls import path

from . import views, views_acceptance, views_enterprise, views_preapproval, views_verification

app_name = "applications"
urlpatterns: list = [
    # 企业空间 enterprise space
    path("enterprise/register/", views_enterprise.enterprise_register_view, name="enterprise_register"),
    path("enterprise/", views_enterprise.enterprise_detail, name="enterprise"),
    path("enterprise/edit/", views_enterprise.enterprise_edit, name="enterprise_edit"),
    path("enterprise/invite/", views_enterprise.enterprise_invite, name="enterprise_invite"),
    path("enterprise/invitations/<int:pk>/revoke/", views_enterprise.invitation_revoke, name="invitation_revoke"),
    path("enterprise/members/<int:pk>/remove/", views_enterprise.member_remove, name="member_remove"),
    path("enterprise/join/<str:token>/", views_enterprise.invitation_accept, name="invitation_accept"),
    # 实名核验 the enterprise's verification and contested claims; the bureau's queue
    path("enterprise/verification/", views_verification.enterprise_verification, name="enterprise_verification"),
    path("enterprise/contest/", views_verification.enterprise_contest, name="enterprise_contest"),
    path("verification/", views_verification.verification_queue, name="verification_queue"),
    path("verification/claims/<int:pk>/", views_verification.verification_claim, name="verification_claim"),
    path(
        "verification/fact-changes/<int:pk>/",
        views_verification.verification_fact_change,
        name="verification_fact_change",
    ),
    path(
        "verification/documents/<int:pk>/download/",
        views_verification.verification_document,
        name="verification_document",
    ),
    # 我的申报 the applicant's applications
    path("applications/", views.dashboard, name="dashboard"),
    path("applications/new/<slug:programme_code>/", views.application_new, name="create"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/autosave/", views.application_autosave, name="autosave"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_delete,
        name="attachment_remove",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("applications/<int:pk>/submit/", views.application_submit_view, name="submit"),
    path("applications/<int:pk>/resubmit/", views.application_resubmit_view, name="resubmit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="withdraw"),
    # 验收报告 the enterprise's acceptance report with its files (the bureau's review: vouchers)
    path("payments/tranches/<int:pk>/acceptance/", views_acceptance.acceptance_submit, name="acceptance_submit"),
    # 事前同意 pre-approvals before an event (th-events), named by the claim after it
    path("applications/preapprovals/", views_preapproval.preapproval_list, name="preapproval_list"),
    path("applications/preapprovals/new/", views_preapproval.preapproval_request_view, name="preapproval_request"),
    path("applications/preapprovals/<int:pk>/", views_preapproval.preapproval_detail, name="preapproval_detail"),
    path(
        "applications/preapprovals/<int:pk>/withdraw/",
        views_preapproval.preapproval_withdraw_view,
        name="preapproval_withdraw",
    ),
]
