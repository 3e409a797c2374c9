"""Each user's notifications: newest first unless sorted by a column, unread marked, opened (and so
read) one by one or all marked read at once. A user sees only their own rows: anyone else's answers
404, like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import get_visible_or_404
from .models import Notification
from .notifications import notification_read, notifications_read_all
from .sorting import Sort, SortKey, sort_read, sorted_page, text_key

PAGE_SIZE = 50


def _own(user):
    return Notification.objects.filter(user_id=user.pk)


# Newest first by default; by the notification's words (its headline) too. "Date" is the order they
# arrived in, the id, as before sorting (index notification_user_newest): a sweep run as of another
# day (`sweep --now`) dates its notices that day, so created_at need not follow arrival. The Status
# column (read or not) is a phrase, not sorted (decision 0038).
SORT_KEYS = (
    SortKey("date", "id", kind="int", ascending_words="oldest first", descending_words="newest first"),
    text_key("notification", "headline"),
)
DEFAULT_SORT = "-date"


def notifications_sort(value) -> Sort:
    return sort_read(value, SORT_KEYS, DEFAULT_SORT)


@login_required
@require_GET
def notifications(request):
    """One page of the user's own notifications in the order of `?sort=`, keyset-paged (`after`). An
    address from before (`?before=<id>`) is the first page."""
    sort = notifications_sort(request.GET.get("sort"))
    page = sorted_page(_own(request.user), sort, request.GET.get("after"), PAGE_SIZE)
    query = request.GET.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    return render(
        request,
        "ehc/notifications.html",
        {"page": page, "notifications": page.rows, "sort": sort, "query": query.urlencode()},
    )


def _safe_path(path):
    # Only a path inside the service: never another site ("//host", "https://...").
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


@login_required
@require_GET
def notification_open(request, pk):
    """Opening a notification marks it read and goes where it leads."""
    notification = get_visible_or_404(_own(request.user), request, pk=pk)
    notification_read(notification=notification)
    return redirect(_safe_path(notification.path))


@login_required
@require_POST
def notifications_mark_all_read(request):
    count = notifications_read_all(user=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read")
    return redirect("notifications")
