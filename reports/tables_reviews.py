"""The annual reviews report as tables: the page, the PDF and the CSV read these (as reports.tables)."""

from django.utils.dateformat import format as format_date

from .tables import Table, Tables

DUE = [
    ("due", "Reviews due"),
    ("judged", "Held or past their due date"),
    ("held_on_time", "Held by the due date"),
    ("held_share", "Held by the due date (%)"),
    ("held_late", "Held after the due date"),
    ("not_held", "Not yet held, past the due date"),
]
AFTER = [
    ("held", "Meetings held"),
    ("decisions_judged", "Decision notified or past 4 weeks"),
    ("decisions_in_time", "Decision within 4 weeks"),
    ("decisions_share", "Decision within 4 weeks (%)"),
    ("amending", "Decided to amend"),
    ("amended_judged", "Amended plan issued or past 12 weeks"),
    ("amended_in_time", "Amended plan within 12 weeks"),
    ("amended_share", "Amended plan within 12 weeks (%)"),
]


def _month(row):
    return format_date(row["month"], "F Y")


def review_tables(report):
    totals = report.totals
    due = Table(
        key="due",
        caption="Reviews by the month they were due",
        header=["Month due", *[label for _, label in DUE]],
        rows=[[_month(row), *[row[key] for key, _ in DUE]] for row in report.months],
        total=["All months", *[totals[key] for key, _ in DUE]],
        note=(
            "A review is due by the date set when it was scheduled: 12 months after the plan's issue or the "
            "last review (6 for a child under 5), by the child's birthday where the council aligns reviews "
            "with birthdays. Held by the due date: the meeting was held on or before that date. The share is of "
            "the reviews held or past their due date; a review not yet due and not yet held is neither on time "
            "nor late. A cancelled review is not counted."
        ),
    )
    after = Table(
        key="after-meeting",
        caption="Decisions and amended plans by the month of the meeting",
        header=["Month of the meeting", *[label for _, label in AFTER]],
        rows=[[_month(row), *[row[key] for key, _ in AFTER]] for row in report.months],
        total=["All months", *[totals[key] for key, _ in AFTER]],
        note=(
            "Decision within 4 weeks: the council's decision to keep, amend or cease the plan notified no later "
            "than 4 weeks after the meeting (regulation 20(10)). Amended plan within 12 weeks: issued no later "
            "than 12 weeks after the meeting (regulation 22). Each share is of the decisions (amended plans) "
            "made or past their date; one whose date has not passed and not yet made is left out."
        ),
    )
    return Tables([due, after], csv_default="due")
