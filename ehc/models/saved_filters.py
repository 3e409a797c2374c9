"""A user's saved filters: a name for a list's query string, per page (ehc.saved_filters)."""

from django.conf import settings
from django.db import models
from django.utils.timezone import now as timezone_now


class SavedFilter(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    # The list's URL name (ehc.saved_filters.PAGES), so a filter is offered only on its own list.
    page = models.CharField(max_length=60)
    name = models.CharField(max_length=60)
    # The list's query string, already reduced to the page's own filter and sort parameters.
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone_now)

    class Meta:
        ordering = ["page", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="saved_filter_name_once_per_page"),
        ]

    def __str__(self):
        return f"{self.name} ({self.page})"
