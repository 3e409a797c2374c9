"""Invitations: a link that lets a new user set their password, valid for 72 hours and usable once.

Only a hash of the link's token is kept (ehc.invitations): someone who reads this table cannot use
a link. Each user has at most one pending link: sending another replaces the token of the pending
row, so the older link stops working at once.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from .base import TimeStamped


class Invitation(TimeStamped):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("ehc.Organisation", on_delete=models.PROTECT, related_name="invitations")
    # The address the link went to, as it was then.
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # One pending invitation per address per organisation (and so one live link).
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(used_at__isnull=True),
                name="invitation_one_pending_per_address",
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email}"
