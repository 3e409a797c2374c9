"""The query parameters each list takes: its status (and stage), date ranges, and `updated_since`.
A bad value is a 400 that names the parameter and says what to send; nothing is guessed."""

import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError


def _date(name, value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: [f"{name} must be a date like 2026-12-07"]}) from None


def _moment(name, value):
    parsed = None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        pass
    if parsed is None:
        try:
            parsed = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        except ValueError:
            raise ValidationError(
                {name: [f"{name} must be a date and time like 2026-12-07T09:30:00Z, or a date"]}
            ) from None
    if parsed.tzinfo is None:
        from django.utils import timezone

        parsed = timezone.make_aware(parsed)
    return parsed


def list_filter(queryset, params, *, choices=None, dates=None):
    """`choices`: {parameter: (field, allowed values)}, several values comma-separated; `dates`:
    {field: label} gives `<label>_from` and `<label>_to` (inclusive). Every list has `updated_since`."""
    for name, (field, allowed) in (choices or {}).items():
        if name in params:
            values = [value.strip() for value in params[name].split(",") if value.strip()]
            wrong = [value for value in values if value not in allowed]
            if wrong or not values:
                raise ValidationError({name: [f"{name} must be one or more of: {', '.join(allowed)}"]})
            queryset = queryset.filter(**{f"{field}__in": values})
    for field, label in (dates or {}).items():
        if f"{label}_from" in params:
            queryset = queryset.filter(**{f"{field}__gte": _date(f"{label}_from", params[f"{label}_from"])})
        if f"{label}_to" in params:
            queryset = queryset.filter(**{f"{field}__lte": _date(f"{label}_to", params[f"{label}_to"])})
    if "updated_since" in params:
        queryset = queryset.filter(updated_at__gt=_moment("updated_since", params["updated_since"]))
    return queryset
