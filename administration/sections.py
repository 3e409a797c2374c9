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
        "administration:letterhead",
        "Letterhead and signature",
        "The address block, logo and footer the escalation letters print, and the AD Education's signature.",
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
