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

import datetime
import time
from dataclasses import dataclass

from django.apps import apps
from django.db import DatabaseError, connection

from . import BENCH_NEXT_DIGEST, BENCH_PREVIOUS_WORKING_DAY, BENCH_TODAY

META_TABLE = "bench_meta"
CALENDAR_TABLE = "bench_calendar"
DUE_TABLE = "bench_due"

SERVICES = [
    ("slt", "Speech and language therapy"),
    ("ot", "Occupational therapy"),
    ("physio", "Physiotherapy"),
    ("paeds", "Community paediatrics"),
    ("camhs", "CAMHS"),
    ("nursing", "Specialist nursing"),
    ("phn", "Public health nursing"),
    ("orthoptics", "Orthoptics"),
]
FIRST_NAMES = (
    "Alfie Amara Archie Aria Bea Caleb Chloe Dylan Ebony Elliot Erin Ezra Freya Gabriel Harper Isaac Isla "
    "Jacob Kai Layla Leo Lily Logan Maya Mason Nia Noah Olive Oscar Poppy Reuben Rosa Rowan Sienna Theo Zara"
).split()
LAST_NAMES = (
    "Ashdown Barrowby Calder Dunmore Elsworth Fenwick Garside Hartigan Ingleby Jarrow Kettering Larkspur "
    "Merriweather Norbury Oakhurst Pemberton Quarrie Rushmere Saltram Thistlewood Underhill Varley Westacott"
).split()


@dataclass(frozen=True)
class Scale:
    name: str
    requests: int
    las: int
    providers: int
    teams_per_provider: int
    history_days: int
    officers_per_la: int
    providers_per_la: int
    # The one B2 batch: how many due items it claims at this scale.
    batch_items: int


SCALES = {
    "tiny": Scale("tiny", 600, 3, 3, 4, 240, 2, 3, batch_items=50),
    "la": Scale("la", 40_000, 1, 5, 8, 730, 20, 5, batch_items=10_000),
    "national": Scale("national", 1_000_000, 150, 160, 8, 730, 8, 4, batch_items=10_000),
}

# Share of a request's requests going to the LA's first, second, ... provider.
PROVIDER_SHARES = [0.70, 0.18, 0.07, 0.03, 0.02]
# Items per request: cumulative shares of 1..7 teams (mean about 3.9).
TEAM_COUNT_CUMULATIVE = [0.10, 0.25, 0.45, 0.65, 0.80, 0.92]


class BenchDataRefused(Exception):
    pass


def _log(out, message):
    if out is not None:
        out(message)


class Step:
    def __init__(self, out, label):
        self.out, self.label = out, label

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            _log(self.out, f"  {self.label:<52} {time.perf_counter() - self.started:7.1f} s")


def _table(label):
    return apps.get_model(label)._meta.db_table


def _fill(model_label, provided: dict[str, str], params: dict):
    """(columns, expressions) for an INSERT into the model's table: `provided` column -> SQL expression;
    every other NOT NULL column gets its Django default as a parameter. A NOT NULL column with no
    default and no value stops the build with its name rather than failing deep inside PostgreSQL."""
    model = apps.get_model(model_label)
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in provided:
            columns.append(column)
            expressions.append(provided[column])
        elif field.primary_key or field.null:
            continue
        elif field.has_default() or field.empty_strings_allowed:
            # As Django does on save: the field's default, or '' for a text column without one.
            name = f"default_{model._meta.db_table}_{column}"
            params[name] = field.get_db_prep_save(field.get_default(), connection)
            columns.append(column)
            expressions.append(f"%({name})s")
        else:
            raise BenchDataRefused(
                f"{model_label}.{field.name} is NOT NULL with no default: bench/data.py must give it a value"
            )
    unknown = set(provided) - {field.column for field in model._meta.concrete_fields}
    if unknown:
        raise BenchDataRefused(f"{model_label} has no column(s) {sorted(unknown)}: bench/data.py is out of date")
    return ", ".join(f'"{column}"' for column in columns), ", ".join(expressions)


def _insert(cursor, model_label, provided, from_sql, params):
    params = dict(params)
    columns, expressions = _fill(model_label, provided, params)
    cursor.execute(f"INSERT INTO {_table(model_label)} ({columns}) SELECT {expressions} {from_sql}", params)
    return cursor.rowcount


# Safety: never mix the bench data with anything else ---------------------------------------------


def _table_exists(cursor, name):
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def built_scale(cursor=None):
    """The scale this database was built at by bench_data, or None."""
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        if not _table_exists(cursor, META_TABLE):
            return None
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'scale'")
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        if own:
            cursor.close()


def meta(cursor=None) -> dict:
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        if not _table_exists(cursor, META_TABLE):
            return {}
        cursor.execute(f"SELECT key, value FROM {META_TABLE} ORDER BY key")
        return dict(cursor.fetchall())
    finally:
        if own:
            cursor.close()


def _data_tables():
    """Every table of the project's data, the join and permission tables included."""
    skip = {"django_migrations", "django_content_type", "auth_permission"}
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(tables - skip)


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
        f"SELECT (SELECT count(*) FROM {_table('ehc.Organisation')}) + (SELECT count(*) FROM {_table('ehc.User')})"
    )
    if cursor.fetchone()[0]:
        raise BenchDataRefused(
            f"Database {connection.settings_dict['NAME']!r} holds data that bench_data did not make: refusing to "
            "replace it. Use `python manage.py bench --scale ...`, which builds into a database of its own "
            "(<name>_bench_<scale>), or point DATABASE_URL at an empty database."
        )


