"""The build: the steps in order, with the bulk-load settings and index juggling around them."""

import datetime
import time

from django.db import DatabaseError, connection

from .. import BENCH_NEXT_DIGEST, BENCH_PREVIOUS_WORKING_DAY, BENCH_TODAY
from .advice import case_status, items, requests, returns
from .base import (
    CALENDAR_TABLE,
    DUE_TABLE,
    FIRST_NAMES,
    LAST_NAMES,
    META_TABLE,
    PROVIDER_SHARES,
    SCALES,
    SERVICES,
    TEAM_COUNT_CUMULATIVE,
    BenchDataRefused,
    Step,
    built_scale,
    log,
    table,
    wipe,
)
from .escalations import audit_and_history, emails, escalations, letters
from .organisations import organisations


def _try(cursor, statement, in_transaction):
    if in_transaction:
        cursor.execute(statement)
        return
    try:
        cursor.execute(statement)
    except DatabaseError:
        pass


def _check_may_build(cursor):
    if built_scale(cursor) is not None:
        return
    cursor.execute(
        f"SELECT (SELECT count(*) FROM {table('ehc.Organisation')}) + (SELECT count(*) FROM {table('ehc.User')})"
    )
    if cursor.fetchone()[0]:
        raise BenchDataRefused(
            f"Database {connection.settings_dict['NAME']!r} holds data that bench_data did not make: refusing to "
            "replace it. Use `python manage.py bench --scale ...`, which builds into a database of its own "
            "(<name>_bench_<scale>), or point DATABASE_URL at an empty database."
        )


# Index juggling around the bulk load ------------------------------------------------------------

BIG_TABLES = [
    "assessments.Child",
    "assessments.Case",
    "assessments.HistoricalCase",
    "advice.AdviceRequest",
    "advice.AdviceItem",
    "advice.AdviceReturn",
    "escalation.Escalation",
    "escalation.StageChange",
    "escalation.Letter",
    "ehc.OutboundEmail",
    "ehc.AuditEvent",
]


def _drop_secondary_indexes(cursor, tables):
    """Drop indexes that back no constraint; return their definitions to rebuild."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        """,
        [tables],
    )
    definitions = cursor.fetchall()
    for name, _definition in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in definitions]


# The working-day calendar, as a table the floors can join -------------------------------------


def _build_calendar(cursor, start, end):
    """bench_calendar: for each day, the working-day arithmetic of ehc.workdays (no LA closure days,
    which the bench data does not have). The floors join it instead of looping in Python."""
    from ehc.workdays import WorkingCalendar

    calendar = WorkingCalendar()
    cursor.execute(
        f"""CREATE TABLE {CALENDAR_TABLE} (
            day date PRIMARY KEY, is_working boolean NOT NULL, on_or_after date NOT NULL,
            after date NOT NULL, plus3 date NOT NULL, plus10 date NOT NULL)"""
    )
    rows = []
    day = start
    while day <= end:
        rows.append(
            (
                day,
                calendar.is_working_day(day),
                calendar.on_or_after(day),
                calendar.after(day),
                calendar.add_working_days(day, 3),
                calendar.add_working_days(day, 10),
            )
        )
        day += datetime.timedelta(days=1)
    cursor.executemany(f"INSERT INTO {CALENDAR_TABLE} VALUES (%s, %s, %s, %s, %s, %s)", rows)
    # Per due date: the dates the default timing rules (LocalAuthoritySettings defaults) give.
    cursor.execute(
        f"""CREATE TABLE {DUE_TABLE} AS
        SELECT c.day AS due_on,
               c.after AS chase_on,
               e1.on_or_after AS esc1_on,
               e1x.plus3 AS esc1_response_due,
               e2.on_or_after AS esc2_on,
               e2x.plus10 AS hos_due
        FROM {CALENDAR_TABLE} c
        JOIN {CALENDAR_TABLE} e1 ON e1.day = c.day + 14
        JOIN {CALENDAR_TABLE} e1x ON e1x.day = e1.on_or_after
        JOIN {CALENDAR_TABLE} e2 ON e2.day = e1.on_or_after + 14
        JOIN {CALENDAR_TABLE} e2x ON e2x.day = e2.on_or_after"""
    )
    cursor.execute(f"ALTER TABLE {DUE_TABLE} ADD PRIMARY KEY (due_on)")


