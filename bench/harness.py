"""Timing: each scenario's floor and app side, alternated, several repetitions, min / median / p95.

The first call of each side is untimed: it warms caches, counts the app's queries (Django's
CaptureQueriesContext) and the floor's statements, and gives the two results to compare. A
scenario whose app and floor disagree is reported as a mismatch: its timings compare nothing.
"""

import datetime
import math
import platform
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class Skip(Exception):
    """The scenario cannot run here (the code it measures is not merged yet, or the data lacks it)."""


@dataclass
class Run:
    """What one call of a side returns: the result to compare, and optionally its own timing (seconds)
    when the side must leave something out (e.g. the rollback that makes a write scenario repeatable)."""

    result: object
    elapsed: float | None = None


class CountingCursor:
    """A plain psycopg2 cursor on the same connection, counting statements: what the floors use."""

    def __init__(self, raw):
        self.raw = raw
        self.statements = 0

    def execute(self, sql, params=None):
        self.statements += 1
        return self.raw.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self.raw, name)


class Scenario:
    code = ""
    title = ""
    target = ""
    # Repetitions: the run's --reps, raised to this many for scenarios whose target is a p95.
    min_reps = 0
    max_reps = None

    def prepare(self, ctx):
        """Find what the scenario needs; raise Skip with a reason when it cannot run."""

    def floor(self, ctx, cursor):
        raise NotImplementedError

    def app(self, ctx):
        raise NotImplementedError

    def compare(self, floor_result, app_result) -> str | None:
        """None when the two results are the same; otherwise what differs."""
        return None if floor_result == app_result else f"floor {floor_result!r} != app {app_result!r}"

    def rows(self, result) -> int | None:
        try:
            return len(result)
        except TypeError:
            return None

    def notes(self, outcome) -> list[str]:
        return []

    def teardown(self, ctx):
        pass


@dataclass
class Outcome:
    code: str
    title: str
    target: str
    status: str = "ok"  # ok, mismatch, skipped, error
    rows: int | None = None
    floor_ms: list = field(default_factory=list)
    app_ms: list = field(default_factory=list)
    floor_queries: int | None = None
    app_queries: int | None = None
    app_sql: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    details: list = field(default_factory=list)

    @staticmethod
    def _stat(values, which):
        if not values:
            return None
        ordered = sorted(values)
        if which == "min":
            return ordered[0]
        if which == "median":
            return statistics.median(ordered)
        if which == "p95":
            return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        raise ValueError(which)

    def floor_stat(self, which):
        return self._stat(self.floor_ms, which)

    def app_stat(self, which):
        return self._stat(self.app_ms, which)

    @property
    def ratio(self):
        floor, app = self.floor_stat("median"), self.app_stat("median")
        if floor and app is not None:
            return app / floor
        return None


def _timed(function, *args):
    started = time.perf_counter()
    run = function(*args)
    elapsed = time.perf_counter() - started
    if isinstance(run, Run):
        return run.result, (run.elapsed if run.elapsed is not None else elapsed)
    return run, elapsed


def raw_cursor():
    connection.ensure_connection()
    return CountingCursor(connection.connection.cursor())


