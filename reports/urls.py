from django.urls import path

from . import views, views_commissioning, views_review_health, views_reviews
from .sen2 import views as sen2_views

# Included by ehc.urls at /reports/. Until December 2026 these lived under /escalation/ (the
# escalation namespace); reports.urls_moved redirects those addresses here (decision 0015).
app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/advice/", views.item_list, name="items"),
    path("dashboard/advice.csv", views.item_csv, name="items_csv"),
    path("non-return-audit/", views.audit_report, name="audit"),
    path("monthly/", views.monthly_report, name="monthly"),
    path("timeliness/", views.timeliness_report, name="timeliness"),
    path("reviews/", views_reviews.review_report, name="reviews"),
    path("review-health-reports/", views_review_health.review_health, name="review_health"),
    path("commissioning/", views_commissioning.commissioning, name="commissioning"),
    path("commissioning/rows/", views_commissioning.commissioning_rows, name="commissioning_rows"),
    path("sen2/", sen2_views.sen2_page, name="sen2"),
    path("sen2/return.xml", sen2_views.sen2_xml, name="sen2_xml"),
]
