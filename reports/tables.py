"""Each report as a list of tables. The page, the PDF and the CSV all read these, so the three can
never show different figures. A chart is drawn from its table's own rows, and shown beside it."""

import datetime
from dataclasses import dataclass, field

from django.utils.dateformat import format as format_date

from advice.exceptions import EXCEPTION_REASON_LABELS

from . import charts
from .selectors.audit import LATE_STAGES


@dataclass
class Table:
    key: str
    caption: str
    header: list
    rows: list
    total: list | None = None
    chart: str = ""
    note: str = ""
    empty: str = "None in this period."

    def _numeric_columns(self):
        """Columns holding only numbers (or blanks): right-aligned, headings too, over their figures."""
        numeric = set()
        for index in range(1, len(self.header)):
            values = [row[index] for row in self.rows if row[index] is not None]
            if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                numeric.add(index)
        return numeric

    @property
    def display_header(self):
        numeric = self._numeric_columns()
        return [DisplayCell(str(text), numeric=index in numeric) for index, text in enumerate(self.header)]

    @property
    def csv_rows(self):
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def display_rows(self):
        numeric = self._numeric_columns()
        return [[_cell(value, index in numeric) for index, value in enumerate(row)] for row in self.rows]

    @property
    def display_total(self):
        if not self.total:
            return None
        numeric = self._numeric_columns()
        return [_cell(value, index in numeric) for index, value in enumerate(self.total)]


@dataclass
class DisplayCell:
    text: str
    numeric: bool = False


def _cell(value, numeric_column=False):
    if value is None:
        return DisplayCell("–", numeric=numeric_column)
    if isinstance(value, bool):
        return DisplayCell("Yes" if value else "No")
    if isinstance(value, int):
        return DisplayCell(f"{value:,}", numeric=True)
    if isinstance(value, float):
        return DisplayCell(f"{value:.1f}", numeric=True)
    if isinstance(value, datetime.date):
        return DisplayCell(format_date(value, "j M Y"))
    return DisplayCell(str(value))


def _median(value):
    return round(value, 1) if value is not None else None


@dataclass
class Tables:
    tables: list = field(default_factory=list)
    # What the CSV download gives when no table is named: the finest grain the report has.
    csv_default: str = ""

    def get(self, key):
        for table in self.tables:
            if table.key == key:
                return table
        return None


# Quarterly non-return audit ----------------------------------------------------------------

OUTCOMES = [
    ("requested", "Requested"),
    ("within", "Returned within 6 weeks"),
    ("late", "Returned late"),
    ("not_provided", "Not provided"),
    ("outstanding", "Still outstanding"),
    ("withdrawn", "Withdrawn"),
    ("excepted", "Excepted"),
    # Apart from the outcomes above, which measure the first return (advice.quality).
    ("sent_back", "Sent back by the local authority"),
    ("sent_back_late", "Sent back, not back in time"),
]
LATE_COLUMNS = [(f"late_{stage}", label) for stage, label in LATE_STAGES]


