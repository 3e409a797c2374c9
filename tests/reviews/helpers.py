"""Reviews made directly as rows, in any state, for the list and report tests."""

import datetime

from assessments.models import AnnualReview, CaseStatus
from tests.factories import CaseFactory


def review(world, *, due_on, officer=None, last_name=None, **fields):
    """An open review of a new issued plan in `world`'s LA, due on `due_on`, with `fields` set."""
    case_fields = {"last_name": last_name} if last_name else {}
    case = CaseFactory(
        local_authority=world.la,
        case_officer=officer if officer is not None else world.case_officer,
        status=CaseStatus.PLAN_ISSUED,
        final_plan_issued_on=due_on - datetime.timedelta(days=365),
        **case_fields,
    )
    return AnnualReview.objects.create(
        case=case,
        local_authority=world.la,
        anchor_on=case.final_plan_issued_on,
        due_on=due_on,
        recorded_by=world.case_officer,
        **fields,
    )
