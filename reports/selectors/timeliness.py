"""LA timeliness: decisions and final plans in a period, on time, with and without exceptions."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q

from assessments.models import TimelineException
from assessments.timeline import DECISION_WEEKS, FINAL_PLAN_WEEKS

from .outcomes import share
from .scope import cases_in_scope

# National figure for the share of EHC plans issued within 20 weeks, excluding exceptions
# (DfE, "Education, health and care plans", England, calendar year 2024).
ENGLAND_PLANS_WITHIN_20_WEEKS = 46.4


@dataclass
class TimelinessReport:
    start: datetime.date
    end: datetime.date
    totals: dict
    by_la: list
    england_plans_within_20_weeks: float = ENGLAND_PLANS_WITHIN_20_WEEKS


def la_timeliness(*, user, start, end, local_authority=None) -> TimelinessReport:
    """Decisions notified and final plans issued in [start, end] (the SEN2 convention: a plan counts
    in the period it was issued), with the share on time, with and without the cases that had an
    exception under regulation 10(4)."""
    cases = cases_in_scope(user)
    if local_authority is not None:
        cases = cases.filter(local_authority_id=local_authority.pk)
    cases = cases.annotate(excepted=Exists(TimelineException.objects.filter(case_id=OuterRef("pk"))))
    decided = Q(decision_on__gte=start, decision_on__lte=end)
    decided_in_time = decided & Q(decision_on__lte=F("received_on") + datetime.timedelta(weeks=DECISION_WEEKS))
    issued = Q(final_plan_issued_on__gte=start, final_plan_issued_on__lte=end)
    issued_in_time = issued & Q(final_plan_issued_on__lte=F("received_on") + datetime.timedelta(weeks=FINAL_PLAN_WEEKS))
    not_excepted = Q(excepted=False)
    counts = {
        "decisions": Count("id", filter=decided),
        "decisions_in_time": Count("id", filter=decided_in_time),
        "decisions_to_assess": Count("id", filter=decided & Q(decided_to_assess=True)),
        "decisions_ex": Count("id", filter=decided & not_excepted),
        "decisions_in_time_ex": Count("id", filter=decided_in_time & not_excepted),
        "plans": Count("id", filter=issued),
        "plans_in_time": Count("id", filter=issued_in_time),
        "plans_ex": Count("id", filter=issued & not_excepted),
        "plans_in_time_ex": Count("id", filter=issued_in_time & not_excepted),
    }
    totals = _timeliness_shares(cases.aggregate(**counts))
    by_la = [
        _timeliness_shares(row)
        for row in cases.filter(decided | issued)
        .values("local_authority_id", name=F("local_authority__name"))
        .annotate(**counts)
        .order_by("name")
    ]
    return TimelinessReport(start=start, end=end, totals=totals, by_la=by_la)


def _timeliness_shares(row):
    row["decisions_share"] = share(row["decisions_in_time"], row["decisions"])
    row["decisions_share_ex"] = share(row["decisions_in_time_ex"], row["decisions_ex"])
    row["plans_share"] = share(row["plans_in_time"], row["plans"])
    row["plans_share_ex"] = share(row["plans_in_time_ex"], row["plans_ex"])
    return row
