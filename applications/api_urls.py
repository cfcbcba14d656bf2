"""REST endpoints of the applications app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ApplicationViewSet, EnterpriseViewSet
from .api_acceptance import AcceptanceSubmit
from .api_preapproval import PreApprovalViewSet
from .api_verification import ClaimViewSet, DocumentDownloadView, FactChangeViewSet

router = SimpleRouter()
router.register("enterprises", EnterpriseViewSet, basename="api-enterprise")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("preapprovals", PreApprovalViewSet, basename="api-preapproval")
router.register("enterprise-claims", ClaimViewSet, basename="api-enterprise-claim")
router.register("fact-changes", FactChangeViewSet, basename="api-fact-change")

urlpatterns: list = [
    *router.urls,
    path("payments/tranches/<int:pk>/acceptance/", AcceptanceSubmit.as_view(), name="api-payment-tranche-acceptance"),
    path("verification-documents/<int:pk>/", DocumentDownloadView.as_view(), name="api-verification-document"),
]
