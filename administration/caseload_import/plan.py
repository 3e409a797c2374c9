"""What an import does to each row, worked out before anything is written (the dry run shows it, the
import writes it). The timing is the product's own: the due date is assessments.timeline.advice_due of
the day the SPOC was notified under the council's advice period, and each outstanding item's next
action is escalation.rules.TimerRules.next_action from the stage the file says it reached. An item the
rules put past a stage it never reached is left due: the sweep takes that step on its next run, dated
that day, once (TimerRules.plan), and `today` lists them for the administrator before confirming.

A file imported again is matched by the council's reference. A case's and its child's details are
updated from it; requests and teams not there before are added; an item moves on to a later stage or
to returned. What the product already recorded is never rewritten by a file (a chase or letter it
sent, an earlier stage date, the day a request was notified): such a difference is listed, unchanged.
"""

import datetime
from dataclasses import dataclass, field

from advice.models import STAGE_ORDER, AdviceItem, ItemStatus, Stage
from assessments.children import Child
from assessments.timeline import advice_due
from escalation.models import Escalation, EscalationStage
from escalation.rules import TimerRules

from ..models import ImportedCase

STAGE_FIELDS = {Stage.CHASED: "chased_on", Stage.ESCALATION_1: "escalation_1_on", Stage.ESCALATION_2: "escalation_2_on"}
ESCALATION_STAGE = {
    Stage.CHASED: EscalationStage.CHASE,
    Stage.ESCALATION_1: EscalationStage.ESCALATION_1,
    Stage.ESCALATION_2: EscalationStage.ESCALATION_2,
}
WHAT = {Stage.CHASED: "chase", Stage.ESCALATION_1: "escalation 1 letter", Stage.ESCALATION_2: "escalation 2 notice"}


@dataclass
class ItemPlan:
    row: object  # check.ItemRow
    existing: dict | None  # the item's current row, if an earlier import made it
    stages: list = field(default_factory=list)  # [(Stage, date)] to record
    returned_on: datetime.date | None = None
    # The item's timer state once written.
    stage: str = Stage.REQUESTED
    due_on: datetime.date | None = None
    escalation_1_on: datetime.date | None = None
    next_action_on: datetime.date | None = None
    head_of_service_response_due_on: datetime.date | None = None
    item: object = None  # the AdviceItem written (write)


@dataclass
class CasePlan:
    row: object  # check.CaseRow
    case_id: int | None
    child_id: int | None
    child_changes: dict = field(default_factory=dict)
    case_changes: dict = field(default_factory=dict)
    items: list = field(default_factory=list)
    new_child: object = None  # the Child and Case an import makes (write)
    new_case: object = None


@dataclass
class Plan:
    cases: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # [row, message]: differences kept as recorded
    today: list = field(default_factory=list)  # what the sweep's next run does, per item
    counts: dict = field(default_factory=dict)
    # (case reference, provider id, Escalation stage) -> issued_on of an escalation already recorded.
    escalations: dict = field(default_factory=dict)

    @property
    def changes_anything(self):
        return any(self.counts.get(key) for key in ("new_cases", "updated_cases", "new_items", "moved_items"))