def _params(scale):
    today = BENCH_TODAY
    yesterday = BENCH_PREVIOUS_WORKING_DAY
    oldest_notified = today - datetime.timedelta(days=scale.history_days)
    params = {
        "today": today,
        "yesterday": yesterday,
        "next_digest": BENCH_NEXT_DIGEST,
        "oldest": oldest_notified,
        "history_days": scale.history_days,
        "requests": scale.requests,
        "n_las": scale.las,
        "n_providers": scale.providers,
        "tpp": scale.teams_per_provider,
        "officers": scale.officers_per_la,
        "ppl": min(scale.providers_per_la, scale.providers),
        "stride": max(1, scale.providers // max(1, min(scale.providers_per_la, scale.providers))),
        "first_names": FIRST_NAMES,
        "last_names": LAST_NAMES,
        "n_first": len(FIRST_NAMES),
        "n_last": len(LAST_NAMES),
        "services": [code for code, _ in SERVICES],
        "service_names": [name for _, name in SERVICES],
        "site": "https://ehc.bench.example",
    }
    shares = PROVIDER_SHARES[: params["ppl"]]
    total = sum(shares)
    cumulative, running = [], 0.0
    for share in shares[:-1]:
        running += share / total
        cumulative.append(running)
    params["provider_cumulative"] = cumulative + [1.0]
    params["team_cumulative"] = TEAM_COUNT_CUMULATIVE

    # ids: ICB 1, LAs 2.., providers after; users in blocks (see _users)
    icb_id = 1
    params["icb_id"] = icb_id
    params["la_base"] = 1  # LA i (0-based) has id la_base + 1 + i
    params["provider_base"] = 1 + scale.las  # provider p has id provider_base + 1 + p
    la_user_block = scale.officers_per_la + 2  # officers, business support, AD
    params["la_user_block"] = la_user_block
    params["u_la_base"] = 0
    params["u_provider_base"] = scale.las * la_user_block  # spoc = +1 + 2p, head of service = +2 + 2p
    params["u_team_base"] = params["u_provider_base"] + 2 * scale.providers  # practitioner of team t = +t
    params["u_dco"] = params["u_team_base"] + scale.providers * scale.teams_per_provider + 1

    return params


# The build --------------------------------------------------------------------------------------


def build(scale_name: str, *, out=print, seed=0.42) -> dict:
    """Build the data set into the current database. Returns the counts written to bench_meta."""
    scale = SCALES[scale_name]
    started = time.perf_counter()
    in_transaction = connection.in_atomic_block
    bulk = scale.requests >= 20_000
    params = _params(scale)
    today = params["today"]
    oldest_notified = params["oldest"]

    log(out, f"Building the {scale.name} bench data set into {connection.settings_dict['NAME']!r}")
    log(
        out,
        f"  {scale.requests:,} requests, {scale.las} LA(s), {scale.providers} providers, "
        f"{scale.providers * scale.teams_per_provider:,} teams; today is {today:%A %d %B %Y}",
    )
    with connection.cursor() as cursor:
        _check_may_build(cursor)
        with Step(out, "removing the previous bench data"):
            wipe(cursor)
        cursor.execute("SET synchronous_commit = off")
        # JIT compiling these wide INSERT ... SELECTs costs far more than it saves.
        cursor.execute("SET jit = off")
        cursor.execute("SET TIME ZONE 'Europe/London'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET work_mem = '64MB'")
        # No FK trigger per row during the load: every reference is made consistent by construction.
        # It needs a superuser; without one the load is slower (deferred FK checks), not wrong.
        _try(cursor, "SET session_replication_role = replica", in_transaction)
        cursor.execute("SELECT setseed(%s)", [seed])
        try:
            dropped = []
            if bulk:
                dropped = _drop_secondary_indexes(cursor, [table(label) for label in BIG_TABLES])
            # Each step reads what the previous ones wrote: fresh statistics keep the planner from
            # nested loops over tables it believes empty.
            steps = [
                (
                    "working-day calendar",
                    lambda: _build_calendar(
                        cursor, oldest_notified - datetime.timedelta(days=200), today + datetime.timedelta(days=400)
                    ),
                    [CALENDAR_TABLE, DUE_TABLE],
                ),
                (
                    "organisations, teams, users and permissions",
                    lambda: organisations(cursor, scale, params),
                    ["ehc.Organisation", "ehc.Team", "ehc.User", "ehc.LocalAuthoritySettings"],
                ),
                (
                    f"cases and requests ({scale.requests:,})",
                    lambda: requests(cursor, scale, params),
                    ["assessments.Child", "assessments.Case", "advice.AdviceRequest"],
                ),
                ("advice items", lambda: items(cursor, params), ["advice.AdviceItem"]),
                ("case status from the advice", lambda: case_status(cursor, params), []),
                (
                    "escalations, stage changes",
                    lambda: escalations(cursor, params),
                    ["escalation.Escalation", "escalation.StageChange"],
                ),
                ("escalation 1 letters", lambda: letters(cursor, params), ["escalation.Letter"]),
                ("emails (outbox)", lambda: emails(cursor, params), []),
                ("advice returns", lambda: returns(cursor, params), []),
                ("audit trail and case history", lambda: audit_and_history(cursor, params), []),
            ]
            for label, run, analyse in steps:
                with Step(out, label):
                    run()
                    for name in analyse:
                        cursor.execute(f"ANALYZE {name if '.' not in name else table(name)}")
            with Step(out, "identity sequences"):
                _sequences(cursor)
            if dropped:
                _try(cursor, "SET session_replication_role = DEFAULT", in_transaction)
                with Step(out, f"rebuilding {len(dropped)} indexes"):
                    for definition in dropped:
                        cursor.execute(definition)
        finally:
            _try(cursor, "SET session_replication_role = DEFAULT", in_transaction)
            cursor.execute("SET TIME ZONE 'UTC'")  # what Django set on connecting (USE_TZ)
            cursor.execute("DROP TABLE IF EXISTS bench_req")
        counts = _counts(cursor)
        counts.update(
            {
                "scale": scale.name,
                "bench_today": today.isoformat(),
                "built_seconds": f"{time.perf_counter() - started:.0f}",
            }
        )
        cursor.execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
        cursor.executemany(f"INSERT INTO {META_TABLE} VALUES (%s, %s)", [(k, str(v)) for k, v in counts.items()])
        if not in_transaction:
            with Step(out, "VACUUM ANALYZE"):
                for label in BIG_TABLES + ["ehc.User", "ehc.Organisation", "ehc.Team"]:
                    cursor.execute(f"VACUUM (ANALYZE) {table(label)}")
        else:
            cursor.execute("ANALYZE")
    counts["built_seconds"] = f"{time.perf_counter() - started:.0f}"
    if not in_transaction:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {META_TABLE} SET value = %s WHERE key = 'built_seconds'", [counts["built_seconds"]])
    log(
        out,
        "Done in {built_seconds} s: {requests} requests, {items} items ({outstanding} outstanding, "
        "{overdue} overdue, {due_now} due now)".format(**counts),
    )
    return counts


def _sequences(cursor):
    for label in [
        "ehc.Organisation", "ehc.Team", "ehc.User", "assessments.Child", "assessments.Case", "advice.AdviceRequest"
    ]:
        db_table = table(label)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{db_table}', 'id'), coalesce((SELECT max(id) FROM {db_table}), 1))"
        )


