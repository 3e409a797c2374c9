"""B1, B2a, B2b: the sweep, idle and with the day's work, against its set-based floor."""

import datetime

from django.conf import settings
from django.db import connection

from .. import BENCH_NOW, BENCH_PREVIOUS_NOW, BENCH_PREVIOUS_WORKING_DAY, LONDON, data, floors
from ..harness import Run, Scenario, raw_cursor
from .common import need, rolled_back, target_note


def _clock():
    import time

    return time.perf_counter()


# B1 ----------------------------------------------------------------------------------------------


class SweepIdle(Scenario):
    code = "B1"
    title = "sweep tick, nothing due"
    target = "<= 20 ms"

    def floor(self, ctx, cursor):
        return floors.sweep_nothing_due(cursor, today=BENCH_PREVIOUS_WORKING_DAY, now=BENCH_PREVIOUS_NOW)

    def app(self, ctx):
        sweep_run = need("escalation.sweep", "sweep_run", "sweep_run(now=...) runs every LA's timers once")
        # The data set is as the sweep left it after its run on the previous working day: run it again
        # then, when nothing is due.
        report = sweep_run(now=BENCH_PREVIOUS_NOW)
        counts = getattr(report, "counts", {}) or {}
        return sum(counts.values())

    def rows(self, result):
        return result

    def notes(self, outcome):
        return [target_note("app median", outcome.app_stat("median"), 20)]


# B2 ----------------------------------------------------------------------------------------------


class SweepBatch(Scenario):
    """One batch of the sweep: the requests of the oldest due items of the largest LA, transitioned with
    their escalations, stage changes, letters and outbox rows. The day is the first one on which that
    LA has a full batch due (batch_items at this scale). Rolled back after each repetition."""

    code = "B2a"
    title = "sweep batch"
    target = "<= 2x the floor, <= 500 ms per 10,000 items"
    max_reps = 5
    # The tables a rolled-back sweep leaves dead row versions in.
    WRITTEN_TABLES = (
        "advice_adviceitem",
        "advice_advicerequest",
        "escalation_escalation",
        "escalation_stagechange",
        "escalation_letter",
        "ehc_outboundemail",
        "ehc_auditevent",
    )

    def teardown(self, ctx):
        # Every repetition updates thousands of items and rolls back: the dead versions it leaves in
        # the items' indexes made the index-only scans of the scenarios after it (B5's counts, at
        # national scale) visit the heap 300,000 times. Autovacuum clears them in production, where
        # nothing writes 10,000 rows a second only to roll them back; here it may not have run yet.
        # (Not inside a transaction, where VACUUM cannot run: tests/bench's.)
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            for table in self.WRITTEN_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")

    def prepare(self, ctx):
        scale = data.SCALES.get(ctx.scale)
        wanted = scale.batch_items if scale else 10_000
        cursor = raw_cursor()
        cursor.execute(
            """SELECT next_action_on, count(*) FROM advice_adviceitem
               WHERE local_authority_id = %s AND status = 'outstanding' AND next_action_on IS NOT NULL
               GROUP BY 1 ORDER BY 1""",
            [ctx.la_id],
        )
        running, day = 0, None
        for day, count in cursor.fetchall():  # noqa: B007 - the loop leaves `day` where the batch fills
            running += count
            if running >= wanted:
                break
        cursor.execute(f"SELECT on_or_after FROM {data.CALENDAR_TABLE} WHERE day = %s", [max(day, ctx.today)])
        self.day = cursor.fetchone()[0]
        self.now = datetime.datetime.combine(self.day, datetime.time(10, 0), tzinfo=LONDON)
        self.limit = min(wanted, running)
        self.la_id = ctx.la_id
        self.title = f"sweep batch of {self.limit:,} due items on {self.day:%d %b}"
        self._candidates(cursor)
        cursor.close()

    def _candidates(self, cursor):
        cursor.execute(
            """SELECT id FROM advice_adviceitem WHERE status = 'outstanding' AND next_action_on <= %s
               AND local_authority_id = %s""",
            [self.day, self.la_id],
        )
        self.item_ids = [row[0] for row in cursor.fetchall()]
        self.flag_candidates = []
        self.marks = floors.high_water_marks(cursor)
        self.before = floors.sweep_snapshot(cursor, item_ids=self.item_ids, since=self.marks)["items"]

    def _snapshot(self):
        cursor = raw_cursor()
        snapshot = floors.sweep_snapshot(
            cursor, item_ids=self.item_ids, since=self.marks, flagged_candidates=self.flag_candidates
        )
        cursor.close()
        return snapshot

    def floor(self, ctx, cursor):
        with rolled_back():
            started = _clock()
            floors.sweep_transition(
                cursor,
                today=self.day,
                now=self.now,
                la_id=self.la_id,
                limit=self.limit,
                site_url=settings.SITE_URL,
            )
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def app(self, ctx):
        sweep_batch = need("escalation.sweep", "sweep_batch", "sweep_batch(la=, rules=, today=, report=, limit=)")
        SweepReport = need("escalation.sweep", "SweepReport", "the sweep's report")
        TimerRules = need("escalation.rules", "TimerRules", "TimerRules.for_la(la)")
        from ehc.models import Organisation

        la = Organisation.objects.get(pk=self.la_id)
        with rolled_back():
            started = _clock()
            rules = TimerRules.for_la(la)
            report = SweepReport(now=self.now, today=self.day)
            sweep_batch(la=la, rules=rules, today=self.day, report=report, limit=self.limit)
            # The sweep's second phase writes the letters and emails of the new escalations, as the
            # floor does in the same statement sequence.
            messages_queue = need("escalation.sweep", "messages_queue", "messages_queue(la=, rules=, report=, failed=)")
            chunk = need("escalation.sweep", "MESSAGES_BATCH", "the messages chunk the sweep claims")
            failed = set()
            # As the sweep does: a chunk shorter than the claim limit took every escalation waiting.
            while messages_queue(la=la, rules=rules, report=report, failed=failed) >= chunk:
                pass
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def compare(self, floor_result, app_result):
        differences = [key for key in floor_result if floor_result[key] != app_result.get(key)]
        if not differences:
            return None
        parts = []
        for key in differences:
            mine, theirs = floor_result[key], app_result.get(key)
            if isinstance(mine, list):
                only_floor = [row for row in mine if row not in theirs][:3]
                only_app = [row for row in theirs if row not in mine][:3]
                parts.append(f"{key}: {len(mine)} vs {len(theirs)}; floor only {only_floor}; app only {only_app}")
            else:
                parts.append(f"{key}: floor {mine} vs app {theirs}")
        return "; ".join(parts)

    def rows(self, result):
        before = dict((row[0], row) for row in self.before)
        return sum(1 for row in result["items"] if before.get(row[0]) != row)

    def notes(self, outcome):
        notes = []
        if outcome.rows:
            per_10k = outcome.app_stat("median") * 10_000 / outcome.rows if outcome.app_stat("median") else None
            notes.append(target_note("app median per 10,000 items moved", per_10k, 500))
        if outcome.ratio is not None:
            notes.append(target_note("app / floor", outcome.ratio, 2, unit="x"))
        return notes


