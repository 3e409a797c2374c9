"""Deciding the transitions: where each due item goes today, under its own LA's rules (escalation.rules).

Pure functions of the items' dates, the rules and the day of the run: nothing here reads or writes the
database, so each decision is tested without one (tests/escalation/test_transitions.py). What they
decide is written by escalation.sweep.stages.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from advice.models import Stage

from ..models import EscalationStage

# The escalation (one per request and stage) that an item's new stage belongs to.
ESCALATION_STAGE = {
    Stage.CHASED: EscalationStage.CHASE,
    Stage.ESCALATION_1: EscalationStage.ESCALATION_1,
    Stage.ESCALATION_2: EscalationStage.ESCALATION_2,
}


class ItemMove(NamedTuple):
    """One item's new timer state: its stage, its next action date (None: nothing more to do), the
    stages it reached today, and the heads of service's response date should it reach escalation 2."""

    item_id: int
    stage: str
    next_action_on: datetime.date | None
    reached: list
    head_of_service_response_due_on: datetime.date | None


@dataclass
class Transitions:
    """What one batch's items do today."""

    moves: list = field(default_factory=list)
    # (request id, item stage) -> the items of that request reaching that stage today, in item order.
    reached: dict = field(default_factory=lambda: defaultdict(list))
    # LA id -> {escalation stage: its response date if issued today}.
    response_due: dict = field(default_factory=dict)


def response_due_dates(rules, today: datetime.date) -> dict:
    """When the answers to an escalation issued today are due under one LA's rules: the DCO office's to
    escalation 1, the heads of service's to escalation 2."""
    return {
        EscalationStage.ESCALATION_1: rules.escalation_1_response_due(today),
        EscalationStage.ESCALATION_2: rules.head_of_service_response_due(today),
    }


def transitions_decide(items, *, requests: dict, rules: dict, today: datetime.date) -> Transitions:
    """Every due item's move today. `items` carry id, request_id, stage, due_on, escalation_1_on and
    escalation_2_resolution__kind; `requests` maps each request id to its LA's id and `rules` each LA's
    id to its TimerRules."""
    # What each LA's rules give for today, asked once per LA.
    decided = Transitions(
        response_due={la_id: response_due_dates(rules[la_id], today) for la_id in set(requests.values())}
    )
    plans = {}  # items of one request share their dates: plan each combination once per LA
    for item in items:
        la_id = requests[item.request_id]
        if item.escalation_2_resolution__kind:
            # Resolved by the DCO before escalation 2 (escalation.resolutions): no timer of its own is left.
            decided.moves.append(ItemMove(item.id, item.stage, None, [], None))
            continue
        key = (la_id, item.stage, item.due_on, item.escalation_1_on)
        if key not in plans:
            plans[key] = rules[la_id].plan(
                stage=item.stage, due_on=item.due_on, escalation_1_on=item.escalation_1_on, today=today
            )
        plan = plans[key]
        for stage in plan.stages:
            decided.reached[(item.request_id, stage)].append(item)
        decided.moves.append(
            ItemMove(
                item.id,
                plan.stages[-1] if plan.stages else item.stage,
                plan.next_action_on,
                plan.stages,
                decided.response_due[la_id][EscalationStage.ESCALATION_2],
            )
        )
    return decided


def stage_summary(*, stage, teams, issued_on, response_due_on, is_new) -> str:
    """The audit line of a request reaching `stage` today: a new escalation, or items covered by one
    issued earlier (its first items reached the stage before)."""
    label = stage.label.lower()
    if not is_new:
        return f"{teams}: reached {label}, covered by the {label} of {issued_on:%-d %b %Y}"
    if stage == EscalationStage.CHASE:
        return f"Chase sent to the SPOC: {teams}"
    due = f"{response_due_on:%-d %b %Y}"
    if stage == EscalationStage.ESCALATION_1:
        return f"Escalation 1 letter issued to the provider's director, response due {due}: {teams}"
    return f"Escalation 2: escalated inside health, heads of service to respond by {due}: {teams}"
