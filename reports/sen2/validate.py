"""The return checked against its year's definition before anyone downloads it.

Three kinds of check, all read from the definition: each required item and module is there, each
value is in its code set or matches its pattern, and the year's rules across items hold. A failure
says which child, which case, and whether it can be put right on the case (`held`) or concerns an
item the product does not record, which the page lists once for the whole return."""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from assessments.models import validate_upn


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str
    element: str
    held: bool
    node: object = field(compare=False, repr=False)

    @property
    def cases(self):
        return self.node.cases or self.node.person().cases


@dataclass
class PersonResult:
    person: object
    failures: list

    @property
    def to_fix(self):
        return [f for f in self.failures if f.held]


@dataclass
class Result:
    header: list
    persons: list  # PersonResult for every child with a failure, in the return's order
    not_held: list  # (element, label, children affected), items the product does not record

    @property
    def valid(self):
        return not self.header and not self.persons

    @property
    def failure_count(self):
        return len(self.header) + sum(len(p.failures) for p in self.persons)

    @property
    def to_fix(self):
        return [p for p in self.persons if p.to_fix]


def _upn(value, year):
    try:
        validate_upn(value)
    except ValidationError:
        return False
    return True


CHECKS = {
    "upn": _upn,
    "in_collection_year": lambda value, year: value.year == year.year,
}


def validate_return(sen2_return) -> Result:
    header = list(_walk(sen2_return.header, sen2_return))
    persons = []
    not_held = Counter()
    labels = {}
    for person in sen2_return.persons:
        failures = list(_walk(person, sen2_return))
        if failures:
            persons.append(PersonResult(person, failures))
        for element in {(f.element, f.message) for f in failures if not f.held}:
            not_held[element] += 1
            labels[element] = element[1]
    return Result(
        header=header,
        persons=persons,
        not_held=[(element, labels[(element, message)], n) for (element, message), n in sorted(not_held.items())],
    )


def _walk(node, sen2_return):
    module = node.module
    yield from _items(node)
    for child in module.modules():
        present = node.children.get(child.element, [])
        if len(present) < child.min_occurs:
            yield Failure(
                f"{module.element}.{child.element}", _missing(child.label, child.held), child.element, child.held, node
            )
        if child.max_occurs is not None and len(present) > child.max_occurs:
            yield Failure(
                f"{module.element}.{child.element}.max",
                f"More than {child.max_occurs} {child.label}",
                child.element,
                True,
                node,
            )
        for grandchild in present:
            yield from _walk(grandchild, sen2_return)
    for rule in sen2_return.year.rules:
        if rule.module == module.element and not _holds(rule, node, sen2_return):
            yield Failure(rule.id, rule.message, rule.args[0], True, node)


def _missing(label, held):
    return f"{label}: missing" if held else f"{label}: not recorded in this product"


def _items(node):
    module = node.module
    for item in module.items():
        value = node.fields.get(item.element)
        rule = f"{module.element}.{item.element}"
        if value is None:
            if item.required:
                yield Failure(rule, _missing(item.label, item.held), item.element, item.held, node)
            continue
        if item.codes and str(value) not in item.codes:
            yield Failure(f"{rule}.code", f"{item.label}: not one of the codes allowed", item.element, True, node)
        elif item.pattern and not re.fullmatch(item.pattern, str(value)):
            yield Failure(f"{rule}.format", f"{item.label}: not in the form required", item.element, True, node)


def _holds(rule, node, sen2_return):  # noqa: C901 - one branch per kind of rule, the vocabulary
    args = rule.args
    if rule.kind == "one_of":
        return any(node.lookup(element) is not None for element in args)
    if rule.kind == "check":
        value = node.lookup(args[0])
        return value is None or CHECKS[args[1]](value, sen2_return.year)
    if rule.kind == "required_if":
        element, when, values = args
        return node.lookup(when) not in values or node.lookup(element) is not None
    if rule.kind == "not_before":
        later, earlier = node.lookup(args[0]), node.lookup(args[1])
        return later is None or earlier is None or later >= earlier
    if rule.kind == "not_after_reference":
        value = node.lookup(args[0])
        return value is None or value <= sen2_return.reference_date
    if rule.kind in ("child_iff", "child_only_if"):
        child, when, values = args
        present, expected = bool(node.children.get(child)), node.lookup(when) in values
        return present == expected if rule.kind == "child_iff" else (not present or expected)
    if rule.kind == "age_under":
        birth, on, years = node.lookup(args[0]), node.lookup(args[1]), args[2]
        if birth is None or on is None:
            return True
        birthday = (on.month, on.day) >= (birth.month, birth.day)
        return on.year - birth.year - (0 if birthday else 1) < years
    raise ValueError(f"Unknown kind of rule {rule.kind} ({rule.id})")