class SweepBacklog(SweepBatch):
    """The whole due backlog of BENCH_TODAY, every LA, as one sweep run (items, letters, emails, and the
    once-only emails about response windows that passed)."""

    code = "B2b"
    title = "sweep, whole due backlog"
    target = "<= 2x the floor"
    max_reps = 3

    def prepare(self, ctx):
        self.day = ctx.today
        self.now = BENCH_NOW
        self.la_id = None
        self.limit = None
        cursor = raw_cursor()
        self._candidates(cursor)
        cursor.execute(
            """SELECT id FROM escalation_escalation WHERE responded_at IS NULL AND response_due_on IS NOT NULL
               AND response_due_on < %s AND NOT response_overdue_notified""",
            [self.day],
        )
        self.flag_candidates = [row[0] for row in cursor.fetchall()]
        cursor.close()
        self.title = f"sweep, whole due backlog ({len(self.item_ids):,} items due)"

    def _candidates(self, cursor):
        cursor.execute(
            "SELECT id FROM advice_adviceitem WHERE status = 'outstanding' AND next_action_on <= %s", [self.day]
        )
        self.item_ids = [row[0] for row in cursor.fetchall()]
        self.marks = floors.high_water_marks(cursor)
        self.before = floors.sweep_snapshot(cursor, item_ids=self.item_ids, since=self.marks)["items"]

    def floor(self, ctx, cursor):
        with rolled_back():
            started = _clock()
            floors.sweep_transition(cursor, today=self.day, now=self.now, site_url=settings.SITE_URL, responses=True)
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def app(self, ctx):
        sweep_run = need("escalation.sweep", "sweep_run", "sweep_run(now=...) runs every LA's timers once")
        with rolled_back():
            started = _clock()
            sweep_run(now=self.now)
            elapsed = _clock() - started
            return Run(self._snapshot(), elapsed)

    def notes(self, outcome):
        if outcome.ratio is None:
            return []
        return [target_note("app / floor", outcome.ratio, 2, unit="x")]
