"""Claiming due work: the requests whose items' next action has come, locked in batches, oldest action
first, so that all of one request's due items are handled by one worker. Another sweep skips the locked
requests and, once the first commits, finds their items' `next_action_on` moved past today.

A batch that fails is retried request by request; a request that still fails has its due items pushed
to the next working day and is logged, so one bad row cannot stop the sweep.
"""

from dataclasses import replace

from django.db import connection, transaction
from django.utils import timezone

from advice.exceptions import sql_not_excepted
from advice.exceptions import sql_params as exception_sql_params
from advice.models import AdviceItem, AdviceRequest, ItemStatus
from ehc.models import LocalAuthoritySettings

from ..rules import TimerRules
from .run import BATCH_SIZE, log, names, one_la
from .sql import array_literal
from .stages import process_requests


def due_items_sweep(*, scope, today, report, limit):
    """Batches until one moves nothing, or its window of due items was not full (it saw them all)."""
    while True:
        moved, window_full = one_batch(scope=scope, today=today, report=report, limit=limit)
        if not (moved and window_full):
            return


def claim_due_requests(*, la_ids, today, limit) -> tuple[dict, bool, dict]:
    """Lock the requests of the oldest due items of these LAs (served by the partial index
    item_due_action), leaving out the items an exception covers today (decision 0017). Returns each
    locked request's LA by request id, whether the window of due items was full (if not, it saw every
    item due), and each of those LAs' settings version (`updated_at`, for `current_rules`)."""
    item, request = AdviceItem._meta.db_table, AdviceRequest._meta.db_table
    la_settings = LocalAuthoritySettings._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS MATERIALIZED (
                SELECT request_id, local_authority_id FROM {item} AS item
                WHERE local_authority_id = ANY(%(las)s::bigint[]) AND status = %(outstanding)s
                    AND next_action_on <= %(today)s
                    AND {sql_not_excepted("item", "today")}
                ORDER BY next_action_on, id LIMIT %(limit)s
            )
            SELECT request.id, due_request.local_authority_id, (SELECT count(*) FROM due),
                (SELECT la_settings.updated_at FROM {la_settings} AS la_settings
                 WHERE la_settings.local_authority_id = due_request.local_authority_id)
            FROM {request} AS request
            JOIN (SELECT request_id, min(local_authority_id) AS local_authority_id FROM due GROUP BY request_id)
                AS due_request ON due_request.request_id = request.id
            ORDER BY request.id FOR UPDATE OF request SKIP LOCKED
            """,
            {
                "las": array_literal(la_ids),
                "outstanding": str(ItemStatus.OUTSTANDING),
                "today": today,
                "limit": limit,
                **exception_sql_params(),
            },
        )
        rows = cursor.fetchall()
    return (
        {request_id: la_id for request_id, la_id, _, _ in rows},
        bool(rows) and rows[0][2] >= limit,
        {la_id: version for _, la_id, _, version in rows},
    )


def current_rules(scope, versions):
    """The batch's LAs with the rules they have now. A run loads each LA's rules when it starts. An
    administrator who changes an LA's timings or closure days (administration.timings, .closures;
    decision 0023) commits them with the items' new next action dates, touching the settings row's
    `updated_at`; the claim reads that version with the items, so a batch claimed after such a change
    plans its items under the rules that gave them their dates, not under those the run started with."""
    stale = {
        la_id
        for la_id, version in versions.items()
        if version is not None and version != getattr(scope[la_id].rules.settings, "updated_at", version)
    }
    if not stale:
        return scope
    return {
        la_id: replace(run, rules=TimerRules.for_la(run.la)) if la_id in stale else run for la_id, run in scope.items()
    }


def sweep_batch(*, la, rules, today, report, limit=BATCH_SIZE) -> int:
    """Claim and process one batch in one transaction. Returns how many items it moved on."""
    return one_batch(scope=one_la(la, rules), today=today, report=report, limit=limit)[0]


def one_batch(*, scope, today, report, limit) -> tuple[int, bool]:
    """One batch for the LAs of `scope`: how many items it moved on, and whether its window was full."""
    with transaction.atomic():
        requests, window_full, versions = claim_due_requests(la_ids=list(scope), today=today, limit=limit)
        if not requests:
            return 0, False
        scope = current_rules(scope, versions)
        try:
            with transaction.atomic():
                lines, moved = process_requests(scope=scope, today=today, requests=requests)
        except Exception:  # noqa: BLE001 - isolate the bad request below
            log.exception("Sweep batch failed for %s; retrying request by request", names(scope))
            lines, moved = [], 0
            for request_id, la_id in requests.items():
                try:
                    with transaction.atomic():
                        more, count = process_requests(scope=scope, today=today, requests={request_id: la_id})
                    lines += more
                    moved += count
                except Exception:  # noqa: BLE001
                    log.exception("Sweep failed for advice request %s: postponed a working day", request_id)
                    report.counts["postponed"] += 1
                    moved += AdviceItem.objects.filter(
                        request_id=request_id, status=ItemStatus.OUTSTANDING, next_action_on__lte=today
                    ).update(next_action_on=scope[la_id].rules.calendar.after(today), updated_at=timezone.now())
        for la_id, line in lines:
            report.note(scope[la_id].la, line)
        report.counts["requests"] += len(requests)
        return moved, window_full
