"""REST endpoints of proactive, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    AutoAwardViewSet,
    AutoBatchViewSet,
    ComparisonView,
    ContestViewSet,
    FactViewSet,
    ImportViewSet,
    MatchListView,
    MatchPreferenceView,
    MatchRunViewSet,
)
from .api_quick import LibraryReuseView, LibraryViewSet, PaymentPromiseListView, QuickStartView
from .results_api import ResultList

router = SimpleRouter()
router.register("enterprise-facts", FactViewSet, basename="api-enterprise-fact")
router.register("fact-contests", ContestViewSet, basename="api-fact-contest")
router.register("fact-imports", ImportViewSet, basename="api-fact-import")
router.register("matching-runs", MatchRunViewSet, basename="api-matching-run")
router.register("auto-award-batches", AutoBatchViewSet, basename="api-auto-award-batch")
router.register("auto-awards", AutoAwardViewSet, basename="api-auto-award")
router.register("document-library", LibraryViewSet, basename="api-library-document")

urlpatterns: list = [
    *router.urls,
    path("matches/", MatchListView.as_view(), name="api-matches"),
    path("results/", ResultList.as_view(), name="api-results"),
    path("matches/preference/", MatchPreferenceView.as_view(), name="api-match-preference"),
    path("applications/<int:pk>/fact-comparison/", ComparisonView.as_view(), name="api-fact-comparison"),
    # 快申快享
    path("applications/<int:pk>/library-reuse/", LibraryReuseView.as_view(), name="api-library-reuse"),
    path("quick-start/<slug:code>/", QuickStartView.as_view(), name="api-quick-start"),
    path("payment-promises/", PaymentPromiseListView.as_view(), name="api-payment-promises"),
]
