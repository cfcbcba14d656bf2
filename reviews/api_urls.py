"""REST endpoints of the reviews app, mounted under /api/v1/ (all under reviews/…)."""

from django.urls import path

from . import (
    api,
    api_approvals,
    api_experts,
    api_guide,
    api_letter_decisions,
    api_letter_pdf,
    api_notices,
    api_parties,
    api_ratings,
    api_staff,
)
from .letters import api as letter_api

urlpatterns: list = [
    path("guide/<slug:code>/", api_guide.ProgrammeGuideView.as_view(), name="api-guide"),
    path("ratings/summary/", api_ratings.RatingSummaryView.as_view(), name="api-ratings-summary"),
    path("reviews/queue/", api.QueueView.as_view(), name="api-reviews-queue"),
    path("reviews/overdue/", api.OverdueView.as_view(), name="api-reviews-overdue"),
    path("reviews/assignments/", api.AssignView.as_view(), name="api-reviews-assign"),
    path("reviews/assignments/claim/", api.ClaimView.as_view(), name="api-reviews-claim"),
    path("reviews/assignments/send-to-experts/", api.SendToExpertsView.as_view(), name="api-reviews-send-to-experts"),
    path("reviews/applications/<int:pk>/formal-review/", api.FormalReviewView.as_view(), name="api-reviews-formal"),
    path("reviews/applications/<int:pk>/experts/", api.ExpertsView.as_view(), name="api-reviews-experts"),
    path(
        "reviews/applications/<int:pk>/experts/finish/",
        api.ExpertsFinishView.as_view(),
        name="api-reviews-experts-finish",
    ),
    path("reviews/applications/<int:pk>/decision/", api_approvals.DecisionView.as_view(), name="api-reviews-decision"),
    # 四眼原则 the proposals of decisions and their approval chains
    path("reviews/proposals/", api_approvals.ProposalsView.as_view(), name="api-reviews-proposals"),
    path(
        "reviews/proposals/approve/",
        api_approvals.ProposalsApproveManyView.as_view(),
        name="api-reviews-proposals-approve",
    ),
    path("reviews/proposals/<int:pk>/", api_approvals.ProposalDetailView.as_view(), name="api-reviews-proposal"),
    path(
        "reviews/proposals/<int:pk>/approve/",
        api_approvals.ProposalApproveView.as_view(),
        name="api-reviews-proposal-approve",
    ),
    path(
        "reviews/proposals/<int:pk>/return/",
        api_approvals.ProposalReturnView.as_view(),
        name="api-reviews-proposal-return",
    ),
    path("reviews/approval-chains/", api_approvals.ApprovalChainsView.as_view(), name="api-reviews-approval-chains"),
    path(
        "reviews/collective-decisions/",
        api_approvals.CollectiveDecisionsView.as_view(),
        name="api-reviews-collective-decisions",
    ),
    path("reviews/notices/pending/", api_approvals.PendingNoticesView.as_view(), name="api-reviews-notices-pending"),
    path("reviews/batches/<int:pk>/ranking/", api.BatchRankingView.as_view(), name="api-reviews-ranking"),
    path("reviews/batches/<int:pk>/commit/", api_staff.BatchCommitView.as_view(), name="api-reviews-batch-commit"),
    path(
        "reviews/expert-assignments/",
        api_experts.ExpertAssignmentsView.as_view(),
        name="api-reviews-expert-assignments",
    ),
    path(
        "reviews/expert-assignments/<int:pk>/",
        api_experts.ExpertAssignmentDetailView.as_view(),
        name="api-reviews-expert-assignment",
    ),
    path(
        "reviews/expert-assignments/<int:pk>/declaration/",
        api_experts.ExpertDeclarationView.as_view(),
        name="api-reviews-expert-declaration",
    ),
    path(
        "reviews/expert-assignments/<int:pk>/scores/",
        api_experts.ExpertScoresView.as_view(),
        name="api-reviews-expert-scores",
    ),
    path("reviews/notices/", api_notices.NoticesView.as_view(), name="api-reviews-notices"),
    path("reviews/notices/close-due/", api_staff.NoticesCloseDueView.as_view(), name="api-reviews-notices-close-due"),
    path("reviews/notices/<int:pk>/", api_notices.NoticeDetailView.as_view(), name="api-reviews-notice"),
    path(
        "reviews/notices/<int:pk>/objections/",
        api_notices.ObjectionCreateView.as_view(),
        name="api-reviews-objection-create",
    ),
    path("reviews/objections/", api_notices.ObjectionsView.as_view(), name="api-reviews-objections"),
    path(
        "reviews/objections/<int:pk>/resolve/",
        api_notices.ObjectionResolveView.as_view(),
        name="api-reviews-objection-resolve",
    ),
    # 合作方 two-party awards: the other party confirms its part and sees its awards
    path("parties/", api_parties.PartyApplicationsView.as_view(), name="api-parties"),
    path("parties/awards/", api_parties.PartyAwardsView.as_view(), name="api-party-awards"),
    path("parties/<int:pk>/confirm/", api_parties.PartyConfirmView.as_view(), name="api-party-confirm"),
    # 正式文书 official letters (scoped to the actor) and the public verification
    path("letters/", letter_api.LetterList.as_view(), name="api-letters"),
    path("letters/<int:pk>/", letter_api.LetterDetail.as_view(), name="api-letter"),
    path("letters/<int:pk>/pdf/", api_letter_pdf.LetterPdfView.as_view(), name="api-letter-pdf"),
    path("letters/<int:pk>/retry/", letter_api.letter_retry, name="api-letter-retry"),
    path("letters/verify/<str:code>/", letter_api.letter_verify, name="api-letter-verify"),
    # decisions on other apps' records that issue a letter (事前同意函, 追回决定书), at their usual URLs
    path(
        "preapprovals/<int:pk>/decide/",
        api_letter_decisions.PreApprovalDecideView.as_view(),
        name="api-preapproval-decide",
    ),
    path("payments/clawbacks/", api_letter_decisions.ClawbackList.as_view(), name="api-payment-clawbacks"),
]
