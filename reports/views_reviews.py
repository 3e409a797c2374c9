"""The annual reviews report (/reports/reviews/): reviews held on time, decisions within 4 weeks and
amended plans within 12 weeks, by month; on screen, CSV and PDF through the reports' shared
machinery (reports.views._report), read from the replica like the others."""

from ehc.models import today_london
from ehc.replica import replica_reads

from . import views
from .selectors import periods
from .selectors.review_timeliness import review_timeliness
from .tables_reviews import review_tables

KIND = "reviews"
# Registered with the reports' shared tables here, so the review report's code sits in its own modules.
views.TITLES[KIND] = "Annual reviews on time"
views.TABLES[KIND] = review_tables


@views.report_access
@replica_reads
def review_report(request):
    def build(*, today, start, end, data):
        return review_timeliness(user=request.user, today=today, start=start, end=end, local_authority=data.get("la"))

    today = today_london()
    twelve = periods.last_twelve_months(today)
    return views._report(
        request,
        kind=KIND,
        default=twelve,
        build=build,
        template="reports/reviews.html",
        with_provider=False,
        periods=views._period_links(request, [twelve, *periods.previous_quarters(today)]),
    )
