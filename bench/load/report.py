"""The load test's figures from Locust's CSV files and the sampler: the table printed and appended
to bench/results/<date>.md (beside the benches', bench.harness.write_results)."""

import csv
import datetime
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

TARGET_P95_MS = 300
MB = 1024 * 1024
# Celery's line when a task has run: "Task escalation.tasks.sweep_task[<id>] succeeded in 0.05s: None".
SWEEP_DONE = re.compile(
    r"^\S+ worker\.\d+\s+\| (\S+ \S+?),\d+ .*escalation\.tasks\.sweep_task\[[^\]]+\] succeeded in ([\d.]+)s"
)


@dataclass
class Page:
    name: str
    method: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float

    @property
    def met(self):
        return self.p95 <= TARGET_P95_MS


@dataclass
class Result:
    users: int
    spawn_rate: float
    seconds: int
    started: float
    finished: float
    pages: list
    total: Page
    failures: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)
    sampler: object = None
    sweeps: list = field(default_factory=list)
    locust_code: int = 0

    @property
    def errors(self):
        return self.total.failures + sum(count for count, _ in self.exceptions)

    @classmethod
    def read(cls, prefix, *, users, spawn_rate, seconds, started, finished, sampler, log, locust_code):
        pages, total = [], None
        with open(f"{prefix}_stats.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                page = Page(
                    name=row["Name"],
                    method=row["Type"],
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    p50=_ms(row["50%"]),
                    p95=_ms(row["95%"]),
                    p99=_ms(row["99%"]),
                    rps=float(row["Requests/s"] or 0),
                )
                if row["Name"] == "Aggregated":
                    total = page
                else:
                    pages.append(page)
        failures = _rows(
            f"{prefix}_failures.csv",
            lambda row: (int(row["Occurrences"]), f"{row['Method']} {row['Name']}: {row['Error']}"),
        )
        exceptions = _rows(f"{prefix}_exceptions.csv", lambda row: (int(row["Count"]), row["Message"]))
        return cls(
            users=users,
            spawn_rate=spawn_rate,
            seconds=seconds,
            started=started,
            finished=finished,
            pages=sorted(pages, key=lambda page: (page.name, page.method)),
            total=total,
            failures=failures,
            exceptions=exceptions,
            sampler=sampler,
            sweeps=sweeps_in(log, started, finished),
            locust_code=locust_code,
        )


def _ms(value):
    return float(value) if value not in ("", "N/A") else 0.0


def _rows(path, make):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        return [make(row) for row in csv.DictReader(handle)]


def sweeps_in(log, started, finished):
    """The sweeps the worker finished during the run, as (time, seconds taken), from its log."""
    found = []
    try:
        lines = Path(log).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return found
    for line in lines:
        match = SWEEP_DONE.search(line)
        if match:
            found.append((match.group(1), float(match.group(2))))
    return found


def rows(result):
    header = ["page", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "p95 <= 300 ms"]
    body = []
    for page in result.pages:
        name = page.name if page.method == "GET" else f"{page.name} ({page.method})"
        body.append(
            [
                name,
                f"{page.requests:,}",
                str(page.failures),
                _f(page.p50),
                _f(page.p95),
                _f(page.p99),
                "met" if page.met else "missed",
            ]
        )
    t = result.total
    body.append(
        ["all pages", f"{t.requests:,}", str(t.failures), _f(t.p50), _f(t.p95), _f(t.p99), "met" if t.met else "missed"]
    )
    return header, body


def _f(value):
    return f"{value:.0f}"


def summary(result):
    s = result.sampler
    mem = ", ".join(
        f"{kind} {s.max_rss[kind] / MB:.0f} MB (all {s.processes[kind]}: {s.max_rss_total[kind] / MB:.0f} MB)"
        for kind in ("gunicorn worker", "gunicorn master", "celery worker", "celery beat")
        if kind in s.max_rss
    )
    busy = sum(s.cpu_busy) / len(s.cpu_busy) if s.cpu_busy else 0
    wall = result.finished - result.started
    sweep_times = [seconds for _, seconds in result.sweeps]
    lines = [
        f"Requests per second: {result.total.requests / wall:.1f} over {wall:.0f} s "
        f"({result.total.requests:,} requests; Locust's own figure {result.total.rps:.1f}/s)",
        f"Errors: {result.errors} (target 0): {result.total.failures} failed requests, "
        f"{sum(c for c, _ in result.exceptions)} journeys stopped by an exception",
        f"Database connections: at most {s.max_connections} open to the test's database "
        f"({s.max_active} active at once)",
        f"Memory (largest resident set per process, and all of its kind at once): {mem}",
        f"Sweeps during the run: {len(sweep_times)}"
        + (f", {min(sweep_times):.2f} to {max(sweep_times):.2f} s each" if sweep_times else ""),
        f"Machine load: 1-minute load average {s.load_before[0]:.1f} before, at most {s.max_load:.1f} during; "
        f"CPU {busy:.0f}% busy on average (all processes, the machine is shared)",
    ]
    if s.errors:
        lines.append(f"The sampler stopped: {'; '.join(s.errors)}")
    return lines


def table(result):
    header, body = rows(result)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip()]
    out.append("  ".join("-" * width for width in widths))
    out += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in body]
    out += ["", *summary(result)]
    for count, message in result.failures + result.exceptions:
        out.append(f"  {count} x {message}")
    return "\n".join(out)


def postgres_version(server_url):
    import psycopg2

    conn = psycopg2.connect(server_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0].split()[0]
    finally:
        conn.close()


def markdown(result, *, server_url):
    started = datetime.datetime.fromtimestamp(result.started, datetime.UTC)
    header, body = rows(result)
    lines = [
        f"## Load test (`make load`), run at {started:%H:%M} UTC: {result.users} users, "
        f"{result.seconds} s, spawned {result.spawn_rate:g}/s",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {postgres_version(server_url)}. gunicorn 3 sync workers (ehc.gunicorn_conf), Celery "
        "worker (concurrency 2) and beat with the sweep every 60 s; la bench data set.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    lines += ["", *(f"- {line}" for line in summary(result))]
    problems = result.failures + result.exceptions
    if problems:
        lines += ["", "Errors:", ""] + [f"- {count} x {message}" for count, message in problems]
    return "\n".join(lines) + "\n"


def write(result, *, server_url):
    from bench.harness import write_results

    return write_results(markdown(result, server_url=server_url), day=datetime.date.today())