def plan_build(*, checked, la, today) -> Plan:
    rules = TimerRules.for_la(la)
    period = rules.settings.advice_period_days
    plan = Plan()
    known = {
        row.reference: row
        for row in ImportedCase.objects.filter(local_authority=la, reference__in=list(checked.cases)).select_related(
            "case__child"
        )
    }
    existing_items = _existing_items([row.case_id for row in known.values()])
    plan.escalations = {
        (case_id, provider_id, stage): issued_on
        for case_id, provider_id, stage, issued_on in Escalation.objects.filter(
            request__case_id__in=[row.case_id for row in known.values()]
        ).values_list("request__case_id", "provider_id", "stage", "issued_on")
    }
    children = _children(la, checked)
    counts = dict.fromkeys(("new_cases", "updated_cases", "unchanged_cases", "new_items", "moved_items"), 0)
    counts |= {"items": 0, "outstanding": 0, "late": 0}
    for case_row in checked.cases.values():
        imported = known.get(case_row.reference)
        case_plan = _case_plan(plan, case_row, imported, children)
        moved = False
        for item_row in case_row.items:
            existing = existing_items.get((case_plan.case_id, item_row.provider.pk, item_row.team.pk))
            item = _item_plan(plan, rules, period, item_row, existing, today)
            counts["items"] += 1
            if existing is None:
                counts["new_items"] += 1
            elif item.stages or item.returned_on:
                counts["moved_items"] += 1
                moved = True
            if item.returned_on is None and (existing is None or existing["status"] == ItemStatus.OUTSTANDING):
                counts["outstanding"] += 1
                counts["late"] += item.due_on < today
            case_plan.items.append(item)
        if imported is None:
            counts["new_cases"] += 1
        elif (
            case_plan.child_changes
            or case_plan.case_changes
            or moved
            or any(i.existing is None for i in case_plan.items)
        ):
            counts["updated_cases"] += 1
        else:
            counts["unchanged_cases"] += 1
        plan.cases.append(case_plan)
    _today_list(plan, rules, today)
    plan.counts = counts
    return plan


def _existing_items(case_ids):
    fields = (
        "id",
        "request_id",
        "case_id",
        "provider_id",
        "team_id",
        "status",
        "stage",
        "due_on",
        "chased_on",
        "escalation_1_on",
        "escalation_2_on",
        "returned_on",
        "request__notified_on",
    )
    return {
        (row["case_id"], row["provider_id"], row["team_id"]): row
        for row in AdviceItem.objects.filter(case_id__in=case_ids).values(*fields)
    }


def _children(la, checked):
    """The LA's children the file's rows name by NHS number or the council's ID, each once."""
    nhs = {case.child["nhs_number"] for case in checked.cases.values() if case.child["nhs_number"]}
    ids = {case.child["la_reference"] for case in checked.cases.values() if case.child["la_reference"]}
    found = {}
    for child in Child.objects.filter(local_authority=la, nhs_number__in=nhs).only("id", "nhs_number", "la_reference"):
        found[("nhs", child.nhs_number)] = child
    for child in Child.objects.filter(local_authority=la, la_reference__in=ids).only(
        "id", "nhs_number", "la_reference"
    ):
        found[("id", child.la_reference)] = child
    return found


def _case_plan(plan, case_row, imported, children):
    child_data = case_row.child
    if imported is not None:
        case, child = imported.case, imported.case.child
        case_plan = CasePlan(row=case_row, case_id=case.pk, child_id=child.pk)
        case_plan.child_changes = {k: v for k, v in child_data.items() if getattr(child, k) != v}
        case_plan.case_changes = {k: v for k, v in case_row.case.items() if getattr(case, k) != v}
    else:
        by_nhs = children.get(("nhs", child_data["nhs_number"])) if child_data["nhs_number"] else None
        by_id = children.get(("id", child_data["la_reference"])) if child_data["la_reference"] else None
        child = by_nhs or by_id
        case_plan = CasePlan(row=case_row, case_id=None, child_id=child.pk if child else None)
        if child is not None:
            case_plan.child_changes = {k: v for k, v in child_data.items() if v and getattr(child, k) != v}
    # One child per NHS number and per council ID in an LA (assessments.children.Child's constraints).
    for key, column in (("nhs", "nhs_number"), ("id", "la_reference")):
        other = children.get((key, child_data[column])) if child_data[column] else None
        if other is not None and other.pk != case_plan.child_id:
            name = "NHS number" if key == "nhs" else "council's ID"
            plan.errors.append(
                [
                    case_row.row,
                    "NHS number" if key == "nhs" else "Council's ID for the child",
                    f"Another child of your council already has this {name}",
                ]
            )
    return case_plan


