"""Workflows on EHC needs assessment cases. Every change is audited."""

from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction

from .children import IDENTITY_FIELDS
from .models import Case, CaseStatus, Child, TimelineException
from .signals import case_ended, plan_issued


def _split(data: dict):
    """(the child's fields, the case's fields) of the case form's data."""
    child_data = {name: value for name, value in data.items() if name in IDENTITY_FIELDS}
    return child_data, {name: value for name, value in data.items() if name not in IDENTITY_FIELDS}


def _changed_fields(obj, data):
    return [name for name, value in data.items() if getattr(obj, name) != value]


def _labels(model, names):
    return ", ".join(model._meta.get_field(name).verbose_name for name in names)


def _child_update(*, child, user, data: dict, case=None) -> list:
    """Save the child's changed details (validated, audited); returns the names changed."""
    changed = _changed_fields(child, data)
    if changed:
        for name in changed:
            setattr(child, name, data[name])
        child.full_clean()
        child.save()
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=case,
            obj=child,
            summary=f"Changed the child's {_labels(Child, changed)}",
        )
    return changed


@transaction.atomic
def case_create(*, user, local_authority, data: dict, child: Child | None = None) -> Case:
    """A new request. For `child` (an existing record of the LA's) when given, whose details the form's
    replace; else for the LA's child with the same NHS number if there is one (an NHS number is one
    person's); else for a new child."""
    child_data, case_data = _split(data)
    if child is None and child_data.get("nhs_number"):
        child = Child.objects.filter(local_authority=local_authority, nhs_number=child_data["nhs_number"]).first()
    created_child = child is None
    if created_child:
        child = Child(local_authority=local_authority, **child_data)
        child.full_clean()
        child.save()
    elif child.local_authority_id != local_authority.pk:
        raise ValueError("A case is recorded for a child of its own LA only")
    case = Case(local_authority=local_authority, child=child, **case_data)
    if user.is_case_officer and case.case_officer_id is None:
        case.case_officer = user
    case.status = CaseStatus.AWAITING_DECISION
    case.full_clean(exclude=["reference"])
    case.save()
    # The reference is derived from the id so it is unique without a second counter.
    case.reference = f"EHC-{case.received_on:%Y}-{case.pk:05d}"
    case.save(update_fields=["reference"])
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=case,
        summary=f"Recorded request {case.reference}"
        + ("" if created_child else f" for the child of {_earlier(case)}"),
    )
    if not created_child:
        _child_update(child=child, user=user, data=child_data, case=case)
    return case


def _earlier(case):
    references = list(
        Case.objects.filter(child_id=case.child_id).exclude(pk=case.pk).order_by("received_on", "id")
        .values_list("reference", flat=True)
    )
    return ", ".join(reference or "" for reference in references) or "no earlier request"


@transaction.atomic
def case_update(*, case, user, data: dict) -> Case:
    child_data, case_data = _split(data)
    changed_child = _child_update(child=case.child, user=user, data=child_data, case=case)
    changed = _changed_fields(case, case_data)
    if changed:
        for name in changed:
            setattr(case, name, case_data[name])
        case.full_clean()
        case.save()
        audit_record(
            user=user, action=AuditAction.CHANGE, case=case, obj=case, summary=f"Changed {_labels(Case, changed)}"
        )
    elif changed_child and "date_of_birth" in changed_child:
        case.full_clean()  # the date of birth must still come before the request
    return case


@transaction.atomic
def case_record_decision(*, case, user, decided_to_assess: bool, decision_on) -> Case:
    case.decided_to_assess = decided_to_assess
    case.decision_on = decision_on
    if decided_to_assess:
        case.status = CaseStatus.ASSESSING
    else:
        case.status = CaseStatus.NOT_ASSESSING
        case.closed_on = decision_on
    case.save()
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=case,
        summary=f"Recorded decision {'to assess' if decided_to_assess else 'not to assess'} on {decision_on:%d/%m/%Y}",
    )
    if not decided_to_assess:
        case_ended.send(sender=Case, case=case, on=decision_on)
    return case


@transaction.atomic
def case_record_not_issuing(*, case, user, not_issuing_on, reason: str) -> Case:
    case.not_issuing_on = not_issuing_on
    case.status = CaseStatus.NOT_ISSUING
    case.closed_on = not_issuing_on
    case.closed_reason = reason
    case.save()
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=case,
        summary="Recorded notice not to issue a plan",
    )
    return case


@transaction.atomic
def case_record_final_plan(*, case, user, final_plan_issued_on) -> Case:
    case.final_plan_issued_on = final_plan_issued_on
    case.status = CaseStatus.PLAN_ISSUED
    case.closed_on = final_plan_issued_on
    case.save()
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=case,
        summary=f"Recorded final plan issued on {final_plan_issued_on:%d/%m/%Y}",
    )
    plan_issued.send(sender=Case, case=case, on=final_plan_issued_on, by=user)
    return case


@transaction.atomic
def case_close(*, case, user, status: str, closed_on, reason: str) -> Case:
    """Withdrawn or moved away: the case ends early and every advice timer stops (the advice app
    listens for `case_ended`)."""
    case.status = status
    case.closed_on = closed_on
    case.closed_reason = reason
    case.save()
    case_ended.send(sender=Case, case=case, on=closed_on)
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=case,
        summary=f"Closed: {CaseStatus(status).label}",
    )
    return case


@transaction.atomic
def case_assign_officer(*, case, user, case_officer) -> Case:
    case.case_officer = case_officer
    case.save()
    name = case_officer.get_full_name() if case_officer else "nobody"
    audit_record(user=user, action=AuditAction.CHANGE, case=case, obj=case, summary=f"Assigned to {name}")
    return case


@transaction.atomic
def exception_record(*, case, user, reason, detail, agreed_by, starts_on) -> TimelineException:
    exception = TimelineException.objects.create(
        case=case, reason=reason, detail=detail, agreed_by=agreed_by, starts_on=starts_on, recorded_by=user
    )
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=exception,
        summary=f"Recorded exception: {exception.get_reason_display()}, agreed by {agreed_by}",
    )
    return exception


def today():
    return timezone.localdate()
