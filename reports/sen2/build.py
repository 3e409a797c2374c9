"""The return's content from the cases: one Person per child, one Requests per case, with the
assessment and the plan where the case got that far, as they stood on the reference date.

Only what the product records is filled in; everything else stays None and is never written
(decision 0032). Dates after the reference date count as not yet happened, so a return for a past
census reads the same whenever it is run."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from assessments.models import CaseStatus, TimelineException
from assessments.timeline import FINAL_PLAN_WEEKS

from ..selectors.scope import cases_in_scope
from .definition import FALSE, TRUE
from .identity import child_identity

SOFTWARE = "EHC health advice"
RELEASE = "1"
SERIAL_NO = "001"
LEFT = {CaseStatus.WITHDRAWN, CaseStatus.MOVED_AWAY}


@dataclass
class Node:
    """One module's element in the return: its items' values (None: not known) and child elements."""

    module: object
    fields: dict
    parent: "Node | None" = None
    children: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)  # the cases this element comes from (links on the page)

    def add(self, child):
        child.parent = self
        self.children.setdefault(child.module.element, []).append(child)
        return child

    def child(self, element):
        found = self.children.get(element) or []
        return found[0] if found else None

    def lookup(self, element):
        """The value of `element` here or on the nearest ancestor that has the item."""
        node = self
        while node is not None:
            if element in node.fields:
                return node.fields[element]
            node = node.parent
        raise KeyError(element)

    def person(self):
        node = self
        while node.parent is not None and node.module.element != "Person":
            node = node.parent
        return node


@dataclass
class Sen2Return:
    year: object
    reference_date: datetime.date
    header: Node
    persons: list
    counts: dict


def return_cases(user, *, year, reference_date):
    """The LA's cases the return covers: received by the reference date and not ended before the
    collection period began. Cases shared in from another LA are that LA's to return."""
    excepted = TimelineException.objects.filter(case_id=OuterRef("pk"), starts_on__lte=reference_date)
    return (
        cases_in_scope(user)
        .filter(local_authority_id=user.organisation_id, received_on__lte=reference_date)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=year.period_start))
        .annotate(sen2_excepted=Exists(excepted))
        .order_by("received_on", "id")
    )


def build_return(*, cases, year, reference_date, lea="", dmo="", dco="", now=None) -> Sen2Return:
    header = _header(year, reference_date, lea=lea, dmo=dmo, dco=dco, now=now or timezone.now())
    persons = {}
    for case in cases:
        identity = child_identity(case)
        person = persons.get(identity.key)
        if person is None:
            person = persons[identity.key] = Node(year.person, {})
        # The latest request's details describe the child (cases come oldest first).
        person.fields = _person_fields(identity, year)
        person.cases.append(case)
        _add_request(person, case, year, reference_date)
    ordered = sorted(
        persons.values(),
        key=lambda p: (p.fields["Surname"].casefold(), p.fields["Forename"].casefold(), p.fields["PersonBirthDate"]),
    )
    return Sen2Return(year, reference_date, header, ordered, _counts(ordered, year))


def _header(year, reference_date, *, lea, dmo, dco, now):
    header = Node(year.header, {})
    collection, source = year.header.modules()
    header.add(Node(collection, {"Collection": "SEN2", "Year": str(year.year), "ReferenceDate": reference_date}))
    header.add(
        Node(
            source,
            {
                "SourceLevel": "L",
                "LEA": lea or None,
                "SoftwareCode": SOFTWARE,
                "Release": RELEASE,
                "SerialNo": SERIAL_NO,
                "DateTime": timezone.localtime(now).replace(microsecond=0, tzinfo=None),
                "DMO": dmo or None,
                "DCO": dco or None,
            },
        )
    )
    return header


def _person_fields(identity, year):
    fields = _blank(year.person)
    fields.update(
        Surname=identity.surname,
        Forename=identity.forename,
        PersonBirthDate=identity.birth_date,
        Sex=identity.sex,
        Ethnicity=identity.ethnicity,
        PostCode=_postcode(identity.postcode),
        UPN=identity.upn.upper() or None,
        UniqueLearnerNumber=identity.uln,
    )
    return fields


def _postcode(value):
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else (compact or None)


def _blank(module):
    return {item.element: None for item in module.items()}


def _add_request(person, case, year, reference_date):
    def on(day):
        return day if day is not None and day <= reference_date else None

    requests_module = year.person.modules()[0]
    assessment_module = requests_module.modules()[0]
    plan_module = assessment_module.modules()[0]

    ended = on(case.closed_on)
    left = ended if case.status in LEFT else None
    decided_on = on(case.decision_on)
    fields = _blank(requests_module) | {"ReceivedDate": case.received_on}
    if decided_on and case.decided_to_assess is not None:
        fields.update(RequestOutcome="Y" if case.decided_to_assess else "N", RequestOutcomeDate=decided_on)
    elif left:
        fields.update(RequestOutcome="W", RequestOutcomeDate=left)
    else:
        fields.update(RequestOutcome="A")
    request = person.add(Node(requests_module, fields, cases=[case]))
    if fields["RequestOutcome"] != "Y":
        return

    issued = on(case.final_plan_issued_on)
    draft = on(case.draft_plan_sent_on)
    not_issuing = on(case.not_issuing_on)
    fields = _blank(assessment_module) | {"Week20": TRUE if case.sen2_excepted else FALSE}
    if issued or draft:
        # The product has no date of the decision to issue: sending the draft plan is the first act
        # that needs it (decision 0032).
        fields.update(AssessmentOutcome="Y", AssessmentOutcomeDate=draft or issued)
    elif not_issuing:
        fields.update(AssessmentOutcome="N", AssessmentOutcomeDate=not_issuing)
    elif left:
        fields.update(AssessmentOutcome="W", AssessmentOutcomeDate=left)
    else:
        fields.update(AssessmentOutcome="A")
    assessment = request.add(Node(assessment_module, fields, cases=[case]))
    if issued:
        assessment.add(Node(plan_module, _blank(plan_module) | {"StartDate": issued}, cases=[case]))


def _counts(persons, year):
    requests = [r for p in persons for r in p.children.get("Requests", [])]
    plans = [
        (r, r.child("Assessment").child("NamedPlan"))
        for r in requests
        if r.child("Assessment") is not None and r.child("Assessment").child("NamedPlan") is not None
    ]
    in_period = [(r, plan) for r, plan in plans if year.period_start <= plan.fields["StartDate"] <= year.period_end]
    not_excepted = [(r, plan) for r, plan in in_period if r.child("Assessment").fields["Week20"] == FALSE]
    within = [
        1
        for r, plan in not_excepted
        if plan.fields["StartDate"] <= r.fields["ReceivedDate"] + datetime.timedelta(weeks=FINAL_PLAN_WEEKS)
    ]
    return {
        "children": len(persons),
        "requests": len(requests),
        "received_in_period": sum(
            1 for r in requests if year.period_start <= r.fields["ReceivedDate"] <= year.period_end
        ),
        "assessments": sum(1 for r in requests if r.child("Assessment") is not None),
        "plans_in_period": len(in_period),
        "plans_not_excepted": len(not_excepted),
        "plans_within_20_weeks": len(within),
    }
