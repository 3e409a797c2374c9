"""Keyset pagination shared by every app's lists: a page is the rows after a cursor, so a page deep
in a long list costs what the first one does (no OFFSET)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_previous: bool


def decode_cursor(cursor: str | None):
    """A cursor is 'YYYY-MM-DD.id' (lists by date) or 'id' (lists by id alone), read as (date, id)
    or (None, id). Bad cursors start from the top."""
    if not cursor:
        return None
    try:
        if "." in cursor:
            date_part, id_part = cursor.split(".", 1)
            return datetime.date.fromisoformat(date_part), int(id_part)
        return None, int(cursor)
    except ValueError:
        return None


def keyset_page(queryset, date_field, cursor, page_size=PAGE_SIZE, row=None) -> Page:
    """One page ordered by (date, id), continuing after the cursor 'YYYY-MM-DD.id'.

    With `row`, the queryset is a values_list whose first two columns are id and the date, and each
    tuple becomes `row(*values)`."""
    position = decode_cursor(cursor)
    if position and position[0] is not None:
        date, last_id = position
        queryset = queryset.filter(Q(**{f"{date_field}__gt": date}) | Q(**{date_field: date, "id__gt": last_id}))
    else:
        position = None
    rows = list(queryset.order_by(date_field, "id")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last_id, last_date = (rows[-1][0], rows[-1][1]) if row else (rows[-1].id, getattr(rows[-1], date_field))
        next_cursor = f"{last_date.isoformat()}.{last_id}"
    if row:
        rows = [row(*values) for values in rows]
    return Page(rows=rows, next_cursor=next_cursor, has_previous=position is not None)
