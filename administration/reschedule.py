"""What an LA's settings change does to its open advice items, shown before it is saved and applied
with it (docs/decisions/0023-la-settings-pages.md).

A change of timings or closure days moves the dates of the actions the sweep has not taken yet, and
only those: an item's next action follows from its stage (escalation.rules), so a chase, letter or
notice already sent is never undone or sent again, and the next one is dated by the new rules. Both
the preview and the change use the one calculation the exceptions use
(`escalation.exceptions.item_moved_dates`, with the case's exceptions), so the preview lists exactly
what the change stores; the change stores it with `escalation.exceptions.items_reschedule`, case by
case, under the same locks the sweep's claim takes.
"""

import datetime
from dataclasses import dataclass

from advice.models import AdviceItem, ItemStatus
from assessments.models import Case
from escalation.exceptions import STAGE_ACTION_LABELS, case_exceptions_for, item_moved_dates, items_reschedule
from escalation.rules import TimerRules

# How many items of each kind of move the preview lists; the count covers them all.
LISTED = 10


@dataclass(frozen=True)
class Move:
    """One open item whose next action moves."""

    item_id: int
    case_id: int
    reference: str
    old_stage: str | None
    old_on: datetime.date | None
    new_stage: str | None
    new_on: datetime.date | None

    @property
    def old_label(self):
        return STAGE_ACTION_LABELS.get(self.old_stage, "Nothing")

    @property
    def new_label(self):
        return STAGE_ACTION_LABELS.get(self.new_stage, "Nothing")

    @property
    def kind(self):
        """What the preview groups it under: the action whose date moves (the new one when it changes)."""
        return self.new_stage or self.old_stage


@dataclass
class MoveGroup:
    stage: str
    label: str
    count: int
    listed: list


def open_items(la):
    """The LA's items with an action still to come (the ones the sweep will act on)."""
    return (
        AdviceItem.objects.filter(local_authority=la, status=ItemStatus.OUTSTANDING, next_action_on__isnull=False)
        .select_related("request", "case")
        .order_by("next_action_on", "id")
    )


def moves_between(*, la, current: TimerRules, proposed: TimerRules, today) -> list[Move]:
    """Every open item whose next action (which, and when) differs under `proposed` from `current`,
    each under its case's exceptions, soonest first by its date now."""
    items = list(open_items(la))
    exceptions = case_exceptions_for({item.case_id for item in items})
    found = []
    for item in items:
        covering = exceptions.get(item.case_id, [])
        old, _ = item_moved_dates(item, exceptions=covering, rules=current, today=today)
        new, _ = item_moved_dates(item, exceptions=covering, rules=proposed, today=today)
        if (old.next_stage, old.next_on) != (new.next_stage, new.next_on):
            found.append(
                Move(
                    item_id=item.pk,
                    case_id=item.case_id,
                    reference=item.case.reference or "",
                    old_stage=old.next_stage,
                    old_on=old.next_on,
                    new_stage=new.next_stage,
                    new_on=new.next_on,
                )
            )
    return found


def moves_grouped(moves) -> list[MoveGroup]:
    """The preview's groups, in the order of the process: "14 items move their escalation 1 date",
    with the first LISTED of each, soonest first."""
    groups = []
    for stage, label in STAGE_ACTION_LABELS.items():
        of_stage = [move for move in moves if move.kind == stage]
        if of_stage:
            of_stage.sort(key=lambda move: (move.old_on or datetime.date.max, move.item_id))
            groups.append(MoveGroup(stage=stage, label=label, count=len(of_stage), listed=of_stage[:LISTED]))
    return groups


def open_items_reschedule(*, la, today) -> int:
    """Store the next action dates of the LA's open items under its settings and closure days as
    saved now (call it in the transaction that saves them). Returns how many items changed."""
    case_ids = AdviceItem.objects.filter(
        local_authority=la, status=ItemStatus.OUTSTANDING, next_action_on__isnull=False
    ).values("case_id")
    changed = 0
    for case in Case.objects.filter(pk__in=case_ids).select_related("local_authority").order_by("pk"):
        changed += items_reschedule(case=case, today=today)
    return changed
