"""The benchmark data set, built with set-based SQL (INSERT ... SELECT over generate_series).

Shape (DOMAIN.md, issue 8): organisations, teams and users, then one case per request for health
advice, 1 to 7 tracked teams per request (about 3.9), each item's fate drawn from how long ago it
fell due. The state is "the sweep ran on every working day up to BENCH_PREVIOUS_WORKING_DAY": every
outstanding item's stage, dates and `next_action_on` are what the timing rules give as of that day,
with the escalations, stage changes, letters and emails those runs made. What falls due on
BENCH_TODAY (a few thousand items at national scale) is left for the sweep to take.

Speed: bulk loads run with `session_replication_role = replica` (no FK trigger per row; the data is
consistent by construction), `synchronous_commit = off`, the big tables' secondary indexes dropped
and rebuilt after the load, then VACUUM ANALYZE so index-only scans work at once. Tables stay logged.

Columns that are NOT NULL with only a Django (Python-side) default get that default written out
explicitly (`_fill`): raw SQL does not see Django defaults.
"""

from .base import CALENDAR_TABLE, DUE_TABLE, META_TABLE, SCALES, BenchDataRefused, Scale, built_scale, meta, wipe
from .build import build

__all__ = [
    "CALENDAR_TABLE",
    "DUE_TABLE",
    "META_TABLE",
    "SCALES",
    "BenchDataRefused",
    "Scale",
    "build",
    "built_scale",
    "meta",
    "wipe",
]