def _item_plan(plan, rules, period, row, existing, today):
    item = ItemPlan(row=row, existing=existing)
    file_stages = [(stage, getattr(row, name)) for stage, name in STAGE_FIELDS.items() if getattr(row, name)]
    if existing is None:
        item.due_on = advice_due(row.requested_on, period)
        item.stages = file_stages
        item.returned_on = row.returned_on
        current, escalation_1_on = Stage.REQUESTED, row.escalation_1_on
    else:
        item.due_on, current = existing["due_on"], existing["stage"]
        escalation_1_on = existing["escalation_1_on"]
        if existing["request__notified_on"] != row.requested_on:
            plan.notes.append(
                [
                    row.row,
                    f"Advice requested is recorded as {existing['request__notified_on']:%d/%m/%Y}"
                    " and stays so: the timers have run from it",
                ]
            )
        if existing["status"] != ItemStatus.OUTSTANDING:
            if row.returned_on != existing["returned_on"] or file_stages:
                plan.notes.append([row.row, "The advice is already closed here; the row changes nothing"])
            item.stage = current
            return item
        for stage, on in file_stages:
            if STAGE_ORDER.index(stage) > STAGE_ORDER.index(current):
                item.stages.append((stage, on))
            elif existing[STAGE_FIELDS[stage]] != on:
                recorded = existing[STAGE_FIELDS[stage]]
                when = f"on {recorded:%d/%m/%Y}" if recorded else "as covered by a later stage"
                plan.notes.append([row.row, f"{stage.label} is recorded {when} and stays so"])
        item.returned_on = row.returned_on
        for stage, on in item.stages:
            if stage == Stage.ESCALATION_1:
                escalation_1_on = on
    item.stage = item.stages[-1][0] if item.stages else current
    item.escalation_1_on = escalation_1_on
    if item.stage == Stage.ESCALATION_2 and item.stages and item.stages[-1][0] == Stage.ESCALATION_2:
        item.head_of_service_response_due_on = rules.head_of_service_response_due(item.stages[-1][1])
    if item.returned_on is None:
        action = rules.next_action(stage=item.stage, due_on=item.due_on, escalation_1_on=escalation_1_on)
        item.next_action_on = action.on if action else None
    return item


def _today_list(plan, rules, today):
    """The items whose next step's date has passed: what the sweep's next run does for each, as it would
    (escalation.rules.TimerRules.plan), and whether an escalation of the request already covers it."""
    recorded = dict(plan.escalations)
    for case_plan in plan.cases:
        for item in case_plan.items:
            key_base = (case_plan.case_id or case_plan.row.reference, item.row.provider.pk)
            for stage, on in item.stages:
                key = (*key_base, ESCALATION_STAGE[stage])
                recorded[key] = min(on, recorded.get(key, on))
    for case_plan in plan.cases:
        for item in case_plan.items:
            if item.next_action_on is None or item.next_action_on > today:
                continue
            steps = rules.plan(
                stage=item.stage, due_on=item.due_on, escalation_1_on=item.escalation_1_on, today=today
            ).stages
            key_base = (case_plan.case_id or case_plan.row.reference, item.row.provider.pk)
            said = []
            for stage in steps:
                issued = recorded.get((*key_base, ESCALATION_STAGE[stage]))
                if issued is not None and issued < today:
                    said.append(f"{stage.label}: covered by the {WHAT[stage]} of {issued:%d/%m/%Y}, nothing sent")
                else:
                    said.append(f"{stage.label}: the {WHAT[stage]} is sent")
                    recorded[(*key_base, ESCALATION_STAGE[stage])] = today
            plan.today.append(
                {
                    "row": item.row.row,
                    "reference": case_plan.row.reference,
                    "provider": item.row.provider.short_name or item.row.provider.name,
                    "team": item.row.team.name,
                    "reached": item.stage.label if hasattr(item.stage, "label") else Stage(item.stage).label,
                    "reached_on": _reached_on(item),
                    "due_on": item.next_action_on.isoformat(),
                    "steps": said,
                }
            )


def _reached_on(item):
    if item.stages:
        return item.stages[-1][1].isoformat()
    field_name = STAGE_FIELDS.get(item.stage)
    day = item.existing.get(field_name) if (item.existing and field_name) else None
    return day.isoformat() if day else item.row.requested_on.isoformat()
