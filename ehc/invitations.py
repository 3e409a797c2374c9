"""Invitations (issue 16): a link by email that lets someone whose account was made for them set
its password, valid for 72 hours and usable once; then, like everyone, they enrol an authenticator
before anything else (ehc.middleware.RequireVerifiedMiddleware sends them to `mfa_setup`).

An organisation's administrator invites its users (administration.invitations); the LA gives a
provider director a letters-only account the same way (escalation.recipients). The token is random
and only its hash is stored (ehc.models.Invitation); the email is an outbox row sent after commit,
carrying the link and no health details. A link that is unknown, used, expired, replaced or for a
deactivated account gets one and the same page: it tells nobody which of these it was.

Someone whose organisation signs its people in with its own account (ehc.sso) never has a password
here: their email says to sign in with their work address, and carries no link to set one (a
password they could not use). The invitation row still records who invited them and when; their
first sign-in through the organisation uses it up (`invitation_used_by_sign_on`).
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction, Invitation, MessageKind
from .outbox import email_queue
from .sso import must_use_sign_on

VALID_FOR = datetime.timedelta(hours=72)
# A second click within this time sends nothing more: the link already sent still works.
RESEND_AFTER = datetime.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_invitation(user):
    return Invitation.objects.filter(user=user, used_at__isnull=True).first()


@transaction.atomic
def invitation_send(
    *, user, invited_by=None, kind=MessageKind.INVITATION, template="invitation", context=None, case=None
):
    """A new link for `user`, replacing any pending one, and its email queued. None if a link was sent
    less than RESEND_AFTER ago (a double click): that one stands."""
    now = timezone.now()
    invitation = Invitation.objects.select_for_update().filter(user=user, used_at__isnull=True).first()
    if invitation is not None and invitation.sent_at > now - RESEND_AFTER and invitation.email == user.email:
        return None
    token = secrets.token_urlsafe(32)
    values = {
        "email": user.email,
        "organisation_id": user.organisation_id,
        "token_hash": token_hash(token),
        "sent_at": now,
        "expires_at": now + VALID_FOR,
        "invited_by": invited_by,
    }
    if invitation is None:
        invitation = Invitation.objects.create(user=user, **values)
    else:
        for name, value in values.items():
            setattr(invitation, name, value)
        invitation.save()
    if must_use_sign_on(user):
        # The templates say "sign in with your work email address" when there is no accept_path.
        links = {"sign_in_path": reverse("login")}
    else:
        links = {
            "accept_path": reverse("invitation_accept", kwargs={"token": token}),
            "valid_hours": int(VALID_FOR.total_seconds() // 3600),
            "expires_at": invitation.expires_at,
        }
    email_queue(
        kind=kind,
        dedupe_key=f"{kind}:invitation:{invitation.pk}:{invitation.token_hash[:16]}",
        to=[user.email],
        template=template,
        context={**(context or {}), **links},
        case=case,
    )
    return invitation


def invitation_for_token(token: str, *, lock=False):
    """The invitation `token` opens, if it still may be used; None otherwise, whatever the reason."""
    if not token or len(token) > 200:
        return None
    found = Invitation.objects.select_related("user", "organisation")
    if lock:
        found = found.select_for_update(of=("self",))
    invitation = found.filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= timezone.now():
        return None
    user = invitation.user
    if not user.is_active or user.organisation_id != invitation.organisation_id or user.has_usable_password():
        return None
    if must_use_sign_on(user):
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, request, token, password):
    """Set the invited user's password and use the link up. None if the link may not be used (it was
    used a moment ago, say, in another tab): the caller shows the same page as for any bad link."""
    invitation = invitation_for_token(token, lock=True)
    if invitation is None:
        return None
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at", "updated_at"])
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CHANGE,
        obj=user,
        summary="Set a password with an invitation link",
    )
    return user


def invitation_used_by_sign_on(user):
    """The first sign-in through the user's organisation uses up their invitation, as setting a
    password does for everyone else (the people page then shows them as active)."""
    return Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
