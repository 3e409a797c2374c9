from django.urls import path

from . import invitation_views, lists, views

app_name = "reviews"

urlpatterns = [
    # The LA's work lists (reviews.selectors): ?list=due|invitations|reports|decisions|amended_plans.
    path("", lists.work_list, name="work_list"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/meeting/", views.arrange_meeting, name="meeting"),
    path("<int:pk>/early/", views.bring_forward, name="early"),
    path("<int:pk>/held/", views.record_held, name="held"),
    path("<int:pk>/report/", views.record_report, name="report"),
    path("<int:pk>/decision/", views.record_decision, name="decision"),
    path("<int:pk>/amended-plan/", views.record_amended_plan, name="amended_plan"),
    path("<int:pk>/moved-away/", views.moved_away, name="moved_away"),
    # Health's side (reviews.invitations): the invitations and requests for advice, the meeting moved after.
    path("<int:pk>/invitations/", invitation_views.invitations, name="invitations"),
    path("<int:pk>/meeting/move/", invitation_views.meeting_move, name="meeting_move"),
]