def run_scenario(scenario, ctx, *, reps=5, out=None) -> Outcome:
    outcome = Outcome(code=scenario.code, title=scenario.title, target=scenario.target)
    reps = max(reps, scenario.min_reps)
    if scenario.max_reps:
        reps = min(reps, scenario.max_reps)
    try:
        scenario.prepare(ctx)
    except Skip as exc:
        outcome.status = "skipped"
        outcome.notes.append(str(exc))
        return outcome
    try:
        has_floor = type(scenario).floor is not Scenario.floor
        floor_result = None
        if has_floor:
            cursor = raw_cursor()
            floor_result, _ = _timed(scenario.floor, ctx, cursor)
            outcome.floor_queries = cursor.statements
            cursor.close()
        try:
            with CaptureQueriesContext(connection) as captured:
                app_result, _ = _timed(scenario.app, ctx)
        except Skip as exc:
            outcome.status = "skipped"
            outcome.notes.append(str(exc))
            outcome.rows = scenario.rows(floor_result) if has_floor else None
            if has_floor:
                outcome.floor_ms = _repeat(lambda: _floor_once(scenario, ctx), reps)
            return outcome
        outcome.app_queries = len(captured.captured_queries)
        outcome.app_sql = [query["sql"] for query in captured.captured_queries]
        outcome.rows = scenario.rows(app_result)
        if has_floor:
            difference = scenario.compare(floor_result, app_result)
            if difference:
                outcome.status = "mismatch"
                outcome.notes.append(f"app and floor differ: {difference}"[:600])
        for _ in range(reps):
            if has_floor:
                outcome.floor_ms.append(_floor_once(scenario, ctx))
            _, elapsed = _timed(scenario.app, ctx)
            outcome.app_ms.append(elapsed * 1000)
        outcome.notes += scenario.notes(outcome)
    except Exception as exc:  # noqa: BLE001 - one scenario's failure is reported, the others still run
        import traceback

        outcome.status = "error"
        outcome.notes.append(f"{type(exc).__name__}: {exc}"[:600])
        outcome.details.append(traceback.format_exc())
        if connection.in_atomic_block is False and connection.connection is not None:
            try:
                connection.connection.rollback()
            except Exception:  # noqa: BLE001
                pass
    finally:
        scenario.teardown(ctx)
    return outcome


def _floor_once(scenario, ctx):
    cursor = raw_cursor()
    try:
        _, elapsed = _timed(scenario.floor, ctx, cursor)
    finally:
        cursor.close()
    return elapsed * 1000


def _repeat(function, reps):
    return [function() for _ in range(reps)]


# Printing and the results file ------------------------------------------------------------------


def _ms(value):
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _pair(outcome, side):
    stat = outcome.floor_stat if side == "floor" else outcome.app_stat
    if stat("min") is None:
        return "-"
    return f"{_ms(stat('min'))} / {_ms(stat('median'))}"


def table_rows(outcomes):
    header = ["scenario", "rows", "floor ms (min / median)", "app ms (min / median)", "ratio", "queries", "status"]
    rows = [header]
    for outcome in outcomes:
        queries = "-" if outcome.app_queries is None else str(outcome.app_queries)
        if outcome.floor_queries is not None:
            queries += f" (floor {outcome.floor_queries})"
        ratio = outcome.ratio
        rows.append(
            [
                f"{outcome.code} {outcome.title}",
                "-" if outcome.rows is None else f"{outcome.rows:,}",
                _pair(outcome, "floor"),
                _pair(outcome, "app"),
                "-" if ratio is None else f"{ratio:.2f}x",
                queries,
                outcome.status,
            ]
        )
    return rows


def format_table(outcomes) -> str:
    rows = table_rows(outcomes)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_notes(outcomes) -> str:
    lines = []
    for outcome in outcomes:
        for note in outcome.notes:
            lines.append(f"{outcome.code}: {note}")
    return "\n".join(lines)


def markdown(outcomes, *, scale, meta, reps, started_at: datetime.datetime, wall_seconds) -> str:
    rows = table_rows(outcomes)
    lines = [
        f"## {scale} scale, run at {started_at:%H:%M} UTC ({wall_seconds:.0f} s, {reps} repetitions)",
        "",
        f"Machine: {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000}. Data set: "
        + ", ".join(f"{key} {value}" for key, value in sorted(meta.items())),
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "|".join("---" for _ in rows[0]) + "|",
    ]
    for row in rows[1:]:
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    lines.append("")
    lines.append("Targets (issue 8, national data set):")
    lines.append("")
    for outcome in outcomes:
        lines.append(f"- {outcome.code} {outcome.title}: {outcome.target}")
    notes = [(outcome.code, note) for outcome in outcomes for note in outcome.notes]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {code}: {note}" for code, note in notes]
    for outcome in outcomes:
        if outcome.details:
            lines += ["", f"### {outcome.code} details", ""]
            for detail in outcome.details:
                lines += ["```", detail.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def _cpus():
    import os

    return os.cpu_count()


def write_results(text, *, day: datetime.date) -> Path:
    """Append this run's section to bench/results/<date>.md."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{day.isoformat()}.md"
    existing = path.read_text() if path.exists() else f"# Benchmark results, {day:%d %B %Y}\n\n"
    path.write_text(existing.rstrip("\n") + "\n\n" + text)
    return path
