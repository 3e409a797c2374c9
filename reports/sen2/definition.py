"""The shape of one collection year's SEN2 return, as data (decision 0032).

A year is a `YearDefinition`: the header, the modules (XML elements in the order the specification
sets, with their items and child modules), the code sets, and the rules that cross items. The
builder, the validator, the XML writer and the schema all read it; nothing else knows an element
name. A new year is a new module in `reports/sen2/years/` that copies the last one and changes what
the DfE changed.
"""

import datetime
from dataclasses import dataclass, field

STRING, DATE, DATETIME, CODE, BOOL = "string", "date", "datetime", "code", "bool"

# How the return writes a yes/no item. The DfE's pre-submission workbook reads 0 and 1.
TRUE, FALSE = "1", "0"


@dataclass(frozen=True)
class Item:
    """One data item: its XML element, what it is called on screen, and what it may hold.

    `required`: the item must be there whenever its module is (minOccurs 1 in the schema).
    `held`: whether this product records it. An item it does not hold is never written (nothing is
    invented); if it is required, every child lacks it, which the page says once, not per child.
    `fix`: where on the case a missing held item is put right."""

    element: str
    label: str
    kind: str = STRING
    required: bool = False
    held: bool = True
    codes: dict = field(default_factory=dict)
    pattern: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Module:
    """An XML element holding items and further modules, in `sequence` order."""

    element: str
    label: str
    sequence: tuple
    min_occurs: int = 0
    max_occurs: int | None = 1  # None: unbounded
    held: bool = True

    def items(self):
        return [entry for entry in self.sequence if isinstance(entry, Item)]

    def modules(self):
        return [entry for entry in self.sequence if isinstance(entry, Module)]

    def item(self, element):
        for entry in self.items():
            if entry.element == element:
                return entry
        raise KeyError(f"{self.element} has no item {element}")

    def walk(self):
        yield self
        for child in self.modules():
            yield from child.walk()


@dataclass(frozen=True)
class Rule:
    """A check across items, in a small vocabulary `reports.sen2.validate` evaluates.

    kinds and their `args`:
      one_of (elements...)                      at least one is present
      check (element, check_name)               a named check (e.g. the UPN's check letter)
      required_if (element, when, values)       element present when `when` is one of values
      not_before (later, earlier)               both present: later >= earlier
      not_after_reference (element,)            on or before the return's reference date
      child_iff (module, when, values)          the child module is there exactly when `when` is one of values
      child_only_if (module, when, values)      the child module is there only when `when` is one of values
      age_under (birth, on, years)              aged under `years` on the date `on`
    An element named in args is looked up on the module the rule belongs to, then its ancestors."""

    id: str
    module: str
    kind: str
    args: tuple
    message: str


@dataclass(frozen=True)
class YearDefinition:
    year: int
    reference_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    header: Module
    person: Module
    rules: tuple
    sources: tuple  # where each part of this definition comes from (shown on the page)
    not_produced_note: str = ""

    def module(self, element):
        for module in (*self.header.walk(), *self.person.walk()):
            if module.element == element:
                return module
        raise KeyError(element)

    def not_held(self):
        """(module, item) for every item of the layout the product does not record."""
        for module in self.person.walk():
            if not module.held:
                continue
            for item in module.items():
                if not item.held:
                    yield module, item

    def modules_not_held(self):
        return [module for module in self.person.walk() if not module.held]
