from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from ehc.text import possessive

from . import throttle
from .audit import audit_record
from .models import AuditAction, User


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session["auth_started_at"] = now
        request.session["last_seen_at"] = now
    # ehc.views_sso names the organisation whose own account was used; otherwise it was the password.
    how = getattr(user, "signed_in_with", None)
    summary = f"Signed in with {possessive(how)} own account" if how else "Signed in with password"
    audit_record(request=request, user=user, action=AuditAction.LOGIN, summary=summary[:500])


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(request=request, user=user, action=AuditAction.LOGOUT, summary="Signed out")


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        request=request,
        user=None,
        action=AuditAction.LOGIN_FAILED,
        summary=f"Sign-in failed for {username!r}",
    )
    if request is not None:
        throttle.sign_in_failed(request, username)


@receiver(user_locked_out)
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    # Sent when the limit is reached and again for each attempt while the account is locked.
    audit_record(
        request=request,
        user=User.objects.filter(username=username).first() if username else None,
        action=AuditAction.LOGIN_FAILED,
        summary=f"Account locked: sign-in refused for {str(username)[:150]!r} after too many failures",
    )


@receiver(post_save, sender=User)
def _on_user_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .access import user_sync_permissions

    user_sync_permissions(user=instance)
    if not instance.is_active:
        _end_sessions(instance)


@receiver(m2m_changed, sender=User.teams.through)
def _on_teams_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, User):
        from .access import user_sync_permissions

        user_sync_permissions(user=instance)


def _end_sessions(user):
    """Every session of a deactivated user ends at once (the auth backend also refuses inactive users)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    # Through the session engine, so that a cached copy goes with the database row.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
