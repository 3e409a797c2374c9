"""Sorting a list by a column, kept in the URL (`?sort=due` or `?sort=-due`), and keyset pagination
over whatever order was chosen.

A list names its sortable columns (`SortKey`) and its default; `sort_read` turns the `sort` parameter
into a `Sort`, and an unknown value is the default order, never an error (a stale bookmark or a
saved filter from before a column was renamed still shows the list). `sorted_page` pages by
(sort value, id) tuples, so a page deep in a sorted list costs what the first does (no OFFSET): the
cursor is the last row's sort value and id. Empty values (a case with no officer) always come last,
in both directions, and the id breaks ties in the same direction as the sort.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Lower

from .pagination import PAGE_SIZE, Page

SORT_PARAM = "sort"
# The annotation each sorted row carries, read back for the next page's cursor.
SORT_VALUE = "sort_value"


@dataclass(frozen=True)
class SortKey:
    key: str  # what the URL says: ?sort=due
    field: str  # the ORM path sorted on
    kind: str = "date"  # date, datetime, int or text (text sorts without regard to case)
    nullable: bool = False
    ascending_words: str = "earliest first"
    descending_words: str = "latest first"

    def expression(self):
        return Lower(F(self.field)) if self.kind == "text" else F(self.field)

    def encode(self, value) -> str:
        if value is None:
            return "n"
        if isinstance(value, (datetime.date, datetime.datetime)):
            return "v" + value.isoformat()
        return f"v{value}"

    def decode(self, text: str):
        """The value of a cursor, or raises ValueError."""
        if text == "n":
            return None
        if not text.startswith("v"):
            raise ValueError(text)
        text = text[1:]
        if self.kind == "date":
            return datetime.date.fromisoformat(text)
        if self.kind == "datetime":
            return datetime.datetime.fromisoformat(text)
        if self.kind == "int":
            return int(text)
        return text


# A child's column shows the whole name and sorts by surname, as a register does.
SURNAME_WORDS = {"ascending_words": "by surname A to Z", "descending_words": "by surname Z to A"}


def text_key(key, field, **options):
    words = {"ascending_words": "A to Z", "descending_words": "Z to A", **options}
    return SortKey(key, field, kind="text", **words)


@dataclass(frozen=True)
class Sort:
    key: SortKey
    descending: bool = False

    @property
    def value(self) -> str:
        return ("-" if self.descending else "") + self.key.key

    def order_by(self):
        """ORDER BY terms: the column (empty values last) then id in the same direction. A column
        that is never empty keeps plain ASC/DESC, so an index on it serves either direction."""
        column = F(SORT_VALUE)
        if self.descending:
            first = column.desc(nulls_last=True) if self.key.nullable else column.desc()
            return [first, "-id"]
        first = column.asc(nulls_last=True) if self.key.nullable else column.asc()
        return [first, "id"]

    def after(self, value, last_id) -> Q:
        """The rows after (value, last_id) in this order."""
        if value is None:  # among the empty values, which come last whichever the direction
            return Q(**{f"{SORT_VALUE}__isnull": True}) & Q(**{"id__lt" if self.descending else "id__gt": last_id})
        beyond = "lt" if self.descending else "gt"
        later = Q(**{f"{SORT_VALUE}__{beyond}": value}) | Q(**{SORT_VALUE: value, f"id__{beyond}": last_id})
        if self.key.nullable:
            later |= Q(**{f"{SORT_VALUE}__isnull": True})
        return later


def sort_read(value, keys, default: str) -> Sort:
    """The Sort the parameter asks for; anything not in `keys` is `default` ('due' or '-due')."""
    by_name = {key.key: key for key in keys}
    for wanted in ((value or "").strip(), default):
        name = wanted.removeprefix("-")
        if name in by_name:
            return Sort(by_name[name], descending=wanted.startswith("-"))
    raise ValueError(f"The default sort {default!r} is not one of the list's keys")


def sorted_queryset(queryset, sort: Sort):
    return queryset.annotate(**{SORT_VALUE: sort.key.expression()}).order_by(*sort.order_by())


def decode_sort_cursor(sort: Sort, cursor: str | None):
    """(value, id) from 'v<value>.<id>' or 'n.<id>'; a cursor that does not parse starts from the top."""
    if not cursor or "." not in cursor:
        return None
    value_part, id_part = cursor.rsplit(".", 1)
    try:
        return sort.key.decode(value_part), int(id_part)
    except ValueError:
        return None


def sorted_page(queryset, sort: Sort, cursor=None, page_size=PAGE_SIZE, row=None) -> Page:
    """One page of `queryset` in `sort` order, continuing after the cursor.

    With `row`, the queryset is a values_list whose first column is the id: the sort value comes
    last in each tuple (Django puts an annotation not named in values_list there) and each row
    is `row(*values)` without it."""
    queryset = sorted_queryset(queryset, sort)
    position = decode_sort_cursor(sort, cursor)
    if position is not None:
        queryset = queryset.filter(sort.after(*position))
    rows = list(queryset[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        last_id, value = (last[0], last[-1]) if row else (last.id, getattr(last, SORT_VALUE))
        next_cursor = f"{sort.key.encode(value)}.{last_id}"
    if row:
        rows = [row(*values[:-1]) for values in rows]
    return Page(rows=rows, next_cursor=next_cursor, has_previous=position is not None)
