from django.urls import path

from . import views, views_letters

# Included by escalation.urls under the "escalation" namespace.
urlpatterns = [
    path("heads-of-service/", views.hos_queue, name="hos_queue"),
    path("heads-of-service/items/<int:pk>/outcome/", views.hos_outcome, name="hos_outcome"),
    path("responses/", views.responses_owed, name="responses_owed"),
    path("responses/<int:pk>/", views.respond, name="respond"),
    path("escalation-2/", views.resolutions_due, name="resolutions_due"),
    path("escalation-2/items/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("letters/<int:pk>/download/", views.letter_download, name="letter_download"),
    path("letters/<int:pk>/", views_letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/approve/", views_letters.letter_approve, name="letter_approve"),
    path("letters/<int:pk>/account/", views_letters.letter_account, name="letter_account"),
    path("letters/approvals/", views_letters.approvals_queue, name="approvals"),
    path("letters/mine/", views_letters.my_letters, name="my_letters"),
]
