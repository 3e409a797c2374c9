"""The placeholders each editable text may use, what they stand for, and their values.

Values come from what the product already snapshots: a letter's content (escalation.letters) or an
email's context (escalation.sweep.emails, escalation.sweep.digest), so a text renders the same
whenever it is rendered. Emails carry no health details (decision 0016): a placeholder that names the
child or a team is for letters only, and validation refuses it in an email's wording.
"""

import datetime
from dataclasses import dataclass

from django.utils.dateformat import format as date_format


class Kind:
    ESCALATION_1_LETTER = "escalation_1_letter"
    ESCALATION_2_NOTICE = "escalation_2_notice"
    CHASE_EMAIL = "chase_email"
    DIGEST_INTRO = "digest_intro"


LETTER = {Kind.ESCALATION_1_LETTER}
EMAILS = {Kind.ESCALATION_2_NOTICE, Kind.CHASE_EMAIL, Kind.DIGEST_INTRO}
ALL = LETTER | EMAILS
ESCALATIONS = {Kind.ESCALATION_1_LETTER, Kind.ESCALATION_2_NOTICE, Kind.CHASE_EMAIL}


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    kinds: frozenset
    example: str
    # Names the child or a team: letters only (an email carries no health details).
    health_detail: bool = False
    # A table or list: stands alone in its paragraph.
    block: bool = False


def _p(name, description, kinds, example, **flags):
    return Placeholder(name, description, frozenset(kinds), example, **flags)


PLACEHOLDERS = [
    _p("reference", "The case reference", ESCALATIONS, "EHC-2027-0000123"),
    _p("la_name", "The local authority's name", ALL, "Harbourside Council"),
    _p("provider_name", "The health provider's name", ESCALATIONS, "Demo Children's Health Service"),
    _p("director_name", "The provider director the letter is addressed to", LETTER, "Sam Sample"),
    _p("ad_name", "The AD Education's name", LETTER, "Morgan Ellery"),
    _p("ad_title", "The AD Education's title", LETTER, "Assistant Director of Education"),
    _p("child_name", "The child's name", LETTER, "Alex Example", health_detail=True),
    _p("child_date_of_birth", "The child's date of birth", LETTER, "14 May 2018", health_detail=True),
    _p("request_date", "The date the SPOC was asked for the advice", ESCALATIONS, "20 November 2026"),
    _p("advice_due_on", "The date the advice was due (the earliest, if teams differ)", ESCALATIONS, "1 January 2027"),
    _p("chase_date", "The date the advice was chased", {Kind.ESCALATION_1_LETTER, Kind.CHASE_EMAIL}, "4 January 2027"),
    _p("letter_date", "The letter's date", LETTER, "15 January 2027"),
    _p("escalation_2_date", "The date of escalation 2", {Kind.ESCALATION_2_NOTICE}, "29 January 2027"),
    _p(
        "response_due_on",
        "The date a response is due: the DCO/DMO office's to the letter, the heads of service's to escalation 2",
        LETTER | {Kind.ESCALATION_2_NOTICE},
        "Wednesday 20 January 2027",
    ),
    _p("teams_count", "How many teams' advice is outstanding", ESCALATIONS, "2"),
    _p("teams_phrase", "The same in words: \"1 team\", \"2 teams\"", ESCALATIONS, "2 teams"),
    _p(
        "teams_not_returned",
        "A sentence: \"1 team has not returned its advice\", \"2 teams have not returned their advice\"",
        ESCALATIONS,
        "2 teams have not returned their advice",
    ),
    _p(
        "teams_table",
        "The table of outstanding teams, with their due dates and days overdue (on a line of its own)",
        LETTER,
        "(table)",
        health_detail=True,
        block=True,
    ),
    _p(
        "response_required",
        "The boxed \"Response required by\" date (on a line of its own)",
        LETTER,
        "(box)",
        block=True,
    ),
    _p(
        "teams_list",
        "The outstanding advice as a list of due dates and days overdue, no team names (on a line of its own)",
        {Kind.CHASE_EMAIL, Kind.ESCALATION_2_NOTICE},
        "(list)",
        block=True,
    ),
    _p("digest_date", "The date of the weekly list", {Kind.DIGEST_INTRO}, "1 February 2027"),
    _p("week_of", "The Monday of the list's week", {Kind.DIGEST_INTRO}, "1 February 2027"),
    _p("items_count", "How many items are overdue", {Kind.DIGEST_INTRO}, "12"),
    _p("items_phrase", "The same in words: \"1 item\", \"12 items\"", {Kind.DIGEST_INTRO}, "12 items"),
    _p("advice_period", "The advice period in words (\"6 weeks\")", ALL, "6 weeks"),
    _p("advice_period_weeks", "The advice period in weeks", ALL, "6"),
    _p("advice_period_days", "The advice period in days", ALL, "42"),
    _p("chase_after_due", "When the chase goes after the due date (\"1 working day\")", ALL, "1 working day"),
    _p("escalation_1_after_due", "When escalation 1 comes after the due date (\"2 weeks\")", ALL, "2 weeks"),
    _p(
        "escalation_1_response_period",
        "The DCO/DMO office's window to respond to escalation 1 (\"3 working days\")",
        ALL,
        "3 working days",
    ),
    _p(
        "escalation_2_after_escalation_1",
        "When escalation 2 comes after the escalation 1 letter (\"2 weeks\")",
        ALL,
        "2 weeks",
    ),
    _p(
        "head_of_service_response_period",
        "The heads of service's window to answer escalation 2 (\"10 working days\")",
        ALL,
        "10 working days",
    ),
    _p("final_plan_weeks", "The weeks by which the final EHC plan must be issued (the law's 20)", ALL, "20"),
]
BY_NAME = {placeholder.name: placeholder for placeholder in PLACEHOLDERS}
TIMINGS = (
    "advice_period",
    "advice_period_weeks",
    "advice_period_days",
    "chase_after_due",
    "escalation_1_after_due",
    "escalation_1_response_period",
    "escalation_2_after_escalation_1",
    "head_of_service_response_period",
)


