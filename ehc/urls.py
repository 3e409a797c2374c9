from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views, views_delivery, views_invitations, views_notifications, views_saved_filters, views_sso

urlpatterns = [
    # Each user's work today (home.views): it reads every app, so it lives above them all.
    path("", include("home.urls")),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/organisation/", views_sso.sso_start, name="sso_start"),
    path("sign-in/organisation/callback/", views_sso.sso_callback, name="sso_callback"),
    path("sign-out/", views.logout_view, name="logout"),
    path("account/two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/", views.mfa_verify, name="mfa_verify"),
    path("account/two-factor/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path(
        "account/password-reset/",
        views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(template_name="registration/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("account/invitation/<str:token>/", views_invitations.invitation_accept, name="invitation_accept"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/<int:pk>/", views_notifications.notification_open, name="notification_open"),
    path("notifications/read/", views_notifications.notifications_mark_all_read, name="notifications_read_all"),
    path("saved-filters/", views_saved_filters.saved_filter_save_view, name="saved_filter_save"),
    path("saved-filters/<int:pk>/delete/", views_saved_filters.saved_filter_delete_view, name="saved_filter_delete"),
    # Liveness and readiness for the orchestrator and the uptime monitor (ehc.health): no sign-in.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # GOV.UK Notify's delivery receipts (server to server, its bearer token; ehc.views_delivery).
    path("notify/delivery-status/", views_delivery.notify_callback, name="notify_callback"),
    path("cases/", include("assessments.urls")),
    path("advice/", include("advice.urls")),
    path("escalation/", include("escalation.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("administration/", include("administration.urls")),
    # The JSON API at /api/v1/ and its clients' administration pages (docs/decisions/0029-json-api.md).
    path("", include("api.urls")),
    # The dashboard and reports' addresses before they moved to /reports/: permanent redirects.
    path("escalation/", include("reports.urls_moved")),
    # Before the admin's own URLs, so its password form is never served (ehc.views.admin_sign_in).
    path("admin/login/", views.admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
]

handler404 = "ehc.views.error_404"
handler500 = "ehc.views.error_500"
handler403 = "ehc.views.error_403"
