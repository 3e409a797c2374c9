"""The raw-SQL helpers of the sweep's set-based writes: a batch of any size is one statement, with one
parameter per column."""

from django.db import connection


def insert_rows(model, fields, rows, *, ignore_conflicts=False, returning=()):
    """INSERT ... SELECT FROM unnest(...): one statement and one parameter per column, however many
    rows. bulk_create builds its SQL value by value, which costs seconds at 10,000 rows."""
    if not rows:
        return []
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in model_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(
            connection.ops.quote_name(model._meta.get_field(n).column) for n in returning
        )
    params = [array_literal(row[index] for row in rows) for index in range(len(fields))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def array_literal(values) -> str:
    """A PostgreSQL array as one text literal ('{"1","2",NULL}'), cast to its type in the SQL. psycopg2
    would send ARRAY[1, 2, ...]: an expression per element, which PostgreSQL parses ten times slower
    than the whole batch's writes need."""
    values = list(values)
    if values and len(set(map(type, values))) == 1:
        if values.count(values[0]) == len(values):  # the batch's date, time or LA, on every row
            return "{" + ",".join([_array_element(values[0])] * len(values)) + "}"
        if type(values[0]) is int:
            return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        text = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"'
    return f'"{value}"'  # dates and times: their text has no quote or backslash

