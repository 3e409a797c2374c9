"""The hand-written SQL floors: the least work PostgreSQL must do for each scenario's result.

Plain SQL through a psycopg2 cursor, no ORM, each returning the same result the app must produce
(compared by the harness). They read the partial indexes the models declare, paginate by keyset,
aggregate in SQL and write set-based. Working-day arithmetic joins `bench_calendar` / `bench_due`
(bench.data), which hold what ehc.workdays and the default LA timings give for every day.
"""

from .reads import (
    CLOSED_CASE_STATUSES,
    case_detail,
    caseload_page,
    dco_dashboard,
    digest,
    outstanding_items_page,
    spoc_queue,
)
from .sweep import high_water_marks, sweep_nothing_due, sweep_snapshot, sweep_transition

__all__ = [
    "CLOSED_CASE_STATUSES",
    "case_detail",
    "caseload_page",
    "dco_dashboard",
    "digest",
    "high_water_marks",
    "outstanding_items_page",
    "spoc_queue",
    "sweep_nothing_due",
    "sweep_snapshot",
    "sweep_transition",
]
