"""Finding a child's cases from the header's search box: by name (any part, accents and case
ignored), date of birth, NHS number, UPN or ULN, or case reference, among the cases the user may
see (`assessments.access.visible_cases`) and nothing else.

Names are matched by the full-text index child_name_search (assessments.search_name, migration 0009):
each word typed, folded as the names are (case, accents, apostrophes), must start a word of the
child's name. Decision 0030.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F

from .access import visible_cases
from .identifiers import SEPARATORS, nhs_number_clean, nhs_number_display, uln_clean, upn_clean
from .search_name import Matches, NamePrefixes, SearchName

RESULTS_SHOWN = 50
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d%m%Y")
NAME_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]*)*$")
UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[A-Z0-9]$")
DATE_SHAPE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{1,4}$")


class SearchError(ValueError):
    """Input that cannot be searched for, with the message to show."""


@dataclass(frozen=True)
class Search:
    kind: str  # name, date_of_birth, nhs_number, uln, upn, reference
    value: object
    label: str  # what was searched for, in words


def _date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_parse(text: str, *, today: datetime.date) -> Search:
    """What `text` is a search for, or SearchError saying what to type instead."""
    text = " ".join((text or "").split())
    if not text:
        raise SearchError("Enter a name, date of birth, NHS number, unique pupil number or case reference")
    if len(text) > 100:
        raise SearchError("Search for 100 characters or fewer")
    compact = text.translate(SEPARATORS)
    born = _date(text)
    if born is not None:
        if born > today:
            raise SearchError("A date of birth must be today or in the past")
        return Search("date_of_birth", born, f"born {born.day} {born:%B %Y}")
    if DATE_SHAPE.match(text):
        raise SearchError("Enter a real date of birth with the year in full, like 14/05/2018")
    if compact.isascii() and compact.isdigit():
        if len(compact) != 10:
            raise SearchError(
                "An NHS number or unique learner number has 10 digits; a date of birth is like 14/05/2018"
            )
        try:
            number = nhs_number_clean(compact)
            return Search("nhs_number", number, f"NHS number {nhs_number_display(number)}")
        except ValidationError:
            pass
        try:
            return Search("uln", uln_clean(compact), f"unique learner number {compact}")
        except ValidationError:
            raise SearchError(
                f"{text} is not a valid NHS number or unique learner number: check the digits"
            ) from None
    if UPN_SHAPE.match(compact.upper()):
        try:
            upn = upn_clean(compact)
        except ValidationError:
            raise SearchError(f"{text} is not a valid unique pupil number: the check letter does not match") from None
        return Search("upn", upn, f"unique pupil number {upn}")
    if any(char.isdigit() for char in text):
        return Search("reference", text.upper(), f"case reference {text.upper()}")
    if not NAME_CHARACTERS.match(text) or sum(char.isalpha() for char in text) < 2:
        raise SearchError(
            "Enter at least 2 letters of a name (letters, spaces, hyphens and apostrophes only), or a date "
            "of birth, NHS number, unique pupil number or case reference"
        )
    return Search("name", text, f"“{text}”")


def search_cases(*, user, search: Search, limit=RESULTS_SHOWN):
    """The cases `user` may see that match, at most `limit` + 1 (so that the page can say there are
    more), best match first, each with its child and LA."""
    cases = visible_cases(user).select_related("child", "local_authority")
    if search.kind == "name":
        words = [word for word in re.split(r"[ .-]+", search.value) if word.strip("'’")]
        match = Matches(SearchName(F("child__first_name"), F("child__last_name")), NamePrefixes(words))
        cases = cases.filter(match).order_by("child__last_name", "child__first_name", "-received_on", "id")
    elif search.kind == "reference":
        cases = cases.filter(reference=search.value)
    else:
        cases = cases.filter(**{f"child__{search.kind}": search.value}).order_by(
            "child__last_name", "child__first_name", "-received_on", "id"
        )
    return list(cases[: limit + 1])