def audit_tables(report):
    totals = report.totals
    summary = Table(
        key="summary",
        caption="Outcome of the advice requested in the period",
        header=["Outcome", "Items of advice", "Share of requested (%)"],
        rows=[
            [label, totals[key], _share(totals[key], totals["requested"]) if key != "requested" else None]
            for key, label in OUTCOMES + LATE_COLUMNS
        ],
        note=(
            "Withdrawn: the SPOC found the team was not involved, or the case ended. "
            "Excepted: covered by an exception (regulations 10(4) and 8(2)); also counted in its outcome. "
            "Returned late is split below by the furthest stage the item reached before it came back. "
            "Sent back: the local authority sent the returned advice back for its quality; within 6 weeks and "
            "late measure the first return. Not back in time: returned again after its new due date, or still "
            "not back after it."
        ),
    )
    by_provider = Table(
        key="providers",
        caption="By provider",
        header=["Provider", *[label for _, label in OUTCOMES]],
        rows=[[row["name"], *[row[key] for key, _ in OUTCOMES]] for row in report.by_provider],
        total=["All providers", *[totals[key] for key, _ in OUTCOMES]],
    )
    late_by_provider = Table(
        key="late",
        caption="Advice returned late, by the stage reached, per provider",
        header=["Provider", "Returned late", *[label for _, label in LATE_COLUMNS]],
        rows=[[row["name"], row["late"], *[row[key] for key, _ in LATE_COLUMNS]] for row in report.by_provider],
        total=["All providers", totals["late"], *[totals[key] for key, _ in LATE_COLUMNS]],
    )
    by_team = Table(
        key="teams",
        caption="By team",
        header=["Provider", "Team", *[label for _, label in OUTCOMES + LATE_COLUMNS]],
        rows=[
            [row["provider_name"], row["name"], *[row[key] for key, _ in OUTCOMES + LATE_COLUMNS]]
            for row in report.by_team
        ],
        total=["All providers", "All teams", *[totals[key] for key, _ in OUTCOMES + LATE_COLUMNS]],
    )
    not_provided_reasons = Table(
        key="not-provided-reasons",
        caption="Reasons advice was not provided",
        header=["Reason", "Items of advice"],
        rows=[[label, count] for label, count in report.not_provided_reasons],
    )
    delay_reasons = Table(
        key="delay-reasons",
        caption="Reasons given for delay",
        header=["Reason", "Items of advice"],
        rows=[[label, count] for label, count in report.delay_reasons],
    )
    exception_reasons = Table(
        key="exception-reasons",
        caption="Reasons for exceptions",
        header=["Reason", "Items of advice"],
        rows=[[label, count] for label, count in report.exception_reasons],
    )
    send_back_reasons = Table(
        key="send-back-reasons",
        caption="Reasons advice was sent back",
        header=["Reason", "Times given"],
        rows=[[label, count] for label, count in report.send_back_reasons],
        note="A send-back may give several reasons; each is counted.",
    )
    excepted = Table(
        key="excepted",
        caption="Advice covered by an exception",
        header=["Reference", "Provider", "Team", "Asked", "Due (moved by exceptions)", "Reason", "Now"],
        rows=[
            [
                item.case.reference,
                item.provider.name,
                item.team.name,
                item.request.notified_on,
                item.due_on,
                EXCEPTION_REASON_LABELS.get(item.excepted_reason, item.excepted_reason),
                item.get_status_display(),
            ]
            for item in report.excepted_items
        ],
    )
    not_provided = Table(
        key="not-provided",
        caption="Advice not provided",
        header=["Reference", "Provider", "Team", "Due", "Reason", "Detail", "Decided by"],
        rows=[
            [
                item.case.reference,
                item.provider.name,
                item.team.name,
                item.due_on,
                item.get_not_provided_reason_display() or "No reason recorded",
                item.not_provided_detail,
                item.not_provided_decided_by,
            ]
            for item in report.not_provided_items
        ],
    )
    delayed = Table(
        key="delays",
        caption="Delays explained by a head of service",
        header=["Reference", "Provider", "Team", "Due", "Reason", "Detail", "Promised date", "Now"],
        rows=[
            [
                item.case.reference,
                item.provider.name,
                item.team.name,
                item.due_on,
                item.get_delay_reason_display(),
                item.delay_detail,
                item.promised_on,
                item.get_status_display(),
            ]
            for item in report.delayed_items
        ],
    )
    return Tables(
        [
            summary,
            by_provider,
            late_by_provider,
            by_team,
            not_provided_reasons,
            delay_reasons,
            exception_reasons,
            send_back_reasons,
            not_provided,
            delayed,
            excepted,
        ],
        csv_default="teams",
    )


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


# Figures by month and by service -----------------------------------------------------------

ITEM_FIGURES = ["Items of advice", "Returned", "Due or decided", "Within 6 weeks", "Within 6 weeks (%)",
                "Median days to return", "Excepted", "Sent back", "Sent back, not back in time"]  # fmt: skip


def _item_figures(row):
    return [row["items"], row["returned"], row["decided"], row["within"], row["share_within"],
            _median(row["median_days"]), row["excepted"], row["sent_back"], row["sent_back_late"]]  # fmt: skip


