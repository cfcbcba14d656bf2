"""Web pages of proactive (政策找企业)."""

from django.urls import path

from . import results_views, views, views_quick

app_name = "proactive"
urlpatterns: list = [
    path("enterprise/matches/", views.matches, name="matches"),
    path("enterprise/estimate/<slug:code>/", views.estimate_prefill, name="estimate_prefill"),
    path("enterprise/facts/", views.enterprise_facts, name="enterprise_facts"),
    path("proactive/imports/", views.imports, name="imports"),
    path("proactive/contests/", views.contests, name="contests"),
    path("proactive/auto-batches/", views.auto_batches, name="auto_batches"),
    path("proactive/auto-batches/<int:pk>/", views.auto_batch, name="auto_batch"),
    path("proactive/auto-batches/<int:pk>/publish/", views.auto_batch_publish_view, name="auto_batch_publish"),
    path("proactive/auto-batches/<int:pk>/review/", views.auto_batch_review_view, name="auto_batch_review"),
    path("proactive/auto-batches/<int:pk>/notice/", views.auto_batch_notice_view, name="auto_batch_notice"),
    path("enterprise/auto-awards/", views.auto_awards, name="auto_awards"),
    path("proactive/results/", results_views.results_page, name="results"),
    path("proactive/results/export/", results_views.results_export, name="results_export"),
    # 快申快享 the document library, the pre-filled start, the promised payment dates
    path("enterprise/library/", views_quick.library, name="library"),
    path("enterprise/library/<int:pk>/download/", views_quick.library_download, name="library_download"),
    path("enterprise/library/<int:pk>/remove/", views_quick.library_remove, name="library_remove"),
    path("enterprise/applications/<int:pk>/library-reuse/", views_quick.library_reuse, name="library_reuse"),
    path("enterprise/quick-start/<slug:code>/", views_quick.quick_start, name="quick_start"),
    path("proactive/payment-promises/", views_quick.payment_promises, name="payment_promises"),
]
