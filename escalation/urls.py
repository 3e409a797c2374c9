from django.urls import include, path

app_name = "escalation"

# Timers and escalations. The DCO's dashboard and reports are the reports app's (decision 0015).
urlpatterns = [
    path("", include("escalation.urls_timers")),
    path("", include("escalation.urls_exceptions")),
]
