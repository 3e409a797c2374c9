"""Writing a plan (plan.plan_build) in set-based statements, inside the caller's transaction: a
5,000-row file is some tens of statements, not tens of thousands. Rows are shaped as the product's own
services shape them (assessments.services.case_create, advice.services.requests, the sweep's
escalation.sweep.stages), with their history rows (simple_history's bulk helpers), so every page
reads an imported case as one it made itself. Nothing is written to the outbox: each stage the file
says happened is recorded with its escalation already marked as queued (`messages_queued_at`), and a
response window that passed before the import is marked as already told (`response_overdue_notified`)."""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from advice.models import AdviceItem, AdviceRequest, ItemStatus, KnownStatus
from assessments.children import Child
from assessments.models import Case, CaseStatus
from ehc.models import AuditAction, AuditEvent
from escalation.models import Escalation, EscalationStage, StageChange

from ..models import ImportedCase
from .plan import ESCALATION_STAGE, STAGE_FIELDS

ACKNOWLEDGED_NOTE = "Recorded by the council's caseload import: the teams were asked before the import."


def plan_write(*, plan, la, rules, user, upload, today, progress):
    now = timezone.now()
    cases = _cases_write(plan, la, user, upload, now, progress)
    progress(40)
    requests = _requests_write(plan, la, user, cases, now)
    progress(55)
    items = _items_write(plan, la, cases, requests, now)
    progress(75)
    _stages_write(plan, la, rules, cases, requests, items, today, now)
    progress(90)
    _audit_write(plan, cases, user, upload, now)


def _child_key(data):
    if data["nhs_number"]:
        return ("nhs", data["nhs_number"])
    if data["la_reference"]:
        return ("id", data["la_reference"])
    return None


def _cases_write(plan, la, user, upload, now, progress):
    """Children and cases, new and changed; each case plan's `case_id` is set."""
    new_children, by_key = [], {}
    changed_children = {}
    for case_plan in plan.cases:
        data = case_plan.row.child
        if case_plan.child_id is not None:
            if case_plan.child_changes:
                changed_children[case_plan.child_id] = case_plan.child_changes
            continue
        key = _child_key(data)
        child = by_key.get(key) if key else None
        if child is None:
            child = Child(local_authority=la, **data)
            new_children.append(child)
            if key:
                by_key[key] = child
        case_plan.new_child = child
    bulk_create_with_history(new_children, Child, default_user=user, default_date=now)
    if changed_children:
        children = Child.objects.in_bulk(list(changed_children))
        for child_id, changes in changed_children.items():
            for name, value in changes.items():
                setattr(children[child_id], name, value)
            children[child_id].full_clean()
        bulk_update_with_history(
            list(children.values()),
            Child,
            sorted({n for c in changed_children.values() for n in c}) + ["updated_at"],
            default_user=user,
            default_date=now,
        )
    progress(20)
    new_cases = []
    for case_plan in plan.cases:
        if case_plan.child_id is None:
            case_plan.child_id = case_plan.new_child.pk
        if case_plan.case_id is not None:
            continue
        data = case_plan.row.case
        case = Case(
            local_authority=la,
            child_id=case_plan.child_id,
            requested_by=data["requested_by"],
            received_on=data["received_on"],
            decision_on=data["decision_on"],
            decided_to_assess=True if data["decision_on"] else None,
            status=CaseStatus.ASSESSING if data["decision_on"] else CaseStatus.AWAITING_DECISION,
        )
        case.refresh_next_date()
        case_plan.new_case = case
        new_cases.append(case)
    bulk_create_with_history(new_cases, Case, default_user=user, default_date=now)
    for case in new_cases:
        # As case_create: the reference is derived from the id, unique without a counter.
        case.reference = f"EHC-{case.received_on:%Y}-{case.pk:05d}"
    bulk_update_with_history(new_cases, Case, ["reference"], default_user=user, default_date=now)
    changed_cases = {p.case_id: p.case_changes for p in plan.cases if p.case_id is not None and p.case_changes}
    if changed_cases:
        found = Case.objects.in_bulk(list(changed_cases))
        for case_id, changes in changed_cases.items():
            case = found[case_id]
            for name, value in changes.items():
                setattr(case, name, value)
            if "decision_on" in changes and case.status in (CaseStatus.AWAITING_DECISION, CaseStatus.ASSESSING):
                case.decided_to_assess = True if case.decision_on else None
                case.status = CaseStatus.ASSESSING if case.decision_on else CaseStatus.AWAITING_DECISION
            case.save()
    mapped = []
    for case_plan in plan.cases:
        if case_plan.case_id is None:
            case_plan.case_id = case_plan.new_case.pk
            mapped.append(
                ImportedCase(
                    local_authority=la,
                    reference=case_plan.row.reference,
                    case_id=case_plan.case_id,
                    upload=upload,
                    imported_at=now,
                )
            )
    ImportedCase.objects.bulk_create(mapped)
    return {case_plan.row.reference: case_plan.case_id for case_plan in plan.cases}


