"""The addresses the dashboard and the reports had under /escalation/ until December 2026, each a
permanent redirect to its new address with the query string kept, so bookmarks and links in emails
already sent still work (decision 0015). A redirect tells nothing about the page: the new address
checks who may see it, as before."""

from django.urls import path
from django.views.generic import RedirectView

# Included by ehc.urls at /escalation/, beside escalation.urls.
app_name = "reports_moved"

# old path -> the reports URL name it moved to
MOVED = {
    "dashboard/": "dashboard",
    "dashboard/advice/": "items",
    "dashboard/advice.csv": "items_csv",
    "reports/": "index",
    "reports/non-return-audit/": "audit",
    "reports/monthly/": "monthly",
    "reports/timeliness/": "timeliness",
}


class MovedView(RedirectView):
    permanent = True
    query_string = True
    # The pages answer GET only; so do their old addresses.
    http_method_names = ["get", "head"]


urlpatterns = [path(old, MovedView.as_view(pattern_name=f"reports:{name}"), name=name) for old, name in MOVED.items()]
