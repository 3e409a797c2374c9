"""What every step of the bench data build shares: the scales, the names, and raw-SQL inserts that
write out Django's defaults; and the guard that the data set never mixes with anything else."""

import time
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

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


def log(out, message):
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
            log(self.out, f"  {self.label:<52} {time.perf_counter() - self.started:7.1f} s")


def table(label):
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
                f"{model_label}.{field.name} is NOT NULL with no default: bench/data/ must give it a value"
            )
    unknown = set(provided) - {field.column for field in model._meta.concrete_fields}
    if unknown:
        raise BenchDataRefused(f"{model_label} has no column(s) {sorted(unknown)}: bench/data/ is out of date")
    return ", ".join(f'"{column}"' for column in columns), ", ".join(expressions)


def insert(cursor, model_label, provided, from_sql, params):
    params = dict(params)
    columns, expressions = _fill(model_label, provided, params)
    cursor.execute(f"INSERT INTO {table(model_label)} ({columns}) SELECT {expressions} {from_sql}", params)
    return cursor.rowcount


def at(date_sql, time_sql="09:30"):
    """A timestamptz at a London wall-clock time on a date expression (the build sets the session's
    time zone to Europe/London: a cast is cheaper than AT TIME ZONE on millions of rows)."""
    return f"(({date_sql}) + time '{time_sql}')::timestamptz"


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


def wipe(cursor):
    tables = [META_TABLE, CALENDAR_TABLE, DUE_TABLE]
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
    # TRUNCATE, not DELETE: the audit trail refuses DELETE by design (ehc migration 0003).
    cursor.execute(f"TRUNCATE {', '.join(_data_tables())} RESTART IDENTITY CASCADE")
