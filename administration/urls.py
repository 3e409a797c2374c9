from django.urls import path

from . import views
from .views import letterhead

# Included by ehc.urls at /administration/: each organisation's administrator manages its own
# people and settings here (docs/decisions/0021-administration-in-the-product.md).
app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    # The LA's letterhead and the AD Education's signature image (issue 16, letter wording).
    path("letterhead/", letterhead.letterhead, name="letterhead"),
    path("letterhead/logo/", letterhead.letterhead_logo, name="letterhead_logo"),
    path("letterhead/signature/", letterhead.letterhead_signature, name="letterhead_signature"),
    path("letterhead/preview/", letterhead.letterhead_preview, name="letterhead_preview"),
]