def _counts(cursor) -> dict:
    cursor.execute(
        """SELECT (SELECT count(*) FROM advice_advicerequest),
                  count(*), count(*) FILTER (WHERE status = 'outstanding'),
                  count(*) FILTER (WHERE status = 'outstanding' AND due_on < %(today)s),
                  count(*) FILTER (WHERE status = 'outstanding' AND next_action_on <= %(today)s)
           FROM advice_adviceitem""",
        {"today": BENCH_TODAY},
    )
    requests, items, outstanding, overdue, due_now = cursor.fetchone()
    counts = {
        "requests": requests,
        "items": items,
        "outstanding": outstanding,
        "overdue": overdue,
        "due_now": due_now,
    }
    for key, label in [
        ("organisations", "ehc.Organisation"),
        ("teams", "ehc.Team"),
        ("users", "ehc.User"),
        ("escalations", "escalation.Escalation"),
        ("stage_changes", "escalation.StageChange"),
        ("letters", "escalation.Letter"),
        ("emails", "ehc.OutboundEmail"),
    ]:
        cursor.execute(f"SELECT count(*) FROM {table(label)}")
        counts[key] = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ehc_organisation WHERE kind = 'provider'")
    counts["providers"] = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ehc_organisation WHERE kind = 'la'")
    counts["local_authorities"] = cursor.fetchone()[0]
    return counts
