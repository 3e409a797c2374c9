"""The administration's front pages: what an administrator can manage, and the settings history."""

from django.shortcuts import render

from ehc.models import AuditEvent
from ehc.pagination import Page, decode_cursor

from ..access import administrator_required
from ..sections import sections_for

HISTORY_PAGE_SIZE = 50


@administrator_required()
def index(request):
    organisation = request.user.organisation
    return render(
        request,
        "administration/index.html",
        {"organisation": organisation, "sections": sections_for(organisation)},
    )


@administrator_required()
def history(request):
    """Every recorded change to the administrator's own organisation, newest first."""
    organisation = request.user.organisation
    # Newest first by id alone (ids rise with time on this append-only table): no OFFSET.
    events = AuditEvent.objects.filter(settings_of=organisation).select_related("actor").order_by("-id")
    position = decode_cursor(request.GET.get("after"))
    if position:
        events = events.filter(id__lt=position[1])
    rows = list(events[: HISTORY_PAGE_SIZE + 1])
    next_cursor = str(rows[HISTORY_PAGE_SIZE - 1].id) if len(rows) > HISTORY_PAGE_SIZE else None
    page = Page(rows=rows[:HISTORY_PAGE_SIZE], next_cursor=next_cursor, has_previous=bool(position))
    return render(
        request,
        "administration/history.html",
        {"organisation": organisation, "sections": sections_for(organisation), "page": page, "query": ""},
    )
