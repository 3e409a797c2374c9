"""Rows in the states the reports read, built directly (the sweep and the advice flows belong to
other parts of the product). `item()` goes through the factories; `bulk_items()` writes many rows
in a few INSERTs so the 1,000-item tests stay fast."""

import datetime
import random

from advice.models import (
    AdviceItem,
    AdviceRequest,
    DelayReason,
    ItemStatus,
    KnownStatus,
    NotProvidedReason,
    Stage,
)
from assessments.models import Case, Child, Requester
from ehc.models import MessageKind, MessageStatus, OutboundEmail
from escalation.models import Escalation, EscalationStage

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

DAY = datetime.timedelta(days=1)


def item(
    world,
    *,
    notified_on,
    team=None,
    la=None,
    request=None,
    status=ItemStatus.OUTSTANDING,
    stage=Stage.REQUESTED,
    **fields,
):
    """One advice item of `world`'s provider for a new case (or on `request`)."""
    if request is None:
        case = CaseFactory(local_authority=la or world.la, received_on=notified_on - 3 * DAY)
        request = AdviceRequestFactory(
            case=case, provider=world.provider, notified_on=notified_on, requested_by=world.case_officer
        )
    if status != ItemStatus.OUTSTANDING:
        fields.setdefault("next_action_on", None)
    return AdviceItemFactory(request=request, team=team or world.slt, status=status, stage=stage, **fields)


def stage_dates(due_on, end):
    """The dates the sweep would have recorded for an item open from due_on until `end`."""
    fields = {"stage": Stage.REQUESTED}
    if end > due_on:
        fields.update(stage=Stage.CHASED, chased_on=due_on + DAY)
    if end >= due_on + 14 * DAY:
        fields.update(stage=Stage.ESCALATION_1, escalation_1_on=due_on + 14 * DAY)
    if end >= due_on + 28 * DAY:
        fields.update(
            stage=Stage.ESCALATION_2,
            escalation_2_on=due_on + 28 * DAY,
            head_of_service_response_due_on=due_on + 42 * DAY,
        )
    return fields


def random_state(rng, notified_on, today):
    """A plausible life for one item requested on `notified_on`, as seen on `today`."""
    due_on = notified_on + 42 * DAY
    fields = {
        "due_on": due_on,
        "known_status": rng.choice(list(KnownStatus)),
        "status": ItemStatus.OUTSTANDING,
        "next_action_on": due_on + DAY,
    }
    roll = rng.random()
    returned_on = notified_on + rng.randint(10, 110) * DAY
    if roll < 0.55 and returned_on <= today:
        fields.update(status=ItemStatus.RETURNED, returned_on=returned_on, next_action_on=None)
        fields.update(stage_dates(due_on, returned_on))
    elif roll < 0.63:
        closed_on = min(today, notified_on + rng.randint(20, 90) * DAY)
        fields.update(
            status=ItemStatus.NOT_PROVIDED,
            closed_on=closed_on,
            next_action_on=None,
            not_provided_reason=rng.choice([*NotProvidedReason.values, ""]),
            not_provided_detail="Reason given by the head of service",
        )
        fields.update(stage_dates(due_on, closed_on))
    elif roll < 0.68:
        fields.update(status=ItemStatus.REMOVED, next_action_on=None, closed_on=notified_on + 3 * DAY)
    elif roll < 0.72:
        fields.update(status=ItemStatus.CANCELLED, next_action_on=None, closed_on=notified_on + 9 * DAY)
    else:
        fields.update(stage_dates(due_on, today))
    if fields["status"] in (ItemStatus.OUTSTANDING, ItemStatus.RETURNED) and fields.get("escalation_2_on"):
        if rng.random() < 0.6:
            fields.update(
                delay_reason=rng.choice(DelayReason.values),
                delay_detail="Waiting for an appointment",
                promised_on=fields["escalation_2_on"] + rng.randint(-5, 30) * DAY,
            )
    if rng.random() < 0.05:
        fields["exception_reason"] = "away"
    return fields


def random_case_steps(rng, received_on, today):
    """Decision and final plan dates either side of the 6- and 20-week limits, where reached."""
    fields = {}
    decision_on = received_on + rng.randint(30, 50) * DAY
    if decision_on <= today:
        fields.update(decision_on=decision_on, decided_to_assess=rng.random() < 0.8)
        final_on = received_on + rng.randint(120, 160) * DAY
        if fields["decided_to_assess"] and final_on <= today and rng.random() < 0.8:
            fields["final_plan_issued_on"] = final_on
    return fields


def bulk_items(world, *, count, start, days, today, seed=1, la=None, teams=None, reference_prefix=None):
    """`count` items of `world`'s provider spread over `days` days from `start`, three teams per
    request, in random states. Returns the items (with pks)."""
    rng = random.Random(seed)
    la = la or world.la
    teams = teams or [world.slt, world.ot, world.paeds]
    prefix = reference_prefix or f"B{seed}-{la.pk}"
    request_count = -(-count // len(teams))
    notified = [start + rng.randrange(days) * DAY for _ in range(request_count)]
    children = Child.objects.bulk_create(
        Child(local_authority=la, first_name="Test", last_name=f"Child{index}", date_of_birth=datetime.date(2016, 1, 1))
        for index in range(len(notified))
    )
    cases = Case.objects.bulk_create(
        Case(
            reference=f"{prefix}-{index:05d}",
            local_authority=la,
            child=child,
            requested_by=Requester.PARENT,
            received_on=on - 5 * DAY,
            **random_case_steps(rng, on - 5 * DAY, today),
        )
        for index, (on, child) in enumerate(zip(notified, children, strict=True))
    )
    requests = AdviceRequest.objects.bulk_create(
        AdviceRequest(
            case=case,
            provider=world.provider,
            local_authority=la,
            notified_on=on,
            due_on=on + 42 * DAY,
            requested_by=world.case_officer,
        )
        for case, on in zip(cases, notified, strict=True)
    )
    rows = []
    for request in requests:
        for team in teams:
            if len(rows) == count:
                break
            rows.append(
                AdviceItem(
                    request=request,
                    team=team,
                    provider=world.provider,
                    local_authority=la,
                    case=request.case,
                    **random_state(rng, request.notified_on, today),
                )
            )
    return AdviceItem.objects.bulk_create(rows)


def bulk_owed(world, items, *, today):
    """Escalation 1 letters awaiting a response, and failed emails, for some of `items`' requests."""
    requests = {}
    for advice_item in items:
        if advice_item.escalation_1_on and advice_item.status == ItemStatus.OUTSTANDING:
            requests.setdefault(advice_item.request_id, advice_item)
    escalations = Escalation.objects.bulk_create(
        Escalation(
            request_id=request_id,
            stage=EscalationStage.ESCALATION_1,
            issued_on=advice_item.escalation_1_on,
            response_due_on=advice_item.escalation_1_on + 5 * DAY,
            provider=world.provider,
            local_authority=advice_item.local_authority,
        )
        for request_id, advice_item in requests.items()
    )
    emails = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind=MessageKind.CHASE,
            dedupe_key=f"test-chase-{advice_item.request_id}",
            case_id=advice_item.case_id,
            advice_request_id=advice_item.request_id,
            to=["spoc@provider.example"],
            subject=f"Chase for {advice_item.request_id}",
            body_text="Chase",
            status=MessageStatus.FAILED,
            attempts=4,
            last_error="Mailbox unavailable",
        )
        for advice_item in list(requests.values())[:20]
    )
    return escalations, emails