def _requests_write(plan, la, user, cases, now):
    """One request per (case, provider), as advice_request_send makes it, acknowledged by the import."""
    keys = {(case_plan.case_id, item.row.provider.pk) for case_plan in plan.cases for item in case_plan.items}
    found = {
        (request.case_id, request.provider_id): request
        for request in AdviceRequest.objects.filter(case_id__in={key[0] for key in keys}).only(
            "id", "case_id", "provider_id"
        )
    }
    new = {}
    for case_plan in plan.cases:
        for item in case_plan.items:
            key = (case_plan.case_id, item.row.provider.pk)
            if key in found:
                continue
            request = new.get(key)
            if request is None:
                request = new[key] = AdviceRequest(
                    case_id=case_plan.case_id,
                    provider=item.row.provider,
                    local_authority=la,
                    services_named=[],
                    notified_on=item.row.requested_on,
                    due_on=item.due_on,
                    requested_by=user,
                    acknowledged_at=now,
                    acknowledgement_note=ACKNOWLEDGED_NOTE,
                )
            if item.row.team.service not in request.services_named:
                request.services_named.append(item.row.team.service)
    bulk_create_with_history(list(new.values()), AdviceRequest, default_user=user, default_date=now)
    return found | new


def _items_write(plan, la, cases, requests, now):
    new, moved = [], []
    for case_plan in plan.cases:
        for plan_item in case_plan.items:
            if plan_item.existing is not None and not (plan_item.stages or plan_item.returned_on):
                continue
            fields = {name: on for stage, on in plan_item.stages for name in [STAGE_FIELDS[stage]]}
            fields |= {
                "stage": str(plan_item.stage),
                "next_action_on": plan_item.next_action_on,
            }
            if plan_item.head_of_service_response_due_on:
                fields["head_of_service_response_due_on"] = plan_item.head_of_service_response_due_on
            if plan_item.returned_on:
                fields |= {
                    "status": ItemStatus.RETURNED,
                    "returned_on": plan_item.returned_on,
                    "closed_on": plan_item.returned_on,
                    "next_action_on": None,
                }
            if plan_item.existing is None:
                request = requests[(case_plan.case_id, plan_item.row.provider.pk)]
                item = AdviceItem(
                    request_id=request.pk,
                    team=plan_item.row.team,
                    provider=plan_item.row.provider,
                    local_authority=la,
                    case_id=case_plan.case_id,
                    due_on=plan_item.due_on,
                    known_status=KnownStatus.UNCONFIRMED,
                    named_by_family=True,
                    **fields,
                )
                new.append(item)
            else:
                item = AdviceItem.objects.get(pk=plan_item.existing["id"])
                for name, value in fields.items():
                    setattr(item, name, value)
                moved.append(item)
            plan_item.item = item
    bulk_create_with_history(new, AdviceItem, default_date=now)
    for item in moved:
        item.save()
    return new + moved


