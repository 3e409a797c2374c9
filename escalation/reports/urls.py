from django.urls import path

from . import views

# Included by escalation.urls under the "escalation" namespace, at /escalation/.
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/advice/", views.item_list, name="items"),
    path("dashboard/advice.csv", views.item_csv, name="items_csv"),
    path("reports/", views.report_index, name="reports"),
    path("reports/non-return-audit/", views.audit_report, name="report_audit"),
    path("reports/monthly/", views.monthly_report, name="report_monthly"),
    path("reports/timeliness/", views.timeliness_report, name="report_timeliness"),
]
