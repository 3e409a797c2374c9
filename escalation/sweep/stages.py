"""Writing the stage changes: each item's new stage and next action date, one Escalation per (request,
stage), one StageChange per (item, stage) and the audit events, all in a fixed number of set-based
statements (a 10,000-item batch is a handful of queries). Unique constraints on StageChange and
Escalation stop a second chase, letter or notice even if the locking were bypassed. The messages of
each new Escalation are written afterwards (escalation.sweep.messages).
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Exists
from django.utils import timezone

from advice.exceptions import covering_exceptions, not_excepted_on
from advice.models import AdviceItem, ItemStatus, Stage
from assessments.models import Case
from ehc.models import AuditAction, AuditEvent

from ..exceptions import items_reschedule
from ..models import Escalation, StageChange
from .sql import array_literal, insert_rows
from .transitions import ESCALATION_STAGE, stage_summary, transitions_decide


def process_requests(*, scope, today, requests) -> tuple[list[tuple[int, str]], int]:
    """Apply the rules to the due items of locked requests ({request id: its LA's id}), each under its
    own LA's rules. Returns the report lines, each with its LA's id, and the number of items moved on."""
    items = list(
        AdviceItem.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(request_id__in=list(requests), status=ItemStatus.OUTSTANDING, next_action_on__lte=today)
        # As the claim: a request locked for one team's step leaves a team whose clock is stopped alone.
        .filter(not_excepted_on(today))
        .annotate(has_exceptions=Exists(covering_exceptions()))
        .order_by("id")
        .values_list(
            "id",
            "request_id",
            "case_id",
            "provider_id",
            "team__name",
            "stage",
            "due_on",
            "escalation_1_on",
            "escalation_2_resolution__kind",
            "has_exceptions",
            named=True,
        )
    )
    if not items:
        return [], 0
    decided = transitions_decide(
        items, requests=requests, rules={la_id: scope[la_id].rules for la_id in set(requests.values())}, today=today
    )
    response_due, reached = decided.response_due, decided.reached
    items_update(decided.moves, today=today)
    exceptions_apply(items, today=today)
    if not reached:
        return [], len(items)

    now = timezone.now()
    keys = {(request_id, ESCALATION_STAGE[stage]) for request_id, stage in reached}
    escalations = {
        (request_id, stage): (pk, issued_on)
        for pk, request_id, stage, issued_on in Escalation.objects.filter(
            request_id__in={request_id for request_id, _ in keys}
        ).values_list("id", "request_id", "stage", "issued_on")
    }
    new_keys = sorted(keys - set(escalations))
    first_item = {request_id: stage_items[0] for (request_id, _), stage_items in reached.items()}
    inserted = insert_rows(
        Escalation,
        [
            "created_at",
            "updated_at",
            "request",
            "stage",
            "issued_on",
            "response_due_on",
            "provider",
            "local_authority",
            "response",
            "response_overdue_notified",
        ],
        [
            (
                now,
                now,
                request_id,
                str(stage),
                today,
                response_due[requests[request_id]].get(stage),
                first_item[request_id].provider_id,
                requests[request_id],
                "",
                False,
            )
            for request_id, stage in new_keys
        ],
        ignore_conflicts=True,
        returning=("id", "request", "stage"),
    )
    for pk, request_id, stage in inserted:
        escalations[(request_id, stage)] = (pk, today)
    insert_rows(
        StageChange,
        ["item", "stage", "on", "at", "escalation"],
        [
            (item.id, str(stage), today, now, escalations[(request_id, ESCALATION_STAGE[stage])][0])
            for (request_id, stage), stage_items in reached.items()
            for item in stage_items
        ],
        ignore_conflicts=True,
    )

    lines, audit = [], []
    new = set(new_keys)
    for (request_id, stage), stage_items in sorted(reached.items()):
        escalation_stage = ESCALATION_STAGE[stage]
        teams = ", ".join(sorted(item.team__name for item in stage_items))
        issued_on = escalations[(request_id, escalation_stage)][1]
        summary = stage_summary(
            stage=escalation_stage,
            teams=teams,
            issued_on=issued_on,
            response_due_on=response_due[requests[request_id]].get(escalation_stage),
            is_new=(request_id, escalation_stage) in new,
        )[:500]
        audit.append(
            (
                now,
                "",
                str(AuditAction.STAGE),
                stage_items[0].case_id,
                "advice request",
                str(request_id),
                summary,
            )
        )
        lines.append((requests[request_id], f"request {request_id}: {summary}"))
    insert_rows(
        AuditEvent, ["at", "actor_name", "action", "case", "object_type", "object_id", "summary"], audit
    )
    return lines, len(items)


def exceptions_apply(items, *, today):
    """The rules above date the next step with no exception in mind. An item an exception covers
    (not today: the claim left those out; before, or ahead) has its next step moved on by it
    (escalation.exceptions, decision 0017): the few cases of a batch with exceptions, no statement
    when there are none (`has_exceptions` came with the items)."""
    by_case = defaultdict(list)
    for item in items:
        if item.has_exceptions:
            by_case[item.case_id].append(item.id)
    for case in Case.objects.filter(pk__in=list(by_case)).select_related("local_authority").order_by("pk"):
        items_reschedule(case=case, today=today, item_ids=by_case[case.pk])


def items_update(moves, *, today):
    """One UPDATE for the whole batch: each item's stage, next action date and the dates it reached."""
    if not moves:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {connection.ops.quote_name(AdviceItem._meta.db_table)} AS item SET
                stage = v.stage,
                next_action_on = v.next_action_on,
                chased_on = CASE WHEN v.chased THEN %(today)s ELSE item.chased_on END,
                escalation_1_on = CASE WHEN v.escalated_1 THEN %(today)s ELSE item.escalation_1_on END,
                escalation_2_on = CASE WHEN v.escalated_2 THEN %(today)s ELSE item.escalation_2_on END,
                head_of_service_response_due_on = CASE WHEN v.escalated_2 THEN v.hos_due
                    ELSE item.head_of_service_response_due_on END,
                updated_at = %(now)s
            FROM unnest(%(ids)s::bigint[], %(stages)s::varchar[], %(next)s::date[],
                        %(chased)s::boolean[], %(escalated_1)s::boolean[], %(escalated_2)s::boolean[],
                        %(hos_due)s::date[])
                AS v(id, stage, next_action_on, chased, escalated_1, escalated_2, hos_due)
            WHERE item.id = v.id
            """,
            {
                "today": today,
                "hos_due": array_literal(move.head_of_service_response_due_on for move in moves),
                "now": timezone.now(),
                "ids": array_literal(move.item_id for move in moves),
                "stages": array_literal(str(move.stage) for move in moves),
                "next": array_literal(move.next_action_on for move in moves),
                "chased": array_literal(Stage.CHASED in move.reached for move in moves),
                "escalated_1": array_literal(Stage.ESCALATION_1 in move.reached for move in moves),
                "escalated_2": array_literal(Stage.ESCALATION_2 in move.reached for move in moves),
            },
        )
