"""CSV downloads, streamed row by row so a large export never sits in memory."""

import csv
import datetime

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection). Tab and
# carriage return are on OWASP's list too: some spreadsheets strip them and then see the formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should show it: text that could be read as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands back what was written, for csv.writer."""

    def write(self, value):
        return value


def csv_response(*, filename, header, rows):
    """A StreamingHttpResponse of `header` then `rows` (an iterable of sequences), every cell guarded."""
    writer = csv.writer(_Echo())

    def lines():
        # The byte-order mark makes Excel read the file as UTF-8 (names with accents survive).
        yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


OUTSTANDING_ADVICE_HEADER = [
    "Reference",
    "Child",
    "Local authority",
    "Provider",
    "Team",
    "Requested",
    "Due",
    "Days overdue",
    "Stage",
    "Promised date",
    "Exception",
    "Last action",
    "Last action date",
]


def outstanding_advice_csv(*, filename, items):
    """The outstanding health advice list as CSV: every row of a filtered list, or the rows a user
    ticked, in the same columns with the same definitions (items from reports.selectors.items)."""
    return csv_response(
        filename=filename,
        header=OUTSTANDING_ADVICE_HEADER,
        rows=(
            [
                item.case.reference,
                item.case.child_name,
                item.local_authority.name,
                item.provider.name,
                item.team.name,
                item.request.notified_on,
                item.due_on,
                item.overdue_days,
                item.get_stage_display(),
                item.promised_on,
                item.excepted_label + (" (clock stopped today)" if item.clock_stopped else ""),
                item.last_action,
                item.last_action_on,
            ]
            for item in items
        ),
    )
