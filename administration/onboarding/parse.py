"""The onboarding file: CSV, one organisation a row, read and checked before anything is written.

Columns (a header row names them, in any order; blank cells are fine where a column does not apply):
kind (icb, la or provider), name, short_name, address (lines separated by " | "), icb (an LA's ICB),
serves (a provider's LAs, separated by ";"), spoc_email, director_name, director_title,
director_email (providers), business_support_email, ad_education_name, ad_education_email,
dco_office_email (LAs), admin_first_name, admin_last_name, admin_email (every row: the
organisation's first administrator)."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

KINDS = {"icb": "an ICB", "la": "a local authority", "provider": "a health provider"}
COMMON = ["kind", "name", "short_name", "address", "admin_first_name", "admin_last_name", "admin_email"]
ONLY = {
    "icb": [],
    "la": ["icb", "business_support_email", "ad_education_name", "ad_education_email", "dco_office_email"],
    "provider": ["serves", "spoc_email", "director_name", "director_title", "director_email"],
}
COLUMNS = COMMON + [column for columns in ONLY.values() for column in columns]
REQUIRED = {
    "icb": ["name", "admin_first_name", "admin_last_name", "admin_email"],
    "la": ["name", "icb", "admin_first_name", "admin_last_name", "admin_email"],
    "provider": ["name", "serves", "spoc_email", "admin_first_name", "admin_last_name", "admin_email"],
}
LIMITS = {"name": 200, "short_name": 40, "director_name": 200, "director_title": 200, "ad_education_name": 200}
LIMITS |= {"admin_first_name": 150, "admin_last_name": 150}
MAX_BYTES = 100_000
MAX_ROWS = 200


class OnboardError(Exception):
    """Everything wrong with a file, each a sentence a person can act on."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Entry:
    line: int
    kind: str
    name: str
    values: dict = field(default_factory=dict)

    def get(self, column) -> str:
        return self.values.get(column, "")

    @property
    def serves(self) -> list[str]:
        return [name.strip() for name in self.get("serves").split(";") if name.strip()]

    @property
    def address(self) -> str:
        return "\n".join(line.strip() for line in self.get("address").split("|") if line.strip())


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise OnboardError([f"The file is larger than {MAX_BYTES // 1000} KB: an area's file is a few rows"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OnboardError(["The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8"]) from None


def read(text: str) -> list[Entry]:
    """The file's rows as entries, or OnboardError listing every problem found (by line)."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise OnboardError([f"The file is not valid CSV: {error}"]) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise OnboardError(["The file is empty: it needs a header row and a row for each organisation"])
    header = [cell.strip().lower() for cell in rows[0]]
    errors = []
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        errors.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: the columns are "
            f"{', '.join(COLUMNS)}"
        )
    if "kind" not in header or "name" not in header:
        errors.append("The header row must name the columns kind and name at least")
    if len(set(header)) != len(header):
        errors.append("A column is named twice in the header row")
    if errors:
        raise OnboardError(errors)
    if len(rows) == 1:
        raise OnboardError(["The file has a header row and no organisation"])
    if len(rows) - 1 > MAX_ROWS:
        raise OnboardError([f"The file has more than {MAX_ROWS} organisations: onboard one area at a time"])
    entries, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            errors.append(
                f"Line {number}: more cells than the header has columns (a comma inside a value "
                "needs the value in double quotes)"
            )
            continue
        values = {column: cell.strip() for column, cell in zip(header, row, strict=False) if cell.strip()}
        entry = Entry(line=number, kind=values.get("kind", "").lower(), name=values.get("name", ""), values=values)
        errors += _check(entry)
        key = entry.name.lower()
        if entry.name and key in seen:
            errors.append(f"Line {number}: {entry.name} is already on line {seen[key]}")
        seen.setdefault(key, number)
        entries.append(entry)
    if errors:
        raise OnboardError(errors)
    return entries


def _check(entry) -> list[str]:
    at = f"Line {entry.line}"
    if entry.kind not in KINDS:
        return [f"{at}: kind must be icb, la or provider, not {entry.get('kind') or 'blank'}"]
    errors = []
    for column in REQUIRED[entry.kind]:
        if not entry.get(column):
            errors.append(f"{at}: {KINDS[entry.kind]} needs {column}")
    for kind, columns in ONLY.items():
        for column in columns:
            if kind != entry.kind and entry.get(column) and column not in ONLY[entry.kind]:
                errors.append(f"{at}: {column} is for {KINDS[kind]} only, and {entry.name} is {KINDS[entry.kind]}")
    for column, limit in LIMITS.items():
        if len(entry.get(column)) > limit:
            errors.append(f"{at}: {column} must be {limit} characters or fewer")
    for column in entry.values:
        if column.endswith("_email") and entry.get(column):
            try:
                validate_email(entry.get(column))
            except ValidationError:
                errors.append(f"{at}: {column} {entry.get(column)} is not an email address")
    return errors
