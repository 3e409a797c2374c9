"""Writes of the escalation process: the DCO's response to escalation 1 and the heads of service's
outcome of escalation 2. Every change is audited. (The sweep's messages are sent by escalation.sending.)"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind
from ehc.notifications import la_event, notify

from .models import Escalation, EscalationStage

log = logging.getLogger(__name__)


class Outcome:
    PROMISED = "promised"
    NOT_PROVIDED = "not_provided"


@transaction.atomic
def escalation_response_record(*, escalation, user, response: str) -> Escalation:
    """The DCO office's response to escalation 1, as given to the AD Education."""
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("request__case__case_officer")
        .get(pk=escalation.pk)
    )
    if escalation.responded_at is not None:
        return escalation
    escalation.responded_at = timezone.now()
    escalation.responded_by = user
    escalation.response = response
    escalation.save(update_fields=["responded_at", "responded_by", "response", "updated_at"])
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=escalation.request.case,
        obj=escalation,
        summary=f"Recorded the DCO's response to escalation 1 of {escalation.request.provider}",
    )
    escalation_response_notify(escalation=escalation)
    return escalation


def escalation_response_notify(*, escalation):
    """The LA hears that the DCO/DMO office has responded to escalation 1 (once: the event key)."""
    answer_notify(
        kind=MessageKind.ESCALATION_1_RESPONSE,
        event=f"{MessageKind.ESCALATION_1_RESPONSE}:escalation:{escalation.pk}",
        case=escalation.request.case,
        headline="The DCO/DMO office has responded to escalation 1",
        detail="The response is on the case, under escalations",
        advice_request_id=escalation.request_id,
    )


def answer_notify(*, kind, event, case, headline, detail="", advice_request_id=None):
    """An answer goes back to the LA: its AD Education, business support and the case officer, by email
    (reference and link) and in the service (ehc.notifications)."""
    notify(
        [
            la_event(
                kind=kind,
                event=event,
                la_settings=LocalAuthoritySettings.for_la(case.local_authority),
                case=case,
                path=reverse("assessments:case_detail", args=[case.pk]),
                headline=headline,
                detail=detail,
                advice_request_id=advice_request_id,
            )
        ]
    )


@transaction.atomic
def head_of_service_outcome_record(
    *,
    item,
    user,
    outcome: str,
    promised_on=None,
    delay_reason="",
    delay_detail="",
    not_provided_reason="",
    not_provided_detail="",
) -> AdviceItem:
    """Escalation 2 answered for one team: (A) the advice is promised by a date, with the reason for
    the delay, or (B) it will not be provided, with the reason, which closes the item and stops its
    timers. Returns the item; an item no longer waiting is returned unchanged."""
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("team", "case__case_officer", "case__local_authority", "request")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.OUTSTANDING or item.stage != Stage.ESCALATION_2:
        return item
    now = timezone.now()
    item.head_of_service_responded_at = now
    item.head_of_service_responded_by = user
    decided_by = ", ".join(part for part in (user.get_full_name() or user.username, user.job_title) if part)
    if outcome == Outcome.PROMISED:
        item.promised_on = promised_on
        item.promise_passed_notified_on = None  # a new date: told once more if it passes too
        item.delay_reason = delay_reason
        item.delay_detail = delay_detail
        summary = f"{item.team.name}: head of service promised the advice by {promised_on:%-d %b %Y}"
    else:
        item.status = ItemStatus.NOT_PROVIDED
        item.next_action_on = None
        item.closed_on = timezone.localdate(now)
        item.not_provided_reason = not_provided_reason
        item.not_provided_detail = not_provided_detail
        item.not_provided_decided_by = decided_by[:200]
        summary = f"{item.team.name}: head of service decided the advice will not be provided"
    item.save()
    audit_record(user=user, action=AuditAction.STAGE, case=item.case, obj=item, summary=summary)
    if outcome == Outcome.NOT_PROVIDED:
        from advice.services import advice_timers_stop

        advice_timers_stop(request_ids=[item.request_id])
    _escalation_2_answered_if_complete(request_id=item.request_id, at=now, user=user)
    head_of_service_outcome_notify(item=item)
    return item


def head_of_service_outcome_notify(*, item):
    """The LA hears a head of service's answer to escalation 2 for one team: the promised date and the
    reason for the delay, or that the advice will not be provided and why."""
    if item.status == ItemStatus.NOT_PROVIDED:
        detail = f"The advice will not be provided; reason: {item.get_not_provided_reason_display()}"
    else:
        detail = (
            f"Advice promised by {item.promised_on:%-d %B %Y}; reason for the delay: {item.get_delay_reason_display()}"
        )
    answer_notify(
        kind=MessageKind.HEAD_OF_SERVICE_OUTCOME,
        event=f"{MessageKind.HEAD_OF_SERVICE_OUTCOME}:item:{item.pk}",
        case=item.case,
        headline="A head of service has answered escalation 2",
        detail=detail,
        advice_request_id=item.request_id,
    )


def _escalation_2_answered_if_complete(*, request_id, at, user):
    """Escalation 2 is answered once no outstanding item of its request still waits for a head of service."""
    waiting = AdviceItem.objects.filter(
        request_id=request_id,
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_2,
        head_of_service_responded_at__isnull=True,
    ).exists()
    if not waiting:
        Escalation.objects.filter(
            request_id=request_id, stage=EscalationStage.ESCALATION_2, responded_at__isnull=True
        ).update(responded_at=at, responded_by=user, updated_at=at)
