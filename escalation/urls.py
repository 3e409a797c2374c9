from django.urls import include, path

app_name = "escalation"

# Timers and escalations (escalation.urls_timers) and the DCO's dashboards and reports
# (escalation.reports.urls) are separate modules with one owner each.
urlpatterns = [
    path("", include("escalation.urls_timers")),
    path("", include("escalation.reports.urls")),
]
