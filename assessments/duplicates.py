"""The duplicate warning when a request is recorded: children of the LA with the same NHS number, or
born the same day with a similar name. The case officer says whether the request is for one of them
or for a different child (assessments.views.case_create).

Similar is trigram similarity as PostgreSQL's pg_trgm defines it (each word lower-cased and padded
with two spaces before and one after; shared trigrams over all trigrams; similar at 0.3, its default
threshold), computed here on the few children of the LA born that day (index child_born_la): the
embedded PostgreSQL has no pg_trgm (decision 0030). Names are folded as the search folds them.
"""

import re

from .children import Child
from .search_name import FOLD_FROM, FOLD_TO

SIMILAR = 0.3
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)
_SPELT = {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "'": "", "’": ""}


def fold(text: str) -> str:
    text = text.lower().translate(_FOLD)
    for letter, spelt in _SPELT.items():
        text = text.replace(letter, spelt)
    return text


def trigrams(text: str) -> set:
    found = set()
    for word in re.findall(r"[^\W_]+", fold(text)):
        padded = f"  {word} "
        found |= {padded[i : i + 3] for i in range(len(padded) - 2)}
    return found


def similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def possible_duplicates(*, local_authority, data: dict) -> list:
    """The LA's children the new request may be for: the same NHS number, or the same date of birth
    and a similar name. Each carries `same_nhs_number` and `likeness`, the closest first."""
    nhs_number, born = data.get("nhs_number") or "", data.get("date_of_birth")
    name = f"{data.get('first_name', '')} {data.get('last_name', '')}"
    query = Child.objects.filter(local_authority=local_authority, date_of_birth=born)
    if nhs_number:
        query = query | Child.objects.filter(local_authority=local_authority, nhs_number=nhs_number)
    found = []
    for child in query.prefetch_related("cases").order_by("id")[:200]:
        child.same_nhs_number = bool(nhs_number) and child.nhs_number == nhs_number
        child.likeness = similarity(name, child.name)
        if child.same_nhs_number or child.likeness >= SIMILAR:
            found.append(child)
    return sorted(found, key=lambda child: (not child.same_nhs_number, -child.likeness, child.pk))
