from django.urls import path

from . import views, views_caseloads

app_name = "assessments"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.case_create, name="case_create"),
    path("search/", views.search, name="search"),
    path("move-caseload/", views_caseloads.caseload_move, name="caseload_move"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/change/", views.case_edit, name="case_edit"),
    path("<int:pk>/decision/", views.record_decision, name="record_decision"),
    path("<int:pk>/not-issuing/", views.record_not_issuing, name="record_not_issuing"),
    path("<int:pk>/final-plan/", views.record_final_plan, name="record_final_plan"),
    path("<int:pk>/end/", views.close_case, name="close_case"),
    path("<int:pk>/case-officer/", views.assign_officer, name="assign_officer"),
    path("<int:pk>/share/", views.share_case, name="share_case"),
    path("<int:pk>/shares/<int:share_pk>/revoke/", views.revoke_share, name="revoke_share"),
]
