"""Benchmarks (issue 8): the app's own code paths against hand-written SQL floors, in the same run.

`python manage.py bench_data --scale tiny|la|national` builds the data set with set-based SQL
(bench.data); `python manage.py bench` builds it if missing, into a database of its own, and runs
the scenarios (bench.scenarios) against their floors (bench.floors) with bench.harness.
"""

import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# The data set is built around a fixed day so that figures from different runs compare: a
# Wednesday with working days either side, no bank holiday near. The scenarios run with the
# clock moved to BENCH_NOW (time_machine), so the app's `timezone.localdate()` agrees with the data.
BENCH_TODAY = datetime.date(2026, 11, 25)
BENCH_NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
# The data set is "the sweep ran on every working day up to and including this one".
BENCH_PREVIOUS_WORKING_DAY = datetime.date(2026, 11, 24)
BENCH_PREVIOUS_NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
# Every LA's next weekly digest: the Monday after BENCH_TODAY, so no scenario sends one by accident.
BENCH_NEXT_DIGEST = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
