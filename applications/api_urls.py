"""REST endpoints of the applications app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .api import ApplicationViewSet, EnterpriseViewSet
from .api_preapproval import PreApprovalViewSet

router = SimpleRouter()
router.register("enterprises", EnterpriseViewSet, basename="api-enterprise")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("preapprovals", PreApprovalViewSet, basename="api-preapproval")

urlpatterns: list = router.urls