def for_kind(kind) -> list[Placeholder]:
    return [placeholder for placeholder in PLACEHOLDERS if kind in placeholder.kinds]


def _day(value, pattern="j F Y") -> str:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value) if value else None
    return date_format(value, pattern) if value else ""


def _count(number, noun) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _not_returned(number) -> str:
    if number == 1:
        return "1 team has not returned its advice"
    return f"{number} teams have not returned their advice"


def _timings(timings: dict, final_plan_weeks) -> dict:
    values = {name: str(timings[name]) for name in TIMINGS if name in (timings or {})}
    values["final_plan_weeks"] = str(final_plan_weeks)
    return values


def letter_values(content: dict) -> dict:
    """The values of a letter's placeholders, from its snapshot (escalation.letters.letter_content)."""
    from assessments.timeline import FINAL_PLAN_WEEKS

    teams = content.get("teams") or []
    dues = sorted(team["due_on"] for team in teams if team.get("due_on"))
    return {
        "reference": content.get("reference", ""),
        "la_name": content["local_authority"]["name"],
        "provider_name": content["addressee"]["organisation"],
        "director_name": content["addressee"].get("name") or "",
        "ad_name": content["signatory"].get("name") or "",
        "ad_title": content["signatory"].get("title") or "",
        "child_name": content["child"].get("name") or "",
        "child_date_of_birth": _day(content["child"].get("date_of_birth")),
        "request_date": _day(content.get("notified_on")),
        "advice_due_on": _day(dues[0] if dues else None),
        "chase_date": _day(content.get("chased_on")) or "(not chased)",
        "letter_date": _day(content.get("dated")),
        "response_due_on": _day(content.get("response_due_on"), "l j F Y"),
        "teams_count": str(len(teams)),
        "teams_phrase": _count(len(teams), "team"),
        "teams_not_returned": _not_returned(len(teams)),
        **_timings(content.get("timings"), content.get("final_plan_weeks", FINAL_PLAN_WEEKS)),
    }


def email_values(kind, context: dict) -> dict:
    """The values of an email's placeholders, from its context snapshot: no child, no team names."""
    from assessments.timeline import FINAL_PLAN_WEEKS

    values = _timings(context.get("timings"), FINAL_PLAN_WEEKS)
    values["la_name"] = context.get("la_name", "")
    if kind == Kind.DIGEST_INTRO:
        count = context.get("count", 0)
        values.update(
            digest_date=_day(context.get("issued_on")),
            week_of=_day(context.get("week_of")),
            items_count=str(count),
            items_phrase=_count(count, "item"),
        )
        return values
    teams = context.get("teams") or []
    dues = sorted(team["due_on"] for team in teams if team.get("due_on"))
    values.update(
        reference=context.get("reference", ""),
        provider_name=context.get("provider_name", ""),
        request_date=_day(context.get("requested_on")),
        advice_due_on=_day(dues[0] if dues else None),
        teams_count=str(len(teams)),
        teams_phrase=_count(len(teams), "team"),
        teams_not_returned=_not_returned(len(teams)),
    )
    if kind == Kind.CHASE_EMAIL:
        values["chase_date"] = _day(context.get("issued_on"))
    else:
        values["escalation_2_date"] = _day(context.get("issued_on"))
        values["response_due_on"] = _day(context.get("response_due_on"), "l j F Y")
    return values
