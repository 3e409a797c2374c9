"""Each user's notifications: newest first, unread marked, opened (and so read) one by one or all
marked read at once. A user sees only their own rows: anyone else's answers 404, like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import get_visible_or_404
from .models import Notification
from .notifications import notification_read, notifications_read_all

PAGE_SIZE = 50


def _own(user):
    return Notification.objects.filter(user_id=user.pk)


@login_required
@require_GET
def notifications(request):
    rows = _own(request.user).order_by("-id")
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        before = None
    if before is not None:
        rows = rows.filter(id__lt=before)
    rows = list(rows[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "ehc/notifications.html",
        {"notifications": rows[:PAGE_SIZE], "older": older, "is_first_page": before is None},
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