def _wipe(cursor):
    tables = [META_TABLE, CALENDAR_TABLE, DUE_TABLE]
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
    # TRUNCATE, not DELETE: the audit trail refuses DELETE by design (ehc migration 0003).
    cursor.execute(f"TRUNCATE {', '.join(_data_tables())} RESTART IDENTITY CASCADE")


# Index juggling around the bulk load ------------------------------------------------------------

BIG_TABLES = [
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

    _log(out, f"Building the {scale.name} bench data set into {connection.settings_dict['NAME']!r}")
    _log(
        out,
        f"  {scale.requests:,} requests, {scale.las} LA(s), {scale.providers} providers, "
        f"{scale.providers * scale.teams_per_provider:,} teams; today is {today:%A %d %B %Y}",
    )
    with connection.cursor() as cursor:
        _check_may_build(cursor)
        with Step(out, "removing the previous bench data"):
            _wipe(cursor)
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
                dropped = _drop_secondary_indexes(cursor, [_table(label) for label in BIG_TABLES])
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
                    lambda: _organisations(cursor, scale, params),
                    ["ehc.Organisation", "ehc.Team", "ehc.User", "ehc.LocalAuthoritySettings"],
                ),
                (
                    f"cases and requests ({scale.requests:,})",
                    lambda: _requests(cursor, scale, params),
                    ["assessments.Case", "advice.AdviceRequest"],
                ),
                ("advice items", lambda: _items(cursor, params), ["advice.AdviceItem"]),
                ("case status from the advice", lambda: _case_status(cursor, params), []),
                (
                    "escalations, stage changes",
                    lambda: _escalations(cursor, params),
                    ["escalation.Escalation", "escalation.StageChange"],
                ),
                ("escalation 1 letters", lambda: _letters(cursor, params), ["escalation.Letter"]),
                ("emails (outbox)", lambda: _emails(cursor, params), []),
                ("advice returns", lambda: _returns(cursor, params), []),
                ("audit trail and case history", lambda: _audit_and_history(cursor, params), []),
            ]
            for label, run, analyse in steps:
                with Step(out, label):
                    run()
                    for table in analyse:
                        cursor.execute(f"ANALYZE {table if '.' not in table else _table(table)}")
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
                    cursor.execute(f"VACUUM (ANALYZE) {_table(label)}")
        else:
            cursor.execute("ANALYZE")
    counts["built_seconds"] = f"{time.perf_counter() - started:.0f}"
    if not in_transaction:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {META_TABLE} SET value = %s WHERE key = 'built_seconds'", [counts["built_seconds"]])
    _log(
        out,
        "Done in {built_seconds} s: {requests} requests, {items} items ({outstanding} outstanding, "
        "{overdue} overdue, {due_now} due now)".format(**counts),
    )
    return counts


def _at(date_sql, time_sql="09:30"):
    """A timestamptz at a London wall-clock time on a date expression (the build sets the session's
    time zone to Europe/London: a cast is cheaper than AT TIME ZONE on millions of rows)."""
    return f"(({date_sql}) + time '{time_sql}')::timestamptz"


