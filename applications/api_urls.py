"""REST endpoints of the applications app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .api import ApplicationViewSet, EnterpriseViewSet

router = SimpleRouter()
router.register("enterprises", EnterpriseViewSet, basename="api-enterprise")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns: list = router.urls
