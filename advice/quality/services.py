"""The LA's quality check of a team's returned advice: accept it, or send it back with reasons and a
note. Sent-back advice is outstanding again with a new due date on the LA's working calendar, so the
sweep chases and escalates it on the same ladder with nothing special: the item's `due_on` moves to the
new date and `next_action_on` to it, as a new item's (escalation.rules). The version sent back is kept,
superseded, as an amendment keeps the version it replaces (advice.services.amendments). The item's
`returned_on` stays the first return's date and `first_due_on` keeps the first due date: "within 6
weeks" is measured on the first return (reports.selectors.outcomes)."""

from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind
from ehc.outbox import email_queue
from ehc.text import possessive
from ehc.workdays import WorkingCalendar

from ..models import AdviceItem, AdviceReturn, ItemStatus, Stage
from ..services.common import AdviceError, _path
from .models import QualityCheck, QualityDecision, SendBackReason


def _lock_returned(item):
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("team", "provider", "case", "request", "local_authority")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.RETURNED:
        status = item.get_status_display().lower()
        raise AdviceError(f"Only returned advice can be checked: {possessive(item.team.name)} is {status}")
    current = AdviceReturn.objects.select_for_update().get(item=item)
    existing = QualityCheck.objects.filter(advice_return=current).first()
    if existing is not None:
        raise AdviceError(f"This version of the advice is already {existing.get_decision_display().lower()}")
    return item, current


@transaction.atomic
def advice_accept(*, item, user) -> QualityCheck:
    """The LA accepts the team's advice as it is now (its current version)."""
    item, current = _lock_returned(item)
    now = timezone.now()
    check = QualityCheck.objects.create(
        advice_return=current,
        item=item,
        decision=QualityDecision.ACCEPTED,
        decided_by=user,
        decided_at=now,
        decided_on=timezone.localdate(now),
    )
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Accepted {possessive(item.team.name)} health advice (version {current.version})",
    )
    return check


def send_back_due(*, la, on):
    """The new due date of advice sent back on `on`: the LA's working days later, on its calendar."""
    days = LocalAuthoritySettings.for_la(la).quality_send_back_working_days
    return WorkingCalendar.for_la(la.pk).add_working_days(on, days)


@transaction.atomic
def advice_send_back(*, item, user, reasons, note: str) -> QualityCheck:
    """Send the team's advice back: the reasons (at least one; "other" with a note), the note, the new
    due date. The team hears by email (the reference and a link)."""
    reasons = list(dict.fromkeys(reasons))
    if not reasons:
        raise AdviceError("Select why the advice is being sent back", field="reasons")
    if any(reason not in SendBackReason.values for reason in reasons):
        raise AdviceError("Select the reasons from the list", field="reasons")
    note = note.strip()
    if SendBackReason.OTHER in reasons and not note:
        raise AdviceError("Enter a note saying what else is wrong with the advice", field="note")
    item, current = _lock_returned(item)
    now = timezone.now()
    today = timezone.localdate(now)
    due_on = send_back_due(la=item.local_authority, on=today)
    current.item = None
    current.superseded_item = item
    current.superseded_at = now
    current.save(update_fields=["item", "superseded_item", "superseded_at", "updated_at"])
    check = QualityCheck.objects.create(
        advice_return=current,
        item=item,
        decision=QualityDecision.SENT_BACK,
        reasons=reasons,
        note=note,
        decided_by=user,
        decided_at=now,
        decided_on=today,
        due_on=due_on,
    )
    item.first_due_on = item.first_due_on or item.due_on
    item.due_on = due_on
    item.status = ItemStatus.OUTSTANDING
    item.closed_on = None
    # The ladder starts again from the new due date: the sweep plans the chase from it (escalation.rules).
    item.stage = Stage.REQUESTED
    item.next_action_on = due_on
    item.save(update_fields=["first_due_on", "due_on", "status", "closed_on", "stage", "next_action_on", "updated_at"])
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Sent {possessive(item.team.name)} health advice back (version {current.version} kept, "
        f"superseded; due again {due_on:%-d %B %Y}): {', '.join(check.reason_labels)}",
    )
    if item.team.email:
        email_queue(
            kind=MessageKind.ADVICE_SENT_BACK,
            dedupe_key=f"advice_sent_back:{item.pk}:{current.version}",
            to=[item.team.email],
            template="advice_sent_back",
            context={"reference": item.case.reference, "due_on": due_on, "path": _path("advice:item_detail", item.pk)},
            case=item.case,
            advice_request=item.request,
        )
    return check
