"""Web pages of the reviews app."""

from django.urls import path

from . import (
    views,
    views_approvals,
    views_clawback,
    views_experts,
    views_guide,
    views_notices,
    views_parties,
    views_preapproval,
    views_ratings,
)
from .letters import views as letter_views
from .letters import views_status as letter_status_views

app_name = "reviews"
urlpatterns: list = [
    # 审核 review pages for bureau staff
    path("review/", views.queue, name="queue"),
    path("review/bulk/", views.queue_bulk, name="queue_bulk"),
    path("review/overdue/", views.overdue, name="overdue"),
    path("review/applications/<int:pk>/", views.application, name="application"),
    path("review/applications/<int:pk>/claim/", views.claim, name="claim"),
    path("review/applications/<int:pk>/release/", views.release, name="release"),
    path("review/applications/<int:pk>/assign/", views.assign, name="assign"),
    path("review/applications/<int:pk>/formal/start/", views.formal_start, name="formal_start"),
    path("review/applications/<int:pk>/formal/pass/", views.formal_pass, name="formal_pass"),
    path("review/applications/<int:pk>/formal/return/", views.formal_return, name="formal_return"),
    path("review/applications/<int:pk>/experts/", views.experts_assign, name="experts_assign"),
    path("review/applications/<int:pk>/experts/finish/", views.experts_finish, name="experts_finish"),
    path("review/applications/<int:pk>/decision/", views_approvals.decision, name="decision"),
    path("review/applications/<int:pk>/decline/", views_approvals.decline, name="decline"),
    # 四眼原则 proposals of decisions and their approval chains
    path("review/approvals/", views_approvals.approvals_list, name="approvals"),
    path("review/approvals/approve/", views_approvals.approvals_approve_many, name="approvals_approve_many"),
    path("review/proposals/<int:pk>/approve/", views_approvals.proposal_approve, name="proposal_approve"),
    path("review/proposals/<int:pk>/return/", views_approvals.proposal_return, name="proposal_return"),
    path("review/approval-chains/", views_approvals.approval_chains, name="approval_chains"),
    path("review/collective-decisions/new/", views_approvals.collective_decision_new, name="collective_decision_new"),
    path(
        "review/collective-decisions/<int:pk>/file/",
        views_approvals.collective_decision_file,
        name="collective_decision_file",
    ),
    path("review/batches/", views.batches, name="batches"),
    path("review/batches/<int:pk>/", views.batch, name="batch"),
    # 事前同意 pre-approvals (th-events), decided before the event
    path("review/preapprovals/", views_preapproval.preapproval_queue, name="preapproval_queue"),
    path("review/preapprovals/<int:pk>/", views_preapproval.preapproval_decide_view, name="preapproval_decide"),
    # 追回决定 from an award's payments page (vouchers'), issuing the 追回决定书
    path(
        "manage/payments/awards/<int:pk>/clawback/",
        views_clawback.payment_award_clawback,
        name="payment_award_clawback",
    ),
    # 专家评审 expert pages
    path("expert/", views_experts.expert_list, name="expert_list"),
    path("expert/<int:pk>/", views_experts.expert_assignment, name="expert_assignment"),
    path("expert/<int:pk>/declare/", views_experts.expert_declare, name="expert_declare"),
    path("expert/<int:pk>/scores/", views_experts.expert_scores, name="expert_scores"),
    path("expert/<int:pk>/attachments/<int:attachment_pk>/", views_experts.expert_attachment, name="expert_attachment"),
    # 公示 public notices: administrators, and the public pages under /notices/ (no login)
    path("review/notices/", views_notices.notices_admin, name="notices_admin"),
    path("review/notices/publish/", views_notices.notice_publish, name="notice_publish"),
    path("review/notices/close-due/", views_notices.notices_close_due, name="notices_close_due"),
    path("review/notices/<int:pk>/", views_notices.notice_admin, name="notice_admin"),
    path("review/objections/<int:pk>/", views_notices.objection, name="objection"),
    path("notices/", views_notices.public_notices, name="public_notices"),
    path("notices/<int:pk>/", views_notices.public_notice, name="public_notice"),
    # 合作方 two-party awards: the other party confirms its part and sees its awards
    path("parties/", views_parties.party_list, name="party_list"),
    path("parties/<int:pk>/confirm/", views_parties.party_confirm, name="party_confirm"),
    # 正式文书 official letters; /verify/ is public (the QR code on each letter leads there)
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/batch/", letter_views.letters_batch, name="letters_batch"),
    path("letters/<int:pk>/download/", letter_views.letter_download, name="letter_download"),
    path("letters/<int:pk>/status/", letter_status_views.letter_status, name="letter_status"),
    path("letters/<int:pk>/revoke/", letter_views.letter_revoke, name="letter_revoke"),
    path("letters/<int:pk>/retry/", letter_views.letter_retry, name="letter_retry"),
    # 办事指南 and keyword search (public)
    path("guide/search/", views_guide.guide_search, name="guide_search"),
    path("guide/<slug:code>/", views_guide.programme_guide, name="programme_guide"),
    path("guide/<slug:code>/templates/<slug:material>.docx", views_guide.material_template, name="material_template"),
    # 好差评
    path("service-rating/<int:pk>/", views_ratings.rating_new, name="rating_new"),
    path("manage/ratings/", views_ratings.ratings_admin, name="ratings_admin"),
    path("verify/", letter_views.letter_verify_start, name="letter_verify_start"),
    path("verify/<str:code>/", letter_views.letter_verify, name="letter_verify"),
]
