from django.urls import path

from . import views
from .discussion import views as discussion
from .quality import views as quality

app_name = "advice"

urlpatterns = [
    path("spoc/", views.spoc_queue, name="spoc_queue"),
    path("spoc/acknowledge/", views.acknowledge_several, name="acknowledge_several"),
    path("spoc/acknowledged/", views.acknowledged_several, name="acknowledged_several"),
    path("team/", views.team_queue, name="team_queue"),
    path("sign-off/", views.sign_off_queue, name="sign_off_queue"),
    path("cases/<int:case_pk>/request/", views.request_create, name="request_create"),
    path("cases/<int:case_pk>/draft-plan/", views.draft_plan_record, name="draft_plan_record"),
    path("cases/<int:case_pk>/draft-plan/comments/", views.draft_comment, name="draft_comment"),
    path("discussions/", discussion.discussions, name="discussions"),
    path("cases/<int:case_pk>/discussion/", discussion.discussion, name="discussion"),
    path(
        "cases/<int:case_pk>/discussion/attachments/<int:pk>/",
        discussion.discussion_attachment,
        name="discussion_attachment",
    ),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/return/", views.item_return, name="item_return"),
    path("items/<int:pk>/amend/", views.item_amend, name="item_amend"),
    path("items/<int:pk>/quality/", quality.item_quality, name="item_quality"),
    path("items/<int:pk>/sign-off/", views.sign_off_review, name="sign_off_review"),
    path("items/<int:pk>/sign-off/documents/<int:number>/", views.draft_document, name="draft_document"),
    path("items/<int:pk>/not-provided/", views.item_not_provided, name="item_not_provided"),
    path("items/<int:pk>/exception/", views.item_exception, name="item_exception"),
    path("items/<int:pk>/document/", views.document_download, name="document_download"),
    path("returns/<int:pk>/documents/<int:number>/", views.return_document, name="return_document"),
]