def _organisations(cursor, scale, params):
    org = "ehc.Organisation"
    now = _at("%(today)s", "08:00")
    common = {"created_at": now, "updated_at": now, "is_active": "true"}
    _insert(
        cursor,
        org,
        {
            **common,
            "id": "%(icb_id)s",
            "name": "'Bench Shared Service Integrated Care Board'",
            "short_name": "'Bench ICB'",
            "kind": "'icb'",
        },
        "",
        params,
    )
    _insert(
        cursor,
        org,
        {
            **common,
            "id": "%(la_base)s + 1 + i",
            "name": "'Bench Council ' || lpad((i + 1)::text, 3, '0')",
            "short_name": "'BC' || (i + 1)",
            "kind": "'la'",
            "icb_id": "%(icb_id)s",
            "address": "'SEND Team' || chr(10) || 'Council Offices' || chr(10) || 'Bench Town ' || (i + 1)",
            "telephone": "'01632 960 ' || lpad(mod(i, 1000)::text, 3, '0')",
            "website": "'www.council' || (i + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_las)s - 1) i",
        params,
    )
    _insert(
        cursor,
        org,
        {
            **common,
            "id": "%(provider_base)s + 1 + p",
            "name": "'Bench Children''s Health ' || lpad((p + 1)::text, 3, '0')",
            "short_name": "'BCH' || (p + 1)",
            "kind": "'provider'",
            "address": "'Health Centre' || chr(10) || 'Bench Road' || chr(10) || 'Bench Town ' || (p + 1)",
            "spoc_email": "'spoc@provider' || (p + 1) || '.example'",
            "director_name": "'Robin Carrow'",
            "director_title": "'Alliance Director'",
            "director_email": "'director@provider' || (p + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_providers)s - 1) p",
        params,
    )
    # Provider (i * 1 + j * stride) mod P serves LA i, for its j-th share of the LA's requests.
    cursor.execute(
        f"""INSERT INTO {apps.get_model(org)._meta.get_field("served_las").remote_field.through._meta.db_table}
            (from_organisation_id, to_organisation_id)
            SELECT DISTINCT %(provider_base)s + 1 + mod(i + j * %(stride)s, %(n_providers)s), %(la_base)s + 1 + i
            FROM generate_series(0, %(n_las)s - 1) i, generate_series(0, %(ppl)s - 1) j""",
        params,
    )
    _insert(
        cursor,
        "ehc.LocalAuthoritySettings",
        {
            "created_at": now,
            "updated_at": now,
            "local_authority_id": "%(la_base)s + 1 + i",
            "next_digest_at": "%(next_digest)s",
            "ad_education_name": "'Morgan Ellery'",
            "ad_education_email": "'ad.education@council' || (i + 1) || '.example'",
            "business_support_email": "'send.support@council' || (i + 1) || '.example'",
            "dco_office_email": "'dco.office@icb.example'",
            "letter_footer": "'Bench Council ' || (i + 1) || ', Council Offices, Bench Town'",
        },
        "FROM generate_series(0, %(n_las)s - 1) i",
        params,
    )
    # The SPOC digests' next instant (escalation.digest), the same Monday as every LA's.
    _insert(cursor, "escalation.DigestSchedule", {"name": "'spoc'", "next_at": "%(next_digest)s"}, "", params)
    _insert(
        cursor,
        "ehc.Team",
        {
            "created_at": now,
            "updated_at": now,
            "is_active": "true",
            "id": "1 + p * %(tpp)s + t",
            "provider_id": "%(provider_base)s + 1 + p",
            "name": "(%(service_names)s::text[])[1 + t]",
            "service": "(%(services)s::text[])[1 + t]",
            "email": "(%(services)s::text[])[1 + t] || '.team@provider' || (p + 1) || '.example'",
            "head_of_service_name": "'Sam Holloway'",
            "head_of_service_title": "'Head of Integrated Nursing and Therapies'",
            "head_of_service_email": "'head.of.service@provider' || (p + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_providers)s - 1) p, generate_series(0, %(tpp)s - 1) t",
        params,
    )
    _users(cursor, params)
    _permissions(cursor, params)


def _users(cursor, params):
    user_cols = {
        "password": "'!bench-unusable'",
        "is_superuser": "false",
        "is_staff": "false",
        "is_active": "true",
        "date_joined": _at("%(oldest)s"),
        "job_title": "job_title",
        "id": "id",
        "username": "username",
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "username || '@people.example'",
        "organisation_id": "organisation_id",
        "roles": "roles",
    }
    users = """FROM (
        SELECT %(u_la_base)s + 1 + i * %(la_user_block)s + r AS id,
               'la' || (i + 1) || CASE WHEN r < %(officers)s THEN '-officer' || (r + 1)
                                       WHEN r = %(officers)s THEN '-support' ELSE '-ad' END AS username,
               %(la_base)s + 1 + i AS organisation_id,
               CASE WHEN r < %(officers)s THEN ARRAY['case_officer'] WHEN r = %(officers)s
                    THEN ARRAY['business_support'] ELSE ARRAY['ad_education'] END::varchar[] AS roles,
               CASE WHEN r < %(officers)s THEN 'SEND case officer' WHEN r = %(officers)s
                    THEN 'SEND business support' ELSE 'Assistant Director of Education' END AS job_title,
               (%(first_names)s::text[])[1 + mod(i * 7 + r, %(n_first)s)] AS first_name,
               (%(last_names)s::text[])[1 + mod(i * 5 + r, %(n_last)s)] AS last_name
        FROM generate_series(0, %(n_las)s - 1) i, generate_series(0, %(la_user_block)s - 1) r
        UNION ALL
        SELECT %(u_provider_base)s + 1 + 2 * p + r,
               'provider' || (p + 1) || CASE WHEN r = 0 THEN '-spoc' ELSE '-head' END,
               %(provider_base)s + 1 + p,
               CASE WHEN r = 0 THEN ARRAY['spoc'] ELSE ARRAY['head_of_service'] END::varchar[],
               CASE WHEN r = 0 THEN 'Health single point of contact' ELSE 'Head of service' END,
               (%(first_names)s::text[])[1 + mod(p * 3 + r, %(n_first)s)],
               (%(last_names)s::text[])[1 + mod(p + r, %(n_last)s)]
        FROM generate_series(0, %(n_providers)s - 1) p, generate_series(0, 1) r
        UNION ALL
        SELECT %(u_team_base)s + t, 'team' || t || '-practitioner', %(provider_base)s + 1 + (t - 1) / %(tpp)s,
               ARRAY['practitioner']::varchar[], 'Health practitioner',
               (%(first_names)s::text[])[1 + mod(t, %(n_first)s)], (%(last_names)s::text[])[1 + mod(t * 3, %(n_last)s)]
        FROM generate_series(1, %(n_providers)s * %(tpp)s) t
        UNION ALL
        SELECT %(u_dco)s, 'icb-dco', %(icb_id)s, ARRAY['dco']::varchar[], 'Designated Clinical Officer',
               'Dana', 'Whitcombe'
    ) u"""
    _insert(cursor, "ehc.User", user_cols, users, params)
    through = apps.get_model("ehc.User")._meta.get_field("teams").remote_field.through._meta.db_table
    cursor.execute(
        f"""INSERT INTO {through} (user_id, team_id)
            SELECT %(u_team_base)s + t, t FROM generate_series(1, %(n_providers)s * %(tpp)s) t
            UNION ALL
            SELECT %(u_provider_base)s + 2 + 2 * ((t - 1) / %(tpp)s), t
            FROM generate_series(1, %(n_providers)s * %(tpp)s) t""",
        params,
    )


def _permissions(cursor, params):
    """What ehc.access.user_sync_permissions gives every user, written set-based: one members group per
    organisation (and a SPOC / DCO group), the organisation permissions on the groups, team permissions."""
    group_table = "auth_group"
    user_groups = apps.get_model("ehc.User")._meta.get_field("groups").remote_field.through._meta.db_table
    org_perm = _table("ehc.OrganisationGroupObjectPermission")
    team_perm = _table("ehc.TeamUserObjectPermission")
    cursor.execute(
        f"""INSERT INTO {group_table} (name)
            SELECT 'org-' || id || '-members' FROM ehc_organisation
            UNION ALL SELECT 'org-' || id || '-spoc' FROM ehc_organisation WHERE kind = 'provider'
            UNION ALL SELECT 'org-' || id || '-dco' FROM ehc_organisation WHERE kind = 'icb'"""
    )
    cursor.execute(
        f"""INSERT INTO {org_perm} (group_id, permission_id, content_object_id)
            SELECT g.id, p.id, o.id
            FROM ehc_organisation o
            JOIN {group_table} g ON g.name IN ('org-' || o.id || '-members', 'org-' || o.id || '-spoc',
                                               'org-' || o.id || '-dco')
            JOIN auth_permission p ON p.codename = CASE split_part(g.name, '-', 3)
                    WHEN 'members' THEN 'act_for_organisation' WHEN 'spoc' THEN 'act_as_spoc'
                    ELSE 'respond_as_dco' END
            JOIN django_content_type ct ON ct.id = p.content_type_id
                 AND ct.app_label = 'ehc' AND ct.model = 'organisation'"""
    )
    cursor.execute(
        f"""INSERT INTO {user_groups} (user_id, group_id)
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-members'
            UNION ALL
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-spoc'
            WHERE 'spoc' = ANY(u.roles)
            UNION ALL
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-dco'
            WHERE 'dco' = ANY(u.roles)"""
    )
    through = apps.get_model("ehc.User")._meta.get_field("teams").remote_field.through._meta.db_table
    cursor.execute(
        f"""INSERT INTO {team_perm} (user_id, permission_id, content_object_id)
            SELECT ut.user_id, p.id, ut.team_id
            FROM {through} ut JOIN ehc_user u ON u.id = ut.user_id
            JOIN auth_permission p ON p.codename = CASE WHEN 'head_of_service' = ANY(u.roles)
                 THEN 'answer_escalation' ELSE 'return_advice' END
            JOIN django_content_type ct ON ct.id = p.content_type_id AND ct.app_label = 'ehc' AND ct.model = 'team'"""
    )


def _requests(cursor, scale, params):
    """A staging table of requests (temp), then the cases and requests from it: one case per request."""
    cursor.execute("DROP TABLE IF EXISTS bench_req")

    def bucket(column, cumulative):
        # CASE over literal thresholds: far cheaper per row than a subquery over an array.
        whens = " ".join(f"WHEN {column} < {float(limit)!r} THEN {index}" for index, limit in enumerate(cumulative))
        return f"(CASE {whens} ELSE {len(cumulative)} END)"

    cursor.execute(
        f"""CREATE TEMP TABLE bench_req AS
        SELECT y.*, y.notified_on + 42 AS due_on, y.notified_on - y.notify_lag - y.decision_lag AS received_on,
               %(la_base)s + 1 + y.la_i AS la_id,
               %(provider_base)s + 1 + mod(y.la_i + y.p_i * %(stride)s, %(n_providers)s) AS provider_id,
               %(u_la_base)s + 1 + y.la_i * %(la_user_block)s + mod(y.id, %(officers)s) AS officer_id
        FROM (
            SELECT r AS id,
                   floor(%(n_las)s * power(u_la, 1.6))::int AS la_i,
                   {bucket("u_p", params["provider_cumulative"][:-1])} AS p_i,
                   %(today)s::date - floor(u_day * %(history_days)s)::int AS notified_on,
                   least(%(tpp)s, 1 + {bucket("u_k", params["team_cumulative"])}) AS k,
                   floor(random() * %(tpp)s)::int AS s,
                   1 + floor(random() * 9)::int AS ack_lag,
                   25 + floor(random() * 18)::int AS decision_lag,
                   floor(random() * 4)::int AS notify_lag,
                   2 + floor(random() * 16)::int AS age_years
            FROM (SELECT r, random() AS u_la, random() AS u_p, random() AS u_k, random() AS u_day
                  FROM generate_series(1, %(requests)s) r) g
        ) y""",
        params,
    )
    cursor.execute("ALTER TABLE bench_req ADD PRIMARY KEY (id)")
    cursor.execute("ANALYZE bench_req")
    draft_sent = "r.received_on + 110"
    _insert(
        cursor,
        "assessments.Case",
        {
            "id": "r.id",
            "created_at": _at("r.received_on", "09:00"),
            "updated_at": _at("r.notified_on", "09:00"),
            "reference": "'EHC-' || to_char(r.received_on, 'YYYY') || '-' || lpad(r.id::text, 7, '0')",
            "local_authority_id": "r.la_id",
            "case_officer_id": "r.officer_id",
            # Settled from the advice in _case_status; closed by default once the 20 weeks are well past.
            "status": "CASE WHEN r.received_on + 150 < %(today)s THEN 'plan_issued' "
            f"WHEN {draft_sent} < %(today)s THEN 'draft_plan' ELSE 'assessing' END",
            "first_name": "(%(first_names)s::text[])[1 + mod(r.id * 7, %(n_first)s)]",
            "last_name": "(%(last_names)s::text[])[1 + mod(r.id * 13, %(n_last)s)]",
            "date_of_birth": "r.received_on - r.age_years * 365 - mod(r.id, 300)::int",
            "postcode": "'BT' || (1 + mod(r.id, 9)) || ' ' || (1 + mod(r.id, 7)) || 'AB'",
            "setting": "'Bench Primary School ' || (1 + mod(r.id, 40))",
            "requested_by": "CASE WHEN mod(r.id, 10) < 6 THEN 'parent' ELSE 'setting' END",
            "received_on": "r.received_on",
            "family_views": "'The family want the people who know their child best to describe what helps.'",
            "decision_on": "r.received_on + r.decision_lag",
            "decided_to_assess": "true",
            "draft_plan_sent_on": f"CASE WHEN {draft_sent} < %(today)s THEN {draft_sent} END",
            "final_plan_issued_on": "CASE WHEN r.received_on + 150 < %(today)s THEN r.received_on + 140 END",
            "closed_on": "CASE WHEN r.received_on + 150 < %(today)s THEN r.received_on + 140 END",
            "next_statutory_date": "CASE WHEN r.received_on + 150 < %(today)s THEN NULL "
            f"WHEN {draft_sent} < %(today)s THEN r.received_on + 140 ELSE r.received_on + 125 END",
        },
        "FROM bench_req r",
        params,
    )
    acknowledged = "r.notified_on + r.ack_lag <= %(yesterday)s"
    _insert(
        cursor,
        "advice.AdviceRequest",
        {
            "id": "r.id",
            "created_at": _at("r.notified_on"),
            "updated_at": _at("r.notified_on"),
            "case_id": "r.id",
            "provider_id": "r.provider_id",
            "local_authority_id": "r.la_id",
            "services_named": "ARRAY[(%(services)s::text[])[1 + r.s]]::varchar[]",
            "message": "'Please send your advice using the Appendix C headings.'",
            "notified_on": "r.notified_on",
            "due_on": "r.due_on",
            "requested_by_id": "r.officer_id",
            "acknowledged_at": f"CASE WHEN {acknowledged} THEN {_at('r.notified_on + r.ack_lag', '11:00')} END",
            "acknowledged_by_id": f"CASE WHEN {acknowledged} THEN %(u_provider_base)s + 1 + 2 * (r.provider_id "
            "- %(provider_base)s - 1) END",
        },
        "FROM bench_req r",
        params,
    )


def _items(cursor, params):
    """Each item's fate by how long ago it fell due, then its stage and dates as of yesterday's sweep
    (outstanding) or as of the day before it closed (closed). About 10% end up outstanding."""
    outstanding_p = """CASE WHEN x.notified_on >= %(yesterday)s THEN 1.0
        WHEN x.age <= 0 THEN 0.85 WHEN x.age < 14 THEN 0.45 WHEN x.age < 28 THEN 0.25
        WHEN x.age < 60 THEN 0.12 ELSE 0.035 END"""
    delta = """CASE WHEN x.u3 < 0.62 THEN -floor(x.u3 * 32)::int
        WHEN x.u3 < 0.80 THEN 1 + floor((x.u3 - 0.62) * 72)::int
        WHEN x.u3 < 0.90 THEN 14 + floor((x.u3 - 0.80) * 170)::int
        ELSE 31 + floor((x.u3 - 0.90) * 300)::int END"""
    inner = f"""
        SELECT x.*, CASE WHEN x.u1 < {outstanding_p} THEN 'outstanding'
                         WHEN x.u2 < 0.93 THEN 'returned' WHEN x.u2 < 0.97 THEN 'not_provided'
                         WHEN x.u2 < 0.99 THEN 'removed' ELSE 'cancelled' END AS status,
               least(%(yesterday)s::date, greatest(x.notified_on + 1, x.due_on + {delta})) AS closed_date
        FROM (
            SELECT r.id AS request_id, r.provider_id, r.la_id, r.notified_on, r.due_on, r.ack_lag, j,
                   1 + (r.provider_id - %(provider_base)s - 1) * %(tpp)s + mod(r.s + j, %(tpp)s) AS team_id,
                   %(today)s::date - r.due_on AS age, random() AS u1, random() AS u2, random() AS u3,
                   random() AS u4, random() AS u5,
                   d.chase_on, d.esc1_on, d.esc2_on, d.hos_due
            FROM bench_req r CROSS JOIN LATERAL generate_series(0, r.k - 1) j
            JOIN {DUE_TABLE} d ON d.due_on = r.due_on
            ORDER BY r.id, j
        ) x"""
    staged = f"""
        SELECT y.*, CASE WHEN y.esc2_on < y.asof THEN 'escalation_2' WHEN y.esc1_on < y.asof THEN 'escalation_1'
                         WHEN y.chase_on < y.asof THEN 'chased' ELSE 'requested' END AS stage
        FROM (SELECT z.*, CASE WHEN z.status = 'outstanding' THEN %(today)s::date ELSE z.closed_date END AS asof
              FROM ({inner}) z) y"""
    is_out = "s.status = 'outstanding'"
    last_touched = "greatest(s.notified_on, least(s.asof - 1, %(yesterday)s))"
    hos_answered = f"{is_out} AND s.stage = 'escalation_2' AND s.hos_due < %(today)s AND s.u4 < 0.5"
    _insert(
        cursor,
        "advice.AdviceItem",
        {
            "created_at": _at("s.notified_on"),
            "updated_at": f"CASE WHEN {is_out} THEN {_at(last_touched, '10:00')} "
            f"ELSE {_at('s.closed_date', '12:00')} END",
            "request_id": "s.request_id",
            "team_id": "s.team_id",
            "provider_id": "s.provider_id",
            "local_authority_id": "s.la_id",
            "case_id": "s.request_id",
            "due_on": "s.due_on",
            "known_status": "CASE WHEN s.notified_on + s.ack_lag > %(yesterday)s THEN 'unconfirmed' "
            "WHEN s.u5 < 0.45 THEN 'known_open' WHEN s.u5 < 0.60 THEN 'known_closed' "
            "WHEN s.u5 < 0.85 THEN 'not_known' ELSE 'waiting_list' END",
            "named_by_family": "s.j < 2",
            "added_by_spoc": "s.j >= 2",
            "status": "s.status",
            "removed_reason": "CASE WHEN s.status = 'removed' THEN 'The child is not known to the team' ELSE '' END",
            "stage": "s.stage",
            "next_action_on": f"""CASE WHEN NOT {is_out} THEN NULL
                WHEN s.stage = 'requested' THEN CASE WHEN s.due_on >= %(today)s THEN s.due_on ELSE s.chase_on END
                WHEN s.stage = 'chased' THEN s.esc1_on WHEN s.stage = 'escalation_1' THEN s.esc2_on END""",
            "chased_on": "CASE WHEN s.stage <> 'requested' THEN s.chase_on END",
            "escalation_1_on": "CASE WHEN s.stage IN ('escalation_1', 'escalation_2') THEN s.esc1_on END",
            "escalation_2_on": "CASE WHEN s.stage = 'escalation_2' THEN s.esc2_on END",
            "head_of_service_response_due_on": "CASE WHEN s.stage = 'escalation_2' THEN s.hos_due END",
            "promised_on": f"CASE WHEN {hos_answered} THEN s.esc2_on + 20 + floor(s.u3 * 60)::int END",
            # Every promise passed before BENCH_TODAY counts as told already (escalation.promises): the
            # floors have no promise step, so no scenario sends one.
            "promise_passed_notified_on": f"CASE WHEN {hos_answered} AND s.esc2_on + 20 + floor(s.u3 * 60)::int "
            "< %(today)s THEN s.esc2_on + 20 + floor(s.u3 * 60)::int END",
            "delay_reason": f"CASE WHEN {hos_answered} THEN 'capacity' ELSE '' END",
            "delay_detail": f"CASE WHEN {hos_answered} THEN 'The team is short of staff this term.' ELSE '' END",
            "head_of_service_responded_at": f"CASE WHEN {hos_answered} THEN {_at('s.esc2_on + 4', '14:00')} END",
            "head_of_service_responded_by_id": f"CASE WHEN {hos_answered} THEN %(u_provider_base)s + 2 + 2 * "
            "(s.provider_id - %(provider_base)s - 1) END",
            "returned_on": "CASE WHEN s.status = 'returned' THEN s.closed_date END",
            "returned_by_id": "CASE WHEN s.status = 'returned' THEN %(u_team_base)s + s.team_id END",
            "not_provided_reason": "CASE WHEN s.status = 'not_provided' THEN "
            "CASE WHEN s.u5 < 0.5 THEN 'not_required' ELSE 'capacity' END ELSE '' END",
            "not_provided_detail": "CASE WHEN s.status = 'not_provided' THEN 'Recorded by the team.' ELSE '' END",
            "not_provided_decided_by": "CASE WHEN s.status = 'not_provided' THEN 'Head of service' ELSE '' END",
            "closed_on": "CASE WHEN s.status <> 'outstanding' THEN s.closed_date END",
        },
        f"FROM ({staged}) s",
        params,
    )


def _case_status(cursor, params):
    """A case with advice still outstanding is still being assessed, whatever its age."""
    cursor.execute(
        """UPDATE assessments_case c SET status = CASE WHEN c.draft_plan_sent_on IS NULL THEN 'assessing'
                                                   ELSE 'draft_plan' END,
               final_plan_issued_on = NULL, closed_on = NULL,
               next_statutory_date = CASE WHEN c.draft_plan_sent_on IS NULL THEN c.received_on + 125
                                          ELSE c.received_on + 140 END
           FROM (SELECT DISTINCT case_id FROM advice_adviceitem WHERE status = 'outstanding') o
           WHERE c.id = o.case_id AND c.status = 'plan_issued'"""
    )


STAGE_RANK = "CASE i.stage WHEN 'chased' THEN 1 WHEN 'escalation_1' THEN 2 WHEN 'escalation_2' THEN 3 ELSE 0 END"


def _escalations(cursor, params):
    """One escalation per (request, stage) its outstanding items reached, with the stage changes."""
    responded = "s.stage = 'escalation_1' AND s.response_due < %(today)s AND mod(g.request_id, 20) < 11"
    _insert(
        cursor,
        "escalation.Escalation",
        {
            "created_at": _at("s.issued_on", "10:00"),
            "updated_at": _at("s.issued_on", "10:00"),
            "request_id": "g.request_id",
            "stage": "s.stage",
            "issued_on": "s.issued_on",
            "response_due_on": "s.response_due",
            "provider_id": "r.provider_id",
            "local_authority_id": "r.local_authority_id",
            "responded_at": f"CASE WHEN {responded} THEN {_at('s.issued_on + 2', '15:00')} END",
            "responded_by_id": f"CASE WHEN {responded} THEN %(u_dco)s END",
            "response": f"CASE WHEN {responded} THEN 'The DCO office is working with the teams on a date.' ELSE '' END",
            "response_overdue_notified": f"NOT ({responded}) AND s.response_due IS NOT NULL "
            "AND s.response_due < %(yesterday)s",
            # The sweep's second phase wrote these escalations' messages on the day they were issued.
            "messages_queued_at": _at("s.issued_on", "10:00"),
        },
        f"""FROM (SELECT i.request_id, max({STAGE_RANK}) AS top FROM advice_adviceitem i
                  WHERE i.status = 'outstanding' AND i.stage <> 'requested' GROUP BY i.request_id) g
            JOIN advice_advicerequest r ON r.id = g.request_id
            JOIN {DUE_TABLE} d ON d.due_on = r.due_on
            CROSS JOIN LATERAL (VALUES ('chase', 1, d.chase_on, NULL::date),
                                       ('escalation_1', 2, d.esc1_on, d.esc1_response_due),
                                       ('escalation_2', 3, d.esc2_on, d.hos_due))
                 s(stage, rank, issued_on, response_due)
            WHERE s.rank <= g.top
            ORDER BY g.request_id, s.rank""",
        params,
    )
    _insert(
        cursor,
        "escalation.StageChange",
        {
            "item_id": "i.id",
            "stage": "s.stage",
            "on": "s.on_date",
            "at": _at("s.on_date", "10:00"),
            "escalation_id": "e.id",
        },
        f"""FROM advice_adviceitem i
            CROSS JOIN LATERAL (VALUES ('chased', 'chase', 1, i.chased_on),
                                       ('escalation_1', 'escalation_1', 2, i.escalation_1_on),
                                       ('escalation_2', 'escalation_2', 3, i.escalation_2_on))
                 s(stage, escalation_stage, rank, on_date)
            JOIN escalation_escalation e ON e.request_id = i.request_id AND e.stage = s.escalation_stage
            WHERE i.status = 'outstanding' AND s.rank <= {STAGE_RANK}
            ORDER BY i.id, s.rank""",
        params,
    )


def _letters(cursor, params):
    """The escalation 1 letters, with the snapshot escalation.letters.letter_content takes at issue."""
    content = """json_build_object(
        'reference', c.reference, 'dated', e.issued_on,
        'local_authority', json_build_object('name', la.name, 'address_lines', string_to_array(la.address, chr(10)),
                                             'telephone', la.telephone, 'website', la.website),
        'addressee', json_build_object('name', p.director_name, 'title', p.director_title, 'organisation', p.name,
                                       'address_lines', string_to_array(p.address, chr(10))),
        'child', json_build_object('name', c.first_name || ' ' || c.last_name, 'date_of_birth', c.date_of_birth),
        'notified_on', r.notified_on, 'chased_on', ch.issued_on,
        'teams', t.teams, 'response_due_on', e.response_due_on,
        'signatory', json_build_object('name', s.ad_education_name, 'title', s.ad_education_title),
        'cc', json_build_array('DCO/DMO office (' || s.dco_office_email || ')',
                               'SEND business support (' || s.business_support_email || ')'),
        'footer', s.letter_footer)::jsonb"""
    _insert(
        cursor,
        "escalation.Letter",
        {
            "created_at": _at("e.issued_on", "10:00"),
            "updated_at": _at("e.issued_on", "10:00"),
            "escalation_id": "e.id",
            "dated": "e.issued_on",
            "content": content,
            "sha256": "''",
        },
        """FROM escalation_escalation e
           JOIN advice_advicerequest r ON r.id = e.request_id
           JOIN assessments_case c ON c.id = r.case_id
           JOIN ehc_organisation la ON la.id = r.local_authority_id
           JOIN ehc_organisation p ON p.id = r.provider_id
           JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
           LEFT JOIN escalation_escalation ch ON ch.request_id = e.request_id AND ch.stage = 'chase'
           CROSS JOIN LATERAL (
               SELECT json_agg(json_build_object('name', tm.name, 'due_on', i.due_on,
                                                 'days_overdue', e.issued_on - i.due_on) ORDER BY tm.name) AS teams
               FROM advice_adviceitem i JOIN ehc_team tm ON tm.id = i.team_id
               WHERE i.request_id = e.request_id AND i.status = 'outstanding') t
           WHERE e.stage = 'escalation_1'
           ORDER BY e.id""",
        params,
    )


def _emails(cursor, params):
    """The emails those escalations sent: sent rows, a few failing ones for the DCO's list."""
    failing = "e.stage = 'escalation_1' AND mod(e.id, 200) = 0"
    _insert(
        cursor,
        "ehc.OutboundEmail",
        {
            "created_at": _at("e.issued_on", "10:00"),
            "updated_at": _at("e.issued_on", "10:05"),
            "kind": "e.stage",
            "dedupe_key": "e.stage || ':request:' || e.request_id",
            "case_id": "r.case_id",
            "advice_request_id": "e.request_id",
            "to": """CASE e.stage WHEN 'chase' THEN ARRAY[p.spoc_email] WHEN 'escalation_1' THEN ARRAY[p.director_email]
                     ELSE ARRAY[s.ad_education_email] END::varchar[]""",
            "cc": """CASE e.stage WHEN 'chase' THEN ARRAY[s.business_support_email]
                     ELSE ARRAY[s.dco_office_email, s.business_support_email] END::varchar[]""",
            "subject": """CASE e.stage WHEN 'chase' THEN 'Health advice overdue: ' WHEN 'escalation_1'
                          THEN 'Escalation 1: health advice overdue: ' ELSE 'Escalation 2: health advice overdue: '
                          END || c.reference""",
            "body_text": "'Health advice for case ' || c.reference || ' is overdue. See ' || %(site)s "
            "|| '/cases/' || c.id || '/'",
            "letter_id": "l.id",
            "status": f"CASE WHEN {failing} THEN 'failed' ELSE 'sent' END",
            "attempts": f"CASE WHEN {failing} THEN 4 ELSE 1 END",
            "next_attempt_at": f"CASE WHEN {failing} THEN {_at('%(today)s', '11:00')} END",
            "last_error": f"CASE WHEN {failing} THEN 'SMTPRecipientsRefused: mailbox unavailable' ELSE '' END",
            "sent_at": f"CASE WHEN {failing} THEN NULL ELSE {_at('e.issued_on', '10:05')} END",
        },
        """FROM escalation_escalation e
           JOIN advice_advicerequest r ON r.id = e.request_id
           JOIN assessments_case c ON c.id = r.case_id
           JOIN ehc_organisation p ON p.id = r.provider_id
           JOIN ehc_localauthoritysettings s ON s.local_authority_id = r.local_authority_id
           LEFT JOIN escalation_letter l ON l.escalation_id = e.id
           ORDER BY e.id""",
        params,
    )


def _returns(cursor, params):
    _insert(
        cursor,
        "advice.AdviceReturn",
        {
            "created_at": _at("i.returned_on", "12:00"),
            "updated_at": _at("i.returned_on", "12:00"),
            "item_id": "i.id",
            "document": "''",
            "description_of_needs": "'Needs as seen by the team over the last year.'",
            "provision_required": "'Weekly sessions with the team for two terms.'",
            "outcomes": "'The child can take part in lessons with less adult support.'",
            "returned_by_id": "i.returned_by_id",
        },
        "FROM advice_adviceitem i WHERE i.status = 'returned' ORDER BY i.id",
        params,
    )


def _audit_and_history(cursor, params):
    _insert(
        cursor,
        "ehc.AuditEvent",
        {
            "at": _at("c.received_on", "09:00"),
            "actor_id": "c.case_officer_id",
            "actor_name": "'Case officer'",
            "organisation_id": "c.local_authority_id",
            "action": "'create'",
            "case_id": "c.id",
            "object_type": "'case'",
            "object_id": "c.id::text",
            "summary": "'Request for an EHC needs assessment recorded'",
        },
        "FROM assessments_case c ORDER BY c.id",
        params,
    )
    history = apps.get_model("assessments.HistoricalCase")
    case_columns = {field.column for field in apps.get_model("assessments.Case")._meta.concrete_fields}
    provided = {
        field.column: f"c.{field.column}" for field in history._meta.concrete_fields if field.column in case_columns
    }
    provided.update(
        {
            "history_date": _at("c.received_on", "09:00"),
            "history_type": "'+'",
            "history_user_id": "c.case_officer_id",
        }
    )
    _insert(cursor, "assessments.HistoricalCase", provided, "FROM assessments_case c ORDER BY c.id", params)


def _sequences(cursor):
    for label in ["ehc.Organisation", "ehc.Team", "ehc.User", "assessments.Case", "advice.AdviceRequest"]:
        table = _table(label)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"
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
        cursor.execute(f"SELECT count(*) FROM {_table(label)}")
        counts[key] = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ehc_organisation WHERE kind = 'provider'")
    counts["providers"] = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ehc_organisation WHERE kind = 'la'")
    counts["local_authorities"] = cursor.fetchone()[0]
    return counts
