"""In-app notifications and the addresses an event's email goes to."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now as timezone_now

from .emails import MessageKind


class Notification(models.Model):
    """One row per (event, recipient): an in-app notification for a recipient with a user account, the
    email's address for a recipient with one (a mailbox without an account has a row with no user).
    The event's email is the outbox row whose dedupe key is `event`, sent once to every address of
    its rows; the partial unique constraints make a second row for the same recipient impossible."""

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    event = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    address = models.EmailField(blank=True)
    case = models.ForeignKey("assessments.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=50, blank=True)
    # Where the notification leads: a path inside the service (the case, mostly).
    path = models.CharField(max_length=300)
    headline = models.CharField(max_length=300)
    # Shown in the service only, never in the email.
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone_now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Newest first; ids, not times, so that a page of notifications is a keyset range on the index.
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="notification_once_per_user", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["event", "address"], name="notification_once_per_address", condition=~models.Q(address="")
            ),
        ]
        indexes = [
            # The user's notifications page, newest first (ehc.views_notifications).
            models.Index(
                fields=["user", "-id"], name="notification_user_newest",
                condition=models.Q(user__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference}"

    @property
    def is_unread(self):
        return self.read_at is None
