"""What every model of the project shares: creation and change times, and today's date in London."""

import datetime

from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def today_london():
    from django.utils import timezone

    return timezone.localdate()


def days_between(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days