def _stages_write(plan, la, rules, cases, requests, items, today, now):
    """One Escalation per (request, stage) dated the first day a team of it reached the stage, one
    StageChange per (item, stage) with its own day: the records the sweep makes, with the file's dates."""
    firsts = {}
    for case_plan in plan.cases:
        for plan_item in case_plan.items:
            request = requests[(case_plan.case_id, plan_item.row.provider.pk)]
            for stage, on in plan_item.stages:
                key = (request.pk, ESCALATION_STAGE[stage])
                firsts[key] = min(on, firsts.get(key, on))
    existing = {
        (escalation.request_id, escalation.stage): escalation
        for escalation in Escalation.objects.filter(request_id__in={key[0] for key in firsts})
    }
    providers = {request.pk: request.provider_id for request in requests.values()}
    new = []
    for (request_id, stage), issued_on in sorted(firsts.items()):
        if (request_id, stage) in existing:
            continue
        response_due_on = None
        if stage == EscalationStage.ESCALATION_1:
            response_due_on = rules.escalation_1_response_due(issued_on)
        elif stage == EscalationStage.ESCALATION_2:
            response_due_on = rules.head_of_service_response_due(issued_on)
        escalation = Escalation(
            request_id=request_id,
            stage=stage,
            issued_on=issued_on,
            response_due_on=response_due_on,
            provider_id=providers[request_id],
            local_authority=la,
            response="",
            # Sent before the import: there is nothing to send, and a window that passed then is no news now.
            messages_queued_at=now,
            response_overdue_notified=response_due_on is not None and response_due_on < today,
        )
        existing[(request_id, stage)] = escalation
        new.append(escalation)
    Escalation.objects.bulk_create(new)
    changes = []
    for case_plan in plan.cases:
        for plan_item in case_plan.items:
            request = requests[(case_plan.case_id, plan_item.row.provider.pk)]
            for stage, on in plan_item.stages:
                escalation = existing[(request.pk, ESCALATION_STAGE[stage])]
                changes.append(StageChange(item_id=plan_item.item.pk, stage=str(stage), on=on, escalation=escalation))
    StageChange.objects.bulk_create(changes, ignore_conflicts=True)


def _audit_write(plan, cases, user, upload, now):
    """One event per case touched, in its history: what the file said happened before the import."""
    events = []
    for case_plan in plan.cases:
        lines = []
        for item in case_plan.items:
            if item.existing is not None and not (item.stages or item.returned_on):
                continue
            steps = (
                [f"asked {item.row.requested_on:%d/%m/%Y}, due {item.due_on:%d/%m/%Y}"] if item.existing is None else []
            )
            steps += [f"{stage.label.lower()} {on:%d/%m/%Y}" for stage, on in item.stages]
            if item.returned_on:
                steps.append(f"returned {item.returned_on:%d/%m/%Y}")
            lines.append(f"{item.row.team.name}: {', '.join(steps)}")
        changed = sorted(set(case_plan.child_changes) | set(case_plan.case_changes))
        if not lines and not changed and case_plan.new_case is None:
            continue
        head = "Imported" if case_plan.new_case is not None else "Updated by import"
        summary = f"{head} from {upload.filename} (council's reference {case_plan.row.reference})"
        if changed:
            summary += f"; changed {', '.join(changed)}"
        if lines:
            summary += ". Before the import: " + "; ".join(lines)
        events.append(
            AuditEvent(
                at=now,
                actor=user,
                actor_name=user.get_full_name() or user.username,
                organisation_id=user.organisation_id,
                action=AuditAction.CREATE,
                case_id=case_plan.case_id,
                object_type="case",
                object_id=str(case_plan.case_id),
                summary=summary[:500],
            )
        )
    AuditEvent.objects.bulk_create(events)
