from django.urls import path

from . import lists, views

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
]
