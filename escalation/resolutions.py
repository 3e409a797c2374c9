"""Escalation 2 belongs to the DCO: before its date the DCO office can record a resolution on an item,
which stops that item's escalation 2 (DOMAIN.md, the Torbay process, step 6).

- A date agreed with the team becomes the item's promised date: it stays outstanding and tracked, and
  if the date passes without the advice the LA is told once (escalation.sweep.promises).
- Agreement with the LA that the advice is not needed closes the item as not provided, with the
  reason: every timer of it stops.

Either way the item's next action date is cleared (the sweep never claims it again for escalation 2),
and the sweep skips an item with a resolution even if something set a date on it later
(escalation.sweep.transitions). If nothing is recorded by its date, escalation 2 goes on time as
the DCO office's notice (escalation.sweep.emails.Messages.escalation_2): the process never waits for a person.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus, NotProvidedReason, Stage
from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind
from ehc.text import possessive

from .models import Escalation2Resolution, ResolutionKind
from .services import answer_notify


class ResolutionError(Exception):
    """Refused: shown to the DCO as a GOV.UK error, nothing changed."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def escalation_2_resolution_record(*, item, user, kind, agreed_date=None, reason) -> Escalation2Resolution:
    """Record the DCO office's resolution of `item` before its escalation 2; audited, and told to the LA."""
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("team", "case__case_officer", "case__local_authority")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.OUTSTANDING:
        raise ResolutionError(f"{possessive(item.team.name)} advice is already {item.get_status_display().lower()}")
    if item.stage != Stage.ESCALATION_1:
        raise ResolutionError(
            "Escalation 2 has already gone for this advice"
            if item.stage == Stage.ESCALATION_2
            else "A resolution can be recorded once escalation 1 has gone, before escalation 2"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ResolutionError("Enter the reason", field="reason")
    today = timezone.localdate()
    if kind == ResolutionKind.AGREED_DATE:
        if agreed_date is None:
            raise ResolutionError("Enter the date agreed with the team", field="agreed_date")
        if agreed_date < today:
            raise ResolutionError("The date agreed with the team must be today or in the future", field="agreed_date")
    elif kind != ResolutionKind.NOT_NEEDED:
        raise ResolutionError("Select what was agreed", field="kind")
    try:
        with transaction.atomic():
            resolution = Escalation2Resolution.objects.create(
                item=item,
                local_authority_id=item.local_authority_id,
                kind=kind,
                agreed_on=agreed_date if kind == ResolutionKind.AGREED_DATE else None,
                reason=reason,
                recorded_on=today,
                recorded_by=user,
            )
    except IntegrityError:
        raise ResolutionError("A resolution is already recorded for this advice") from None
    who = ", ".join(part for part in (user.get_full_name() or user.username, "DCO/DMO office") if part)
    if kind == ResolutionKind.AGREED_DATE:
        item.promised_on = agreed_date
        item.promise_passed_notified_on = None
        item.next_action_on = None
        item.save(update_fields=["promised_on", "promise_passed_notified_on", "next_action_on", "updated_at"])
        summary = f"{item.team.name}: the DCO agreed {agreed_date:%-d %b %Y} with the team; no escalation 2"
    else:
        item.status = ItemStatus.NOT_PROVIDED
        item.next_action_on = None
        item.closed_on = today
        item.not_provided_reason = NotProvidedReason.NOT_REQUIRED
        item.not_provided_detail = reason
        item.not_provided_decided_by = f"{who}, agreed with the LA"[:200]
        item.save(
            update_fields=[
                "status",
                "next_action_on",
                "closed_on",
                "not_provided_reason",
                "not_provided_detail",
                "not_provided_decided_by",
                "updated_at",
            ]
        )
        summary = f"{item.team.name}: the DCO and the LA agreed the advice is not needed; no escalation 2"
        from advice.services import advice_timers_stop

        advice_timers_stop(request_ids=[item.request_id])
    audit_record(user=user, action=AuditAction.STAGE, case=item.case, obj=item, summary=summary)
    resolution_notify(resolution=resolution)
    return resolution


def resolution_notify(*, resolution):
    """The LA hears that the DCO/DMO office resolved an item before its escalation 2."""
    item = resolution.item
    if resolution.kind == ResolutionKind.AGREED_DATE:
        headline = "The DCO/DMO office agreed a date for the advice: no escalation 2"
        detail = f"Date agreed with the team: {resolution.agreed_on:%-d %B %Y}"
    else:
        headline = "The DCO/DMO office and the LA agreed the advice is not needed: no escalation 2"
        detail = "Closed as not provided: advice not needed, agreed with the LA"
    answer_notify(
        kind=MessageKind.ESCALATION_2_RESOLVED,
        event=f"{MessageKind.ESCALATION_2_RESOLVED}:item:{item.pk}",
        case=item.case,
        headline=headline,
        detail=detail,
        advice_request_id=item.request_id,
    )
