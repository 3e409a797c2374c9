from django.urls import path

from . import exception_views

# Included by escalation.urls under the "escalation" namespace.
urlpatterns = [
    path("cases/<int:pk>/exceptions/new/", exception_views.exception_new, name="exception_new"),
    path("exceptions/<int:pk>/change/", exception_views.exception_change, name="exception_change"),
    path("exceptions/<int:pk>/end/", exception_views.exception_end, name="exception_end"),
]
