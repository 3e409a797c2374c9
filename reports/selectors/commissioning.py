"""The commissioning report (issue 20): the provision advice givers asked for, and whether it is there.
Counts of children and of provision rows by provision type, by provider and area, by availability,
by quarter, and the longest waits; and the rows behind them, anonymised.

Only the version of each team's advice in force counts (a superseded version's rows do not), dated by
the day the advice was first returned (the item's `returned_on`, as every other report dates it).

What a commissioner may see is decided here, once, for every page and CSV: the rows carry structured
fields only (type, how much, who, how long, availability, wait) and the provider, team and area;
never the need's words, a child, a case or a date finer than the quarter. Each row is numbered by its
place in the report (`number`), which means nothing outside it."""

import dataclasses
import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter

from advice.provision import Availability, DurationUnit, Frequency, Profession, ProvisionRow, Unit

from .scope import local_authorities_in_scope

CHILD = "advice_return__item__case__child_id"
AVAILABILITIES = [*Availability.choices, ("", "Not stated")]


def scope_rows(user, *, start=None, local_authority=None):
    """The provision rows of the advice in force for the LAs in the user's scope (a DCO's or an ICB
    commissioner's area, an LA commissioner's own LA), returned on or after `start`."""
    la_ids = list(local_authorities_in_scope(user).values_list("pk", flat=True))
    if local_authority is not None:
        la_ids = [pk for pk in la_ids if pk == local_authority.pk]
    rows = ProvisionRow.objects.filter(advice_return__item__local_authority_id__in=la_ids)
    if start is not None:
        rows = rows.filter(advice_return__item__returned_on__gte=start)
    return rows


def _counts():
    return {
        "rows": Count("id"),
        "children": Count(CHILD, distinct=True),
        "available": Count("id", filter=Q(availability=Availability.AVAILABLE)),
        "waiting": Count("id", filter=Q(availability=Availability.WAITING_LIST)),
        "not_commissioned": Count("id", filter=Q(availability=Availability.NOT_COMMISSIONED)),
        "children_not_commissioned": Count(CHILD, distinct=True, filter=Q(availability=Availability.NOT_COMMISSIONED)),
        "children_waiting": Count(CHILD, distinct=True, filter=Q(availability=Availability.WAITING_LIST)),
    }


@dataclasses.dataclass
class CommissioningFigures:
    totals: dict
    by_type: list
    by_provider: list
    by_availability: list
    by_quarter: list
    longest_waits: list


def commissioning_figures(rows) -> CommissioningFigures:
    """Every table of the report from `rows` (scope_rows): six queries whatever the number of rows."""
    totals = rows.aggregate(**_counts())
    by_type = list(
        rows.values("provision_type_id", "provision_type__name")
        .annotate(**_counts())
        .order_by("-rows", "provision_type__name")
    )
    by_provider = list(
        rows.values(
            "advice_return__item__provider_id",
            "advice_return__item__provider__name",
            "advice_return__item__local_authority_id",
            "advice_return__item__local_authority__name",
        )
        .annotate(**_counts())
        .order_by("advice_return__item__provider__name", "advice_return__item__local_authority__name")
    )
    availability = {row["availability"]: row for row in rows.values("availability").annotate(**_counts()).order_by()}
    by_availability = [
        {"availability": value, "label": label, **availability.get(value, {"rows": 0, "children": 0})}
        for value, label in AVAILABILITIES
    ]
    by_quarter = list(
        rows.annotate(quarter=TruncQuarter("advice_return__item__returned_on"))
        .values("quarter")
        .annotate(**_counts())
        .order_by("quarter")
    )
    for row in by_quarter:
        row["label"] = quarter_label(row["quarter"])
    longest = list(
        _anonymised(rows.filter(availability=Availability.WAITING_LIST, wait_weeks__isnull=False)).order_by(
            "-wait_weeks", "provision_type__name", "id"
        )[:10]
    )
    for number, row in enumerate(longest, start=1):
        _words(row, number)
    return CommissioningFigures(totals, by_type, by_provider, by_availability, by_quarter, longest)


def quarter_label(day: datetime.date | None) -> str:
    """January to March 2026: a quarter by its months (the finest date the report gives)."""
    if day is None:
        return ""
    last = datetime.date(day.year, day.month + 2, 1)
    return f"{day:%B} to {last:%B %Y}"


def quarters_back(today: datetime.date, count: int) -> datetime.date:
    """The first day of the quarter `count - 1` quarters before today's: the start of the last `count`."""
    index = today.year * 4 + (today.month - 1) // 3 - (count - 1)
    return datetime.date(index // 4, index % 4 * 3 + 1, 1)


# The only fields of a row a commissioner sees (anonymised_rows): none names or dates a child.
ANONYMISED_FIELDS = (
    "provision_type__name",
    "quantity",
    "unit",
    "session_minutes",
    "frequency",
    "profession",
    "setting_staff_may_deliver",
    "duration",
    "duration_unit",
    "availability",
    "wait_weeks",
    "advice_return__item__provider__name",
    "advice_return__item__team__name",
    "advice_return__item__local_authority__name",
    "quarter",
)


def _anonymised(rows):
    return rows.annotate(quarter=TruncQuarter("advice_return__item__returned_on")).values(*ANONYMISED_FIELDS)


def _words(row: dict, number: int) -> dict:
    row["number"] = number
    row["quarter_label"] = quarter_label(row["quarter"])
    how_much = []
    if row["quantity"] is not None:
        how_much.append(str(row["quantity"]))
    if row["unit"]:
        how_much.append(Unit(row["unit"]).label)
    if row["session_minutes"]:
        how_much.append(f"of {row['session_minutes']} minutes")
    if row["frequency"]:
        how_much.append(Frequency(row["frequency"]).label)
    row["how_much"] = " ".join(how_much)
    row["who"] = Profession(row["profession"]).label if row["profession"] else ""
    row["how_long"] = (
        f"{row['duration']} {DurationUnit(row['duration_unit']).label if row['duration_unit'] else ''}".strip()
        if row["duration"] is not None
        else ""
    )
    row["availability_label"] = Availability(row["availability"]).label if row["availability"] else "Not stated"
    return row


def anonymised_rows(rows, *, provision_type=None, availability=None, provider=None):
    """The rows behind the figures, filtered as a table's link says, numbered 1, 2, ... in the order
    the report lists them (quarter, type, provider): the number is the report's, nothing else's."""
    if provision_type is not None:
        rows = rows.filter(provision_type_id=provision_type)
    if availability is not None:
        rows = rows.filter(availability=availability)
    if provider is not None:
        rows = rows.filter(advice_return__item__provider_id=provider)
    ordered = _anonymised(rows).order_by("quarter", "provision_type__name", "advice_return__item__provider__name", "id")
    for number, row in enumerate(ordered.iterator(chunk_size=500), start=1):
        yield _words(row, number)
