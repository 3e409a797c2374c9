"""Moving a case officer's open cases to another case officer at once: for a leaver, or a caseload
rebalanced. The council's administrator or SEND manager does it; neither needs to see the children,
so the page works on counts and names of officers only, and a confirmation page says what will move
before anything does.

Every case moved gets its own audit event (as one moved on its case page does), in one transaction:
a case closed or moved by someone else between the confirmation and the click is left where it is,
because the move is of the open cases assigned to the officer at that moment.
"""

from django.db import transaction
from django.db.models import Count, Q

from ehc.audit import audit_record
from ehc.models import AuditAction, Role, User

from .models import CLOSED_STATUSES, Case


class CaseloadError(Exception):
    pass


def open_cases_of(*, local_authority, officer):
    return Case.objects.filter(local_authority=local_authority, case_officer=officer).exclude(
        status__in=CLOSED_STATUSES
    )


def officers_with_open_cases(*, local_authority):
    """The council's users holding open cases, active or not (a leaver may be deactivated first),
    each with `open_count`; one query."""
    return (
        User.objects.filter(organisation=local_authority)
        .annotate(
            open_count=Count(
                "caseload",
                filter=Q(caseload__local_authority=local_authority) & ~Q(caseload__status__in=CLOSED_STATUSES),
            )
        )
        .filter(open_count__gt=0)
        .order_by("last_name", "first_name", "id")
    )


@transaction.atomic
def caseload_reassign(*, local_authority, from_officer, to_officer, user) -> int:
    """Give `to_officer` every open case of `from_officer` in `local_authority`; the number moved."""
    if from_officer.pk == to_officer.pk:
        raise CaseloadError("Choose a different case officer to move the cases to")
    if (
        to_officer.organisation_id != local_authority.pk
        or not to_officer.is_active
        or Role.CASE_OFFICER not in to_officer.roles
    ):
        raise CaseloadError("Choose an active case officer of the council to move the cases to")
    cases = list(open_cases_of(local_authority=local_authority, officer=from_officer).select_for_update())
    to_name, from_name = to_officer.get_full_name(), from_officer.get_full_name()
    for case in cases:
        case.case_officer = to_officer
        case.save(update_fields=["case_officer", "updated_at"])
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=case,
            obj=case,
            summary=f"Assigned to {to_name} (the open cases of {from_name} moved together)",
        )
    return len(cases)
