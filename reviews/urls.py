from django.urls import path

from . import lists

app_name = "reviews"

urlpatterns = [
    # The LA's work lists (reviews.selectors): ?list=due|invitations|reports|decisions|amended_plans.
    path("", lists.work_list, name="work_list"),
]
