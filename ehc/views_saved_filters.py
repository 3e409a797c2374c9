"""Saving and deleting a saved filter (ehc.saved_filters), from the list it belongs to. Both are
POSTs that go back to the list; a bad name is said there, on the list, nothing saved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .saved_filters import PAGES, SavedFilterError, query_clean, saved_filter_delete, saved_filter_save


def _back(page, query=""):
    return redirect(reverse(page) + (f"?{query}" if query else ""))


@login_required
@require_POST
def saved_filter_save_view(request):
    page = request.POST.get("page", "")
    if page not in PAGES:
        messages.error(request, "Filters cannot be saved on that page")
        return redirect("home")
    query = request.POST.get("query", "")
    try:
        saved = saved_filter_save(user=request.user, page=page, name=request.POST.get("name", ""), query=query)
    except SavedFilterError as error:
        messages.error(request, str(error))
        return _back(page, query_clean(page, query))
    messages.success(request, f"Filters saved as \u201c{saved.name}\u201d")
    return _back(page, saved.query)


@login_required
@require_POST
def saved_filter_delete_view(request, pk):
    page = saved_filter_delete(user=request.user, saved_filter_id=pk)
    if page is None:  # someone else's, or none: the same answer
        raise Http404
    messages.success(request, "Saved filter deleted")
    return _back(page)
