from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("审核与文书")

    def ready(self) -> None:
        from portal.services_calendar import calendar_changed

        from .services.deadline_recompute import on_calendar_changed

        # A change of the working-day calendar moves the open deadlines (portal announces, reviews acts).
        calendar_changed.connect(on_calendar_changed, dispatch_uid="reviews.deadlines_recompute")
