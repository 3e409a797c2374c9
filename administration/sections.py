"""The administration pages each kind of organisation has, in the order the index and the side
navigation list them. A page adds its line here; nothing else needs to know it exists."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .access import ICB, LA, PROVIDER


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    description: str
    kinds: tuple


ALL = (LA, PROVIDER, ICB)

SECTIONS = [
    Section(
        "administration:people",
        "People",
        "Your organisation's users: invite them, change their roles, deactivate and reactivate them.",
        ALL,
    ),
    Section(
        "administration:timings",
        "Timings",
        "The advice period, the chase rule, the escalations and their response windows, and the weekly list's "
        "day and time, with a preview of what a change does to the open advice.",
        (LA,),
    ),
    Section(
        "administration:review_timings",
        "Annual review timings",
        "Whether reviews follow the child's birthday, the notice of a review meeting to those invited and to "
        "health, and when their reports are due before it.",
        (LA,),
    ),
    Section(
        "administration:recipients",
        "Recipients and letters",
        "The AD Education, business support, the secure domains letters may be attached for, letter approval, "
        "who sees which cases and the partners a case may be shared with.",
        (LA,),
    ),
    Section(
        "administration:closures",
        "Closure days",
        "Days the council is closed besides the bank holidays: no chase or escalation goes on them.",
        (LA,),
    ),
    Section(
        "administration:provision_types",
        "Types of provision",
        "The list health advice givers choose from for each row of provision, which the commissioning report "
        "counts by: add, rename, order and retire types.",
        (LA,),
    ),
    Section(
        "administration:teams",
        "Teams",
        "The teams that write health advice: name, service and mailbox; deactivate a team no longer in use.",
        (PROVIDER,),
    ),
    Section(
        "administration:heads",
        "Heads of service",
        "Who answers escalation 2 for each team.",
        (PROVIDER,),
    ),
    Section(
        "administration:contacts",
        "SPOC mailbox and director",
        "Where requests for health advice go, and the director escalation 1 letters are addressed to.",
        (PROVIDER,),
    ),
    Section(
        "administration:area",
        "Local authorities of the area",
        "The councils in your area and each one's DCO/DMO office mailbox.",
        (ICB,),
    ),
    Section(
        "administration:la_dco_office",
        "DCO/DMO office mailbox",
        "Where escalations of your council's health advice are copied: set by your ICB's administrator.",
        (LA,),
    ),
    Section(
        "administration:letterhead",
        "Letterhead and signature",
        "The address block, logo and footer the escalation letters print, and the AD Education's signature.",
        (LA,),
    ),
    Section(
        "administration:caseload_import",
        "Import a caseload",
        "Bring in the cases already running, with their advice and the stages already reached, from a CSV or "
        "Excel file: checked first, nothing sent for what already happened.",
        (LA,),
    ),
    Section(
        "administration:wording",
        "Letter and email wording",
        "The words of the escalation 1 letter, the escalation 2 notice, the chase email and the weekly list, "
        "in versions, with a preview.",
        (LA,),
    ),
    Section(
        "administration:history",
        "Settings history",
        "Every change to your organisation's settings and people: who made it, when, before and after.",
        ALL,
    ),
]


def register_section(section: Section):
    """Add a section from a layer above (the API's clients, api.apps): listed before the settings
    history, which stays last. Registering the same section twice (a second `ready()`) keeps one."""
    if section not in SECTIONS:
        SECTIONS.insert(len(SECTIONS) - 1, section)
    return section


def sections_for(organisation) -> list[dict]:
    """The sections an administrator of `organisation` has, with their addresses."""
    found = []
    for section in SECTIONS:
        if organisation.kind not in section.kinds:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        found.append({"url": url, "label": section.label, "description": section.description})
    return found
