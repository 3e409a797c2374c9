"""Saved filters: a user names the filters and sort order of a list and comes back to them in one click.

A saved filter is the list's query string, nothing more: following it runs the list's own access
checks and validation, so a filter saved on a role the user has since lost shows what a hand-typed
address would. Only the lists named in PAGES take one, and only their own parameters are kept (the
cursor of a page of results, a download format or anything unknown are dropped), so a saved filter
cannot carry anything the list would not show in its own address bar.
"""

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import QueryDict

from .models import SavedFilter

# URL name -> the query parameters the list reads (its filters and its sort order).
PAGES = {
    "assessments:caseload": ("show", "rag", "q", "mine", "stage", "sort"),
    "reports:items": ("la", "provider", "team", "stage", "age", "sort"),
    "advice:spoc_queue": ("team", "sort"),
    "advice:team_queue": ("team", "drafts", "sort"),
    "reviews:work_list": ("list", "mine", "sort"),
}
NAME_MAX = 60
QUERY_MAX = 500
MOST_PER_PAGE = 20


class SavedFilterError(Exception):
    pass


def query_clean(page: str, query: str) -> str:
    """The query string reduced to the page's own parameters, in a fixed order, values kept as given."""
    keys = PAGES[page]
    given = QueryDict(query or "")
    kept = [(key, value) for key in keys for value in given.getlist(key)[:1] if value.strip()]
    return urlencode(kept)


def saved_filters_for(*, user, page):
    return list(SavedFilter.objects.filter(user=user, page=page).order_by("name", "id")[:MOST_PER_PAGE])


@transaction.atomic
def saved_filter_save(*, user, page, name, query) -> SavedFilter:
    """Save (or replace, under the same name) the user's filter for `page`."""
    if page not in PAGES:
        raise SavedFilterError("Filters cannot be saved on this page")
    name = " ".join((name or "").split())
    if not name:
        raise SavedFilterError("Enter a name for these filters")
    if len(name) > NAME_MAX:
        raise SavedFilterError(f"The name must be {NAME_MAX} characters or fewer")
    query = query_clean(page, query)
    if len(query) > QUERY_MAX:
        raise SavedFilterError("These filters are too long to save: shorten the search text")
    existing = SavedFilter.objects.select_for_update().filter(user=user, page=page, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=user, page=page).count() >= MOST_PER_PAGE:
        raise SavedFilterError(f"You have {MOST_PER_PAGE} saved filters here: delete one first")
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(user=user, page=page, name=name, query=query)
    except IntegrityError:  # the same name saved at the same moment in another tab
        return SavedFilter.objects.get(user=user, page=page, name=name)


def saved_filter_delete(*, user, saved_filter_id):
    """Delete the user's own saved filter and return its page; another user's (or a missing one) is
    left as it is, and None."""
    found = SavedFilter.objects.filter(pk=saved_filter_id, user=user).first()
    if found is None:
        return None
    found.delete()
    return found.page
