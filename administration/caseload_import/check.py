"""Every row checked against the rules before anything is saved: each error names its row (the
spreadsheet's number) and column, in words the administrator can act on. The rows of one request
must agree on the child and the request; the teams of one provider on one request share the day the
SPOC was notified; dates come in the order things happen, none in the future."""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from assessments.identifiers import nhs_number_clean, uln_clean, upn_clean
from ehc.models import Organisation, OrganisationKind, Team

from .columns import CASE_COLUMNS, DATES, NAMES, REQUESTERS, REQUIRED, label
from .read import FORMULA, MAX_CELL

LIMITS = {"case_reference": 40, "first_name": 100, "last_name": 100, "child_la_id": 30}
MAX_ERRORS = 500
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class ItemRow:
    row: int
    provider: Organisation
    team: Team
    requested_on: datetime.date
    returned_on: datetime.date | None
    chased_on: datetime.date | None
    escalation_1_on: datetime.date | None
    escalation_2_on: datetime.date | None


@dataclass
class CaseRow:
    reference: str
    row: int
    child: dict
    case: dict
    items: list = field(default_factory=list)


@dataclass
class Checked:
    cases: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # [row, column label, message]
    rows: int = 0

    def error(self, row, column, message):
        self.errors.append([row, label(column) if column else "", message])


def parse_date(value):
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = UK_DATE.match(text)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (match := ISO_DATE.match(text)):
        parts = match.groups()
    if parts is None:
        raise ValueError
    return datetime.date(*(int(part) for part in parts))


def _text(value):
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


class Lookups:
    """The LA's providers (by name and short name, any case) and their teams, read once."""

    def __init__(self, la):
        self.providers = {}
        providers = Organisation.objects.filter(
            kind=OrganisationKind.HEALTH_PROVIDER, is_active=True, served_las=la
        ).order_by("pk")
        for provider in providers:
            for name in (provider.name, provider.short_name):
                if name:
                    self.providers.setdefault(name.casefold(), provider)
        self.teams = {
            (team.provider_id, team.name.casefold()): team
            for team in Team.objects.filter(provider__in=providers, is_active=True).select_related("provider")
        }


def check_rows(*, header, rows, la, today) -> Checked:
    checked = Checked(rows=len(rows))
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name and name not in NAMES]
    if missing:
        checked.error(
            1,
            "",
            "The header row is missing the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ": use the template's header row",
        )
    if unknown:
        checked.error(
            1,
            "",
            "The header row has column"
            + ("s " if len(unknown) > 1 else " ")
            + ", ".join(unknown)
            + " that the template does not: remove or rename "
            + ("them" if len(unknown) > 1 else "it"),
        )
    if missing or unknown:
        return checked
    if not rows:
        checked.error(2, "", "The file has no rows of cases under its header")
        return checked
    lookups = Lookups(la)
    requests_seen = {}  # (reference, provider id) -> (row, advice requested on)
    items_seen = {}  # (reference, provider id, team id) -> row
    nhs_seen = {}  # NHS number -> (reference, row)
    for number, raw in rows:
        if len(checked.errors) >= MAX_ERRORS:
            checked.error(number, "", f"Checking stopped after {MAX_ERRORS} errors: put these right and upload again")
            break
        values = _row_values(checked, number, raw, today)
        if values is None:
            continue
        item = _item(checked, number, values, lookups)
        reference = values["case_reference"]
        case = checked.cases.get(reference)
        if case is None:
            case = checked.cases[reference] = CaseRow(
                reference=reference,
                row=number,
                child={
                    name: values[name]
                    for name in ("first_name", "last_name", "date_of_birth", "nhs_number", "upn", "uln")
                }
                | {"la_reference": values["child_la_id"]},
                case={name: values[name] for name in ("requested_by", "received_on", "decision_on")},
            )
            _case_dates(checked, number, values)
            nhs = values["nhs_number"]
            if nhs and nhs in nhs_seen and _same_child(checked.cases[nhs_seen[nhs][0]], case) is False:
                checked.error(
                    number,
                    "nhs_number",
                    f"Another child in row {nhs_seen[nhs][1]} has this NHS number "
                    "with a different name or date of birth",
                )
            nhs_seen.setdefault(nhs, (reference, number)) if nhs else None
        else:
            first = case.child | {"child_la_id": case.child["la_reference"]} | case.case
            for name in CASE_COLUMNS:
                if name != "case_reference" and values[name] != first[name]:
                    checked.error(
                        number,
                        name,
                        f"Differs from row {case.row}, the first row of {reference}: "
                        "every row of one request must give the same child and request details",
                    )
        if item is None:
            continue
        if item.requested_on < (case.case["received_on"] or item.requested_on):
            checked.error(
                number, "advice_requested_on", "Advice requested must be on or after the day the request was received"
            )
        key = (reference, item.provider.pk)
        first_request = requests_seen.setdefault(key, (number, item.requested_on))
        if first_request[1] != item.requested_on:
            checked.error(
                number,
                "advice_requested_on",
                f"Differs from row {first_request[0]}: every team of one "
                "provider on one request was asked on the same day",
            )
        team_key = (*key, item.team.pk)
        if team_key in items_seen:
            checked.error(
                number,
                "team",
                f"{item.team.name} is already in row {items_seen[team_key]} for this request: one row per team",
            )
            continue
        items_seen[team_key] = number
        case.items.append(item)
    if checked.errors:
        checked.cases = {}
    return checked


