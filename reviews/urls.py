from django.urls import path

from . import invitation_views

app_name = "reviews"

urlpatterns = [
    path("<int:pk>/invitations/", invitation_views.invitations, name="invitations"),
    path("<int:pk>/meeting/move/", invitation_views.meeting_move, name="meeting_move"),
]