def monthly_tables(report):
    months = report.months
    totals = report.totals
    labels = [format_date(row["month"], "M Y") for row in months]
    trend = Table(
        key="trend",
        caption="New health requests per month",
        header=["Month", "Requests", "Known to services", "Not known"],
        rows=[
            [label, row["requests"], row["known"], row["not_known"]] for label, row in zip(labels, months, strict=True)
        ],
        total=["Total", totals["requests"], totals["known"], totals["not_known"]],
        chart=charts.stacked_columns(
            chart_id="chart-trend",
            title="New health requests per month",
            description=(
                "Requests for health advice each month, split into children known to services and not known. "
                "The same figures are in the table beside this chart."
            ),
            categories=[format_date(row["month"], "M y") for row in months],
            series=[
                ("Known to services", charts.BLUE, [row["known"] for row in months]),
                ("Not known", charts.DARK_GREY, [row["not_known"] for row in months]),
            ],
            y_label="Requests",
        ),
        note=("Known to services: at least one team said the child is open to it, or was within the last 12 months."),
    )
    by_month = Table(
        key="months",
        caption="Health advice by month requested",
        header=["Month", "New requests", "Known to services", "Not known", *ITEM_FIGURES],
        rows=[
            [label, row["requests"], row["known"], row["not_known"], *_item_figures(row)]
            for label, row in zip(labels, months, strict=True)
        ],
        total=["Total", totals["requests"], totals["known"], totals["not_known"], *_item_figures(totals)],
        note=(
            "Due or decided: advice returned or not provided, or past its due date. Advice not yet due "
            "is left out of the share within 6 weeks. Median days: from the SPOC being notified to the "
            "advice returned. Excepted: covered by an exception, counted in the other figures too, "
            "against its due date as the exception moved it. Within 6 weeks measures the first return; "
            "Sent back counts the advice the local authority sent back for its quality, and Not back in time "
            "those returned again after the new due date or still not back after it."
        ),
    )
    by_service = Table(
        key="services",
        caption="Health advice by service",
        header=["Service", *ITEM_FIGURES],
        rows=[[row["label"], *_item_figures(row)] for row in report.by_service],
        total=["All services", *_item_figures(totals)],
    )
    teams = report.by_team
    by_team = Table(
        key="teams",
        caption="Share returned within 6 weeks, by team",
        header=["Team", "Provider", "Due or decided", "Within 6 weeks", "Within 6 weeks (%)"],
        rows=[[row["name"], row["provider_name"], row["decided"], row["within"], row["share_within"]] for row in teams],
        chart=charts.percent_bars(
            chart_id="chart-teams",
            title="Share of advice returned within 6 weeks, by team",
            description=(
                "For each team, the share of advice due in the period that came back by its due date. "
                "The same figures are in the table beside this chart."
            ),
            rows=[(f"{row['name']} ({row['provider_name']})", row["share_within"]) for row in teams],
            empty_label="No advice due yet",
        ),
    )
    return Tables([trend, by_month, by_service, by_team], csv_default="months")


# LA timeliness -----------------------------------------------------------------------------


def timeliness_tables(report):
    totals = report.totals
    england = report.england_plans_within_20_weeks
    plans_chart = Table(
        key="plans-chart",
        caption="Final plans issued within 20 weeks, excluding exceptions",
        header=["Local authority", "Plans issued", "Within 20 weeks", "Within 20 weeks (%)"],
        rows=[[row["name"], row["plans_ex"], row["plans_in_time_ex"], row["plans_share_ex"]] for row in report.by_la],
        total=["All", totals["plans_ex"], totals["plans_in_time_ex"], totals["plans_share_ex"]],
        chart=charts.percent_bars(
            chart_id="chart-plans",
            title="Final plans issued within 20 weeks, excluding exceptions",
            description=(
                "For each local authority, the share of final EHC plans issued in the period within "
                "20 weeks of the request, leaving out cases with an exception. The dashed line is "
                f"England's {england}% in 2024. The same figures are in the table beside this chart."
            ),
            rows=[(row["name"], row["plans_share_ex"]) for row in report.by_la],
            reference=("England 2024", england),
            empty_label="No plans issued",
        ),
        note=f"England, 2024: {england}% of EHC plans were issued within 20 weeks, excluding exceptions.",
    )
    decision_cols = [
        ("decisions", "Decisions"),
        ("decisions_to_assess", "Decided to assess"),
        ("decisions_in_time", "Within 6 weeks"),
        ("decisions_share", "Within 6 weeks (%)"),
        ("decisions_ex", "Decisions, excluding exceptions"),
        ("decisions_in_time_ex", "Within 6 weeks, excluding exceptions"),
        ("decisions_share_ex", "Within 6 weeks, excluding exceptions (%)"),
    ]
    plan_cols = [
        ("plans", "Plans issued"),
        ("plans_in_time", "Within 20 weeks"),
        ("plans_share", "Within 20 weeks, including exceptions (%)"),
        ("plans_ex", "Plans issued, excluding exceptions"),
        ("plans_in_time_ex", "Within 20 weeks, excluding exceptions"),
        ("plans_share_ex", "Within 20 weeks, excluding exceptions (%)"),
    ]
    decisions = Table(
        key="decisions",
        caption="Decisions whether to assess, notified in the period",
        header=["Local authority", *[label for _, label in decision_cols]],
        rows=[[row["name"], *[row[key] for key, _ in decision_cols]] for row in report.by_la],
        total=["All", *[totals[key] for key, _ in decision_cols]],
        note="Within 6 weeks: notified to the family no later than 6 weeks after the request was received.",
    )
    plans = Table(
        key="plans",
        caption="Final EHC plans issued in the period",
        header=["Local authority", *[label for _, label in plan_cols]],
        rows=[[row["name"], *[row[key] for key, _ in plan_cols]] for row in report.by_la],
        total=["All", *[totals[key] for key, _ in plan_cols]],
        note=(
            "Within 20 weeks of the request being received. Excluding exceptions leaves out every "
            "case with an exception under regulation 10(4), as the national measure does."
        ),
    )
    return Tables([plans_chart, plans, decisions], csv_default="plans")
