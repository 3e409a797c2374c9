"""A generated SEN2 data set: case-like rows (no database) with everything the return can hold,
built into a return and completed, as an LA's SEN2 tool would, with the items the product does
not record. `valid_return()` passes every check; tests break one thing at a time."""

import datetime
from types import SimpleNamespace

from assessments.models import UPN_LETTERS, CaseStatus
from reports.sen2.build import Node, build_return
from reports.sen2.years import YEARS

YEAR = YEARS[2026]
D = datetime.date


def upn(serial: int) -> str:
    """A valid unique pupil number: its check letter computed as the DfE specifies."""
    body = f"{880:03d}{2025 % 100:02d}{serial:07d}"
    total = sum(int(char) * position for position, char in enumerate(body, start=2))
    return UPN_LETTERS[total % 23] + body


def case(n, **fields):
    values = dict(
        pk=n,
        reference=f"EHC-S-{n:04d}",
        first_name=f"Child{n}",
        last_name="O'Neill" if n == 1 else f"Family{n}",
        date_of_birth=D(2015, 5, 1),
        postcode="TQ1 1AA",
        upn=upn(n),
        nhs_number="",
        received_on=D(2025, 2, 3),
        decision_on=None,
        decided_to_assess=None,
        draft_plan_sent_on=None,
        final_plan_issued_on=None,
        not_issuing_on=None,
        closed_on=None,
        status=CaseStatus.AWAITING_DECISION,
        sen2_excepted=False,
    )
    values.update(fields)
    return SimpleNamespace(**values)


def cases():
    """One case at each stage the product records."""
    return [
        case(1),  # awaiting the decision
        case(
            2,
            decision_on=D(2025, 3, 10),
            decided_to_assess=False,
            closed_on=D(2025, 3, 10),
            status=CaseStatus.NOT_ASSESSING,
        ),
        case(3, decision_on=D(2025, 3, 10), decided_to_assess=True, status=CaseStatus.ASSESSING),
        case(
            4,
            decision_on=D(2025, 3, 10),
            decided_to_assess=True,
            not_issuing_on=D(2025, 5, 20),
            closed_on=D(2025, 5, 20),
            status=CaseStatus.NOT_ISSUING,
        ),
        case(
            5,
            decision_on=D(2025, 3, 10),
            decided_to_assess=True,
            draft_plan_sent_on=D(2025, 6, 2),
            final_plan_issued_on=D(2025, 6, 20),
            closed_on=D(2025, 6, 20),
            status=CaseStatus.PLAN_ISSUED,
        ),
        case(
            6,
            decision_on=D(2025, 3, 10),
            decided_to_assess=True,
            draft_plan_sent_on=D(2025, 8, 1),
            final_plan_issued_on=D(2025, 9, 1),
            closed_on=D(2025, 9, 1),
            status=CaseStatus.PLAN_ISSUED,
            sen2_excepted=True,
        ),
        case(7, closed_on=D(2025, 2, 20), status=CaseStatus.WITHDRAWN),
        case(
            8,
            decision_on=D(2025, 3, 10),
            decided_to_assess=True,
            draft_plan_sent_on=D(2025, 12, 1),
            status=CaseStatus.DRAFT_PLAN,
        ),
    ]


def complete(sen2_return):
    """Fill in what the product does not record, as the LA's own SEN2 tool would."""
    source = sen2_return.header.child("Source")
    source.fields.update(LEA="880", DMO="Y", DCO="N")
    plan_detail = YEAR.module("PlanDetail")
    for person in sen2_return.persons:
        person.fields.update(Sex="F", Ethnicity="WBRI")
        for request in person.children["Requests"]:
            assessment = request.child("Assessment")
            plan = assessment.child("NamedPlan") if assessment else None
            if plan is not None:
                plan.add(
                    Node(
                        plan_detail,
                        {
                            "SENSetting": "OTH",
                            "PlacementRank": "1",
                            "SENunitIndicator": "0",
                            "ResourcedProvisionIndicator": "0",
                        },
                    )
                )
    return sen2_return


def valid_return(rows=None):
    built = build_return(
        cases=rows if rows is not None else cases(),
        year=YEAR,
        reference_date=YEAR.reference_date,
        now=datetime.datetime(2026, 1, 20, 10, 0, tzinfo=datetime.UTC),
    )
    return complete(built)


def find(sen2_return, n):
    """The Requests node of case `n`."""
    for person in sen2_return.persons:
        for request in person.children["Requests"]:
            if request.cases[0].pk == n:
                return request
    raise KeyError(n)
