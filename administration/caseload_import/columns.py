"""The caseload file's columns: one row per team asked for advice; the rows of one request for an
assessment repeat its reference and the child's details. The template file (template_file) and the
checks (check) both read this list, so the explanation sheet is the rule the checks apply."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    explanation: str
    required: bool = False
    example: str = ""


DATE_HELP = "A date: 14/05/2026 or 2026-05-14 (or a date cell in a spreadsheet)."

COLUMNS = (
    Column(
        "case_reference",
        "Council's reference",
        "Your own reference for the request for an EHC needs assessment (up to 40 characters). Every row of one "
        "request repeats it; importing a file again updates the case with this reference instead of adding one.",
        True,
        "HC-2026-0141",
    ),
    Column("first_name", "First name", "The child's or young person's first name.", True, "Ada"),
    Column("last_name", "Last name", "The child's or young person's last name.", True, "Lovelace"),
    Column("date_of_birth", "Date of birth", f"The child's date of birth. {DATE_HELP}", True, "14/05/2015"),
    Column(
        "nhs_number",
        "NHS number",
        "Optional: 10 digits, spaces allowed, checked with its check digit. A child of yours with the same NHS "
        "number is the same child.",
        example="943 476 5919",
    ),
    Column(
        "upn", "UPN", "Optional: the unique pupil number, 13 characters, checked with its check letter.", example=""
    ),
    Column("uln", "ULN", "Optional: the unique learner number, 10 digits, checked with its check digit.", example=""),
    Column(
        "child_la_id",
        "Council's ID for the child",
        "Optional: your own ID for the child (up to 30 characters), one child per ID.",
        example="C-88213",
    ),
    Column(
        "requested_by",
        "Requested by",
        "Who asked for the assessment: parent, young person or setting.",
        True,
        "parent",
    ),
    Column("received_on", "Request received", f"The day the request was received. {DATE_HELP}", True, "01/09/2026"),
    Column(
        "decision_on",
        "Decision to assess",
        f"Optional: the day the decision to assess was notified; blank while it is not decided. {DATE_HELP}",
        example="29/09/2026",
    ),
    Column(
        "provider",
        "Health provider",
        "The health provider asked for advice, by its name or short name as on this service.",
        True,
        "Bayview Children's Health Alliance",
    ),
    Column(
        "team",
        "Team",
        "The provider's team asked, by its name as on this service.",
        True,
        "Speech and Language Therapy",
    ),
    Column(
        "advice_requested_on",
        "Advice requested",
        "The day the provider's SPOC was notified: day 0 of the advice period; the due date follows from it. "
        f"Every team of one provider on one request shares it. {DATE_HELP}",
        True,
        "06/10/2026",
    ),
    Column(
        "advice_returned_on",
        "Advice returned",
        f"Optional: the day the team's advice came back; blank while it is outstanding. {DATE_HELP}",
    ),
    Column(
        "chased_on",
        "Chased on",
        f"Optional: the day the advice was chased, if it was. {DATE_HELP}",
    ),
    Column(
        "escalation_1_on",
        "Escalation 1 on",
        f"Optional: the day the escalation 1 letter went to the provider's director, if it did. {DATE_HELP}",
    ),
    Column(
        "escalation_2_on",
        "Escalation 2 on",
        f"Optional: the day it was escalated inside health (escalation 2), if it was. {DATE_HELP}",
    ),
)

BY_NAME = {column.name: column for column in COLUMNS}
NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
DATES = ("date_of_birth", "received_on", "decision_on", "advice_requested_on", "advice_returned_on")
DATES += ("chased_on", "escalation_1_on", "escalation_2_on")
# The columns every row of one request must agree on.
CASE_COLUMNS = NAMES[: NAMES.index("decision_on") + 1]
STAGE_COLUMNS = ("chased_on", "escalation_1_on", "escalation_2_on")
REQUESTERS = {"parent": "parent", "young person": "young_person", "young_person": "young_person", "setting": "setting"}


def label(name: str) -> str:
    return BY_NAME[name].label if name in BY_NAME else name
