from django.urls import path

from . import views
from .views import recipients

# Included by ehc.urls at /administration/: each organisation's administrator manages its own
# people and settings here (docs/decisions/0021-administration-in-the-product.md).
app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("recipients/", recipients.recipients, name="recipients"),
]