def _same_child(one, other):
    return (one.child["first_name"].casefold(), one.child["last_name"].casefold(), one.child["date_of_birth"]) == (
        other.child["first_name"].casefold(),
        other.child["last_name"].casefold(),
        other.child["date_of_birth"],
    )


def _row_values(checked, number, raw, today):
    """The row's values, each cleaned; None (with its errors noted) if any is wrong."""
    values, ok = {}, True
    for name in NAMES:
        value = raw.get(name, "")
        if value == FORMULA:
            checked.error(number, name, "Is a formula: type the value itself")
            ok = False
            continue
        if isinstance(value, str) and len(value) > MAX_CELL:
            checked.error(number, name, f"Is longer than {MAX_CELL} characters")
            ok = False
            continue
        if value in ("", None):
            if name in REQUIRED:
                checked.error(number, name, f"Enter the {label(name).lower()}")
                ok = False
            values[name] = None if name in DATES else ""
            continue
        try:
            values[name] = _clean(name, value, today)
        except ValidationError as error:
            checked.error(number, name, " ".join(error.messages))
            ok = False
    return values if ok else None


def _clean(name, value, today):
    if name in DATES:
        try:
            day = parse_date(value)
        except ValueError:
            raise ValidationError(f"Enter a real date, like 14/05/2026, not \u201c{_text(value)[:40]}\u201d") from None
        if day > today:
            raise ValidationError("Must be today or in the past")
        if day.year < 1990:
            raise ValidationError("Must be a date after 1990")
        return day
    text = _text(value).strip()
    if name in LIMITS and len(text) > LIMITS[name]:
        raise ValidationError(f"Must be {LIMITS[name]} characters or fewer")
    if name == "nhs_number":
        return nhs_number_clean(text)
    if name == "upn":
        return upn_clean(text)
    if name == "uln":
        return uln_clean(text)
    if name == "requested_by":
        if text.casefold() not in REQUESTERS:
            raise ValidationError("Enter parent, young person or setting")
        return REQUESTERS[text.casefold()]
    return text


def _case_dates(checked, number, values):
    if values["date_of_birth"] >= values["received_on"]:
        checked.error(number, "date_of_birth", "Must be before the day the request was received")
    if values["received_on"] - values["date_of_birth"] > datetime.timedelta(days=26 * 366):
        checked.error(number, "date_of_birth", "The child would be over 25 when the request was received")
    if values["decision_on"] and values["decision_on"] < values["received_on"]:
        checked.error(number, "decision_on", "Must be on or after the day the request was received")


def _item(checked, number, values, lookups):
    provider = lookups.providers.get(values["provider"].casefold())
    if provider is None:
        checked.error(
            number,
            "provider",
            f"\u201c{values['provider'][:80]}\u201d is not a health provider that "
            "serves your council here: use its name as on this service",
        )
        return None
    team = lookups.teams.get((provider.pk, values["team"].casefold()))
    if team is None:
        checked.error(number, "team", f"{provider.name} has no team called \u201c{values['team'][:80]}\u201d here")
        return None
    requested = values["advice_requested_on"]
    order = [("advice_requested_on", requested)]
    ok = True
    for name in ("chased_on", "escalation_1_on", "escalation_2_on"):
        if values[name] is None:
            continue
        before_name, before = order[-1]
        if values[name] < before:
            checked.error(number, name, f"Must be on or after {label(before_name).lower()} ({before:%d/%m/%Y})")
            ok = False
        order.append((name, values[name]))
    if values["escalation_2_on"] and not values["escalation_1_on"]:
        checked.error(number, "escalation_1_on", "Enter the day of escalation 1: escalation 2 comes after it")
        ok = False
    returned = values["advice_returned_on"]
    if returned is not None:
        last_name, last = order[-1]
        if returned < last:
            checked.error(
                number, "advice_returned_on", f"Must be on or after {label(last_name).lower()} ({last:%d/%m/%Y})"
            )
            ok = False
    if not ok:
        return None
    return ItemRow(
        row=number,
        provider=provider,
        team=team,
        requested_on=requested,
        returned_on=returned,
        chased_on=values["chased_on"],
        escalation_1_on=values["escalation_1_on"],
        escalation_2_on=values["escalation_2_on"],
    )
