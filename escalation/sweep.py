"""The sweep: takes every due timer action once, on the LA's working days (the rules: escalation.rules).

Exactly once, whatever runs twice or at the same time:

- Work is claimed by locking the requests whose items are due (FOR UPDATE SKIP LOCKED, in batches,
  oldest action first): all of one request's due items are handled by one worker. Another sweep
  skips the locked requests and, once the first commits, finds their items' `next_action_on`
  moved past today.
- Phase 1, one transaction per batch: the items' new stage and next action date, one StageChange
  per (item, stage), one Escalation per (request, stage) and the audit events, all written with a
  fixed number of set-based statements (a 10,000-item batch is a handful of queries). Unique
  constraints on StageChange and Escalation stop a second chase, letter or notice even if the
  locking were bypassed.
- Phase 2, in chunks: each new Escalation's messages (the chase email; the letter and its email;
  the escalation 2 notice) are written to the outbox, and the escalation is marked queued in the
  same transaction. The emails are snapshots of their templates' context, rendered when sent
  (ehc.outbox), so a chunk is a few statements; the letter's content is its own snapshot. An
  escalation whose messages were never queued (a crash between the phases) is picked up by the
  next run. The outbox's unique dedupe key is the last guard.
- Sending happens after commit, from the outbox rows (ehc.outbox): a worker killed before commit
  leaves nothing behind; one killed after commit leaves pending rows the outbox retry sweep sends.
- A batch that fails is retried request by request; a request that still fails has its due items
  pushed to the next working day and is logged, so one bad row cannot stop the sweep.
- Each step runs once for all the LAs with work for it (sweep_las), every item, escalation and message
  under its own LA's rules, calendar and addresses: a national run is the statements of one LA's, not
  150 times them. A step that fails for the LAs together runs again for each LA on its own, so one LA's
  failure still stops no other.
"""

import contextlib
import datetime
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from assessments.models import Case
from ehc.models import (
    AuditAction,
    AuditEvent,
    ClosureDay,
    LocalAuthoritySettings,
    MessageKind,
    Organisation,
    OrganisationKind,
)
from ehc.notifications import Event, audience_for, email_and_rows, rows_insert
from ehc.outbox import email_values, emails_insert
from ehc.workdays import WorkingCalendar

from . import approvals, digest, letters, promises
from .letter_emails import letter_emails
from .models import DigestSchedule, Escalation, EscalationStage, Letter, StageChange
from .rules import TimerRules
from .services import send_after_commit

log = logging.getLogger(__name__)

BATCH_SIZE = 10_000
# Escalations whose messages are queued per transaction. Their emails are rendered when sent, so a
# chunk costs a few statements and JSON snapshots; the response-window check claims as many.
MESSAGES_BATCH = 1000

ESCALATION_STAGE = {
    Stage.CHASED: EscalationStage.CHASE,
    Stage.ESCALATION_1: EscalationStage.ESCALATION_1,
    Stage.ESCALATION_2: EscalationStage.ESCALATION_2,
}


@dataclass
class SweepReport:
    """What a run did (or, in a dry run, would do): printed by the management command."""

    now: datetime.datetime
    today: datetime.date
    dry_run: bool = False
    lines: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    line_las: list = field(default_factory=list, repr=False)

    def note(self, la, text):
        self.lines.append(f"{la.short_name or la.name}: {text}")
        self.line_las.append(la.pk)

    def in_la_order(self, las):
        """The lines grouped by LA in `las` order, each LA's in the order they were noted: the LAs' steps
        run together, but the report reads as if each LA had been swept on its own."""
        position = {la.pk: index for index, la in enumerate(las)}
        pairs = sorted(
            zip(self.line_las, self.lines, strict=True), key=lambda pair: position.get(pair[0], len(position))
        )
        self.line_las = [la_id for la_id, _ in pairs]
        self.lines = [line for _, line in pairs]


@dataclass(frozen=True)
class WorkDue:
    """What one probe found waiting for an LA. Steps with nothing waiting are skipped: an idle tick is
    a few statements for all the LAs together, not a dozen for each."""

    items: bool = True
    messages: bool = True
    responses: bool = True
    promises: bool = True
    spoc_digest: bool = True
    approvals: bool = True


@dataclass(frozen=True)
class LaRun:
    """One LA in a sweep run: its row, its own rules and calendar, and what its probe found."""

    la: Organisation
    rules: TimerRules
    due: WorkDue = WorkDue()


def _scope(la, rules):
    """The LAs a step works for, by id: one here, every LA with work in a run (sweep_run)."""
    return {la.pk: LaRun(la=la, rules=rules)}


def _names(scope):
    return ", ".join(str(run.la) for run in scope.values())


def _las_with_work(today, now=None):
    """The active LAs with their settings and, from four index probes each (item_due_action,
    escalation_messages_pending, escalation_response_unnotified, item_promise_unnotified), what is
    waiting; and whether the SPOC digests may be due (one row, the same for every LA)."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_active=True)
        .select_related("la_settings")
        .annotate(
            items_due=Exists(
                AdviceItem.objects.filter(
                    local_authority_id=OuterRef("pk"), status=ItemStatus.OUTSTANDING, next_action_on__lte=today
                )
            ),
            messages_pending=Exists(
                Escalation.objects.filter(local_authority_id=OuterRef("pk"), messages_queued_at__isnull=True)
            ),
            # The first one in index order rather than EXISTS: with EXISTS the planner guesses that a
            # sequential scan finds a row early, and reads the whole table when there is none.
            first_response_unnotified=Subquery(
                responses_overdue(today)
                .filter(local_authority_id=OuterRef("pk"))
                .order_by("response_due_on", "id")
                .values("id")[:1]
            ),
            promises_due=Exists(promises.promises_passed(today).filter(local_authority_id=OuterRef("pk"))),
            approvals_due=Exists(
                approvals.approvals_overdue(now or timezone.now()).filter(escalation__local_authority_id=OuterRef("pk"))
            ),
            spoc_digest_due=~Exists(
                DigestSchedule.objects.filter(name=digest.SPOC_SCHEDULE, next_at__gt=now or timezone.now())
            ),
        )
        .order_by("pk")
    )


def sweep_run(*, now=None, dry_run=False, batch_size=BATCH_SIZE) -> SweepReport:
    """Run every timer of every active LA as of `now`. A dry run does it all and rolls it back."""
    now = now or timezone.now()
    report = SweepReport(now=now, today=timezone.localdate(now), dry_run=dry_run)
    las = list(_las_with_work(report.today, now))
    closures = defaultdict(list)
    for la_id, day in ClosureDay.objects.filter(local_authority__in=las).values_list("local_authority_id", "date"):
        closures[la_id].append(day)
    runs = []
    for la in las:
        try:
            try:
                la_settings = la.la_settings
            except LocalAuthoritySettings.DoesNotExist:
                la_settings = LocalAuthoritySettings.for_la(la)
            rules = TimerRules(la_settings=la_settings, calendar=WorkingCalendar(closures[la.pk]))
            if not rules.calendar.is_working_day(report.today):
                report.note(la, f"{report.today:%A %-d %B %Y} is not a working day: nothing is sent")
                continue
            due = WorkDue(
                items=la.items_due,
                messages=la.messages_pending,
                responses=la.first_response_unnotified is not None,
                promises=la.promises_due,
                spoc_digest=la.spoc_digest_due,
                approvals=la.approvals_due,
            )
            runs.append(LaRun(la=la, rules=rules, due=due))
        except Exception:  # noqa: BLE001 - one LA's failure must not stop the others'
            log.exception("Sweep failed for %s", la)
            report.counts["errors"] += 1
            report.note(la, "the sweep failed; see the log")
    # Everything runs for real inside one transaction that a dry run then rolls back: it reports exactly
    # what a run would do, and its emails, never sent, vanish with it.
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        sweep_las(runs, now=now, report=report, batch_size=batch_size)
        if dry_run:
            transaction.set_rollback(True)
    report.in_la_order(las)
    return report


def sweep_las(runs, *, now, report, batch_size=BATCH_SIZE):
    """Each step of the sweep once for all the LAs that have work for it, each item and message under its
    own LA's rules: a run costs the statements of one LA, not of 150. A step that fails for the LAs
    together runs again for each LA on its own, so one LA's failure never stops the others'."""
    today = timezone.localdate(now)
    failed = set()
    # Each pass moves every item it processes past today; a pass that moves nothing (its requests' items
    # locked by someone else for a moment) ends the loop, and the next run has them.
    _together(
        [run for run in runs if run.due.items],
        lambda scope: _batches_sweep(scope=scope, today=today, report=report, limit=batch_size),
        report=report,
    )
    # The batches above make the escalations whose messages this queues.
    _together(
        [run for run in runs if run.due.items or run.due.messages],
        lambda scope: _until_short(messages_queue, scope=scope, report=report, failed=failed),
        report=report,
    )
    _together(
        [run for run in runs if run.due.responses],
        lambda scope: _until_short(responses_overdue_check, scope=scope, today=today, report=report),
        report=report,
    )
    _together(
        [run for run in runs if run.due.promises],
        lambda scope: _until_short(promises.promises_passed_check, scope=scope, today=today, report=report),
        report=report,
    )
    _together(
        [run for run in runs if run.due.approvals],
        lambda scope: _until_short(approvals.approvals_overdue_check, scope=scope, now=now, report=report),
        report=report,
    )
    for run in runs:
        if not digest.la_digest_may_be_due(rules=run.rules, now=now):
            continue
        try:
            digest.la_digest_send_if_due(la=run.la, rules=run.rules, now=now, report=report)
        except Exception:  # noqa: BLE001
            _step_failed(run.la, report)
    if any(run.due.spoc_digest for run in runs):
        try:
            digest.spoc_digest_send_if_due(now=now, report=report)
        except Exception:  # noqa: BLE001
            _step_failed(digest.SPOC_REPORT, report)


def _together(runs, step, *, report):
    """A failing step is logged and the others still run; the next sweep tries it again, since every step
    is level-triggered. Whatever the LAs together committed before the failure stays done."""
    if len(runs) > 1:
        try:
            step({run.la.pk: run for run in runs})
            return
        except Exception:  # noqa: BLE001 - find the LA that fails below
            log.exception("A sweep step failed for %d LAs together; running it for each LA on its own", len(runs))
    for run in runs:
        try:
            step({run.la.pk: run})
        except Exception:  # noqa: BLE001
            _step_failed(run.la, report)


def _step_failed(la, report):
    log.exception("A sweep step failed for %s", la)
    report.counts["errors"] += 1
    report.note(la, "a step of the sweep failed; see the log")


def _until_short(step, *, limit=MESSAGES_BATCH, **kwargs):
    """Claim chunks until one comes back short: a short chunk took everything claimable, so asking
    again would only be an empty round trip (rows another worker holds are skipped either way)."""
    while step(limit=limit, **kwargs) >= limit:
        pass


def _batches_sweep(*, scope, today, report, limit):
    """Batches until one moves nothing, or its window of due items was not full (it saw them all)."""
    while True:
        moved, window_full = _sweep_batch(scope=scope, today=today, report=report, limit=limit)
        if not (moved and window_full):
            return


# Set-based writes


def insert_rows(model, fields, rows, *, ignore_conflicts=False, returning=()):
    """INSERT ... SELECT FROM unnest(...): one statement and one parameter per column, however many
    rows. bulk_create builds its SQL value by value, which costs seconds at 10,000 rows."""
    if not rows:
        return []
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in model_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(
            connection.ops.quote_name(model._meta.get_field(n).column) for n in returning
        )
    params = [array_literal(row[index] for row in rows) for index in range(len(fields))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def array_literal(values) -> str:
    """A PostgreSQL array as one text literal ('{"1","2",NULL}'), cast to its type in the SQL. psycopg2
    would send ARRAY[1, 2, ...]: an expression per element, which PostgreSQL parses ten times slower
    than the whole batch's writes need."""
    values = list(values)
    if values and len(set(map(type, values))) == 1:
        if values.count(values[0]) == len(values):  # the batch's date, time or LA, on every row
            return "{" + ",".join([_array_element(values[0])] * len(values)) + "}"
        if type(values[0]) is int:
            return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        text = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"'
    return f'"{value}"'  # dates and times: their text has no quote or backslash


def _claim(*, la_ids, today, limit) -> tuple[dict, bool]:
    """Lock the requests of the oldest due items of these LAs (served by the partial index
    item_due_action). Returns each locked request's LA by request id, and whether the window of due
    items was full: if not, it saw every item due."""
    item, request = AdviceItem._meta.db_table, AdviceRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS MATERIALIZED (
                SELECT request_id, local_authority_id FROM {item}
                WHERE local_authority_id = ANY(%(las)s::bigint[]) AND status = %(outstanding)s
                    AND next_action_on <= %(today)s
                ORDER BY next_action_on, id LIMIT %(limit)s
            )
            SELECT request.id, due_request.local_authority_id, (SELECT count(*) FROM due)
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
            },
        )
        rows = cursor.fetchall()
    return {request_id: la_id for request_id, la_id, _ in rows}, bool(rows) and rows[0][2] >= limit


# Phase 1: the timers


def sweep_batch(*, la, rules, today, report, limit=BATCH_SIZE) -> int:
    """Claim and process one batch in one transaction. Returns how many items it moved on."""
    return _sweep_batch(scope=_scope(la, rules), today=today, report=report, limit=limit)[0]


def _sweep_batch(*, scope, today, report, limit):
    with transaction.atomic():
        requests, window_full = _claim(la_ids=list(scope), today=today, limit=limit)
        if not requests:
            return 0, False
        try:
            with transaction.atomic():
                lines, moved = process_requests(scope=scope, today=today, requests=requests)
        except Exception:  # noqa: BLE001 - isolate the bad request below
            log.exception("Sweep batch failed for %s; retrying request by request", _names(scope))
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


def process_requests(*, scope, today, requests) -> tuple[list[tuple[int, str]], int]:
    """Apply the rules to the due items of locked requests ({request id: its LA's id}), each under its
    own LA's rules. Returns the report lines, each with its LA's id, and the number of items moved on."""
    items = list(
        AdviceItem.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(request_id__in=list(requests), status=ItemStatus.OUTSTANDING, next_action_on__lte=today)
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
            named=True,
        )
    )
    if not items:
        return [], 0
    # What each LA's rules give for today, asked once per LA.
    response_due = {
        la_id: {
            EscalationStage.ESCALATION_1: scope[la_id].rules.escalation_1_response_due(today),
            EscalationStage.ESCALATION_2: scope[la_id].rules.head_of_service_response_due(today),
        }
        for la_id in set(requests.values())
    }
    plans = {}  # items of one request share their dates: plan each combination once per LA
    reached = defaultdict(list)  # (request id, stage) -> the items reaching it today
    updates = []
    for item in items:
        la_id = requests[item.request_id]
        if item.escalation_2_resolution__kind:
            # Resolved by the DCO before escalation 2 (escalation.resolutions): no timer of its own is left.
            updates.append((item.id, item.stage, None, [], None))
            continue
        key = (la_id, item.stage, item.due_on, item.escalation_1_on)
        if key not in plans:
            plans[key] = scope[la_id].rules.plan(
                stage=item.stage, due_on=item.due_on, escalation_1_on=item.escalation_1_on, today=today
            )
        plan = plans[key]
        for stage in plan.stages:
            reached[(item.request_id, stage)].append(item)
        updates.append(
            (
                item.id,
                plan.stages[-1] if plan.stages else item.stage,
                plan.next_action_on,
                plan.stages,
                response_due[la_id][EscalationStage.ESCALATION_2],
            )
        )
    _items_update(updates, today=today)
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
        summary = _summary(
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


def _summary(*, stage, teams, issued_on, response_due_on, is_new):
    label = stage.label.lower()
    if not is_new:
        return f"{teams}: reached {label}, covered by the {label} of {issued_on:%-d %b %Y}"
    if stage == EscalationStage.CHASE:
        return f"Chase sent to the SPOC: {teams}"
    due = f"{response_due_on:%-d %b %Y}"
    if stage == EscalationStage.ESCALATION_1:
        return f"Escalation 1 letter issued to the provider's director, response due {due}: {teams}"
    return f"Escalation 2: escalated inside health, heads of service to respond by {due}: {teams}"


def _items_update(updates, *, today):
    """One UPDATE for the whole batch: each item's stage, next action date and the dates it reached."""
    if not updates:
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
                "hos_due": array_literal(row[4] for row in updates),
                "now": timezone.now(),
                "ids": array_literal(row[0] for row in updates),
                "stages": array_literal(str(row[1]) for row in updates),
                "next": array_literal(row[2] for row in updates),
                "chased": array_literal(Stage.CHASED in row[3] for row in updates),
                "escalated_1": array_literal(Stage.ESCALATION_1 in row[3] for row in updates),
                "escalated_2": array_literal(Stage.ESCALATION_2 in row[3] for row in updates),
            },
        )


# Phase 2: the messages


# What the messages and the letter snapshot (escalation.letters.letter_content) read of an escalation:
# a thousand full rows of four models cost more than the statements that write their messages.
MESSAGE_FIELDS = (
    "request_id",
    "local_authority_id",
    "stage",
    "issued_on",
    "response_due_on",
    "request__case_id",
    "request__provider_id",
    "request__notified_on",
    "request__case__reference",
    "request__case__first_name",
    "request__case__last_name",
    "request__case__date_of_birth",
    # The provider, read with its escalations rather than once more per chunk.
    "request__provider__name",
    "request__provider__spoc_email",
    "request__provider__director_name",
    "request__provider__director_title",
    "request__provider__director_email",
    "request__provider__address",
)


def messages_queue(*, report, failed, la=None, rules=None, scope=None, limit=MESSAGES_BATCH) -> int:
    """Write the messages of escalations not yet queued to the outbox (index escalation_messages_pending).

    Each message lists the request's teams still outstanding and overdue on the escalation's date;
    if none is left (the advice came back in between) there is nothing to send. An escalation whose
    messages fail is logged, added to `failed` and left pending for the next run; the others go.
    Returns how many escalations it claimed. For one LA (`la`, `rules`) or several (`scope`, as
    sweep_las gives it), each message under its own LA's settings.
    """
    scope = scope or _scope(la, rules)
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(local_authority_id__in=list(scope), messages_queued_at__isnull=True)
            .exclude(pk__in=failed)
            .select_related("request__case", "request__provider")
            .only(*MESSAGE_FIELDS)
            .order_by("id")[:limit]
        )
        if not escalations:
            return 0
        try:
            with transaction.atomic():
                _messages_write(escalations, scope=scope, report=report)
        except Exception:  # noqa: BLE001 - isolate the bad escalation below
            log.exception("Queueing escalation messages failed for %s; retrying one by one", _names(scope))
            for escalation in escalations:
                try:
                    with transaction.atomic():
                        _messages_write([escalation], scope=scope, report=report)
                except Exception:  # noqa: BLE001
                    log.exception("Messages of escalation %s failed: left for the next run", escalation.pk)
                    failed.add(escalation.pk)
                    report.counts["message_errors"] += 1
        return len(escalations)


def _messages_write(escalations, *, scope, report):
    lines = []
    messages = Messages(scope=scope)
    messages.load(escalations)
    new_letters = []
    for escalation in escalations:
        teams = messages.teams(escalation)
        run = scope[escalation.local_authority_id]
        if not teams:
            stage = escalation.get_stage_display().lower()
            lines.append((run.la, f"request {escalation.request_id}: advice all in, no {stage} sent"))
        elif escalation.stage == EscalationStage.CHASE:
            messages.chase(escalation)
        elif escalation.stage == EscalationStage.ESCALATION_1:
            content = letters.letter_content(
                request=escalation.request,
                la=run.la,
                la_settings=run.rules.settings,
                teams=teams,
                dated=escalation.issued_on,
                response_due_on=escalation.response_due_on,
                chased_on=messages.chased_on.get(escalation.request_id),
            )
            new_letters.append((escalation, content))
        else:
            messages.escalation_2(escalation)
    if new_letters:
        now = timezone.now()
        letter_ids = {
            escalation_id: pk
            for pk, escalation_id in insert_rows(
                Letter,
                [
                    "created_at",
                    "updated_at",
                    "escalation",
                    "dated",
                    "content",
                    "sha256",
                    "addressed_to",
                    "approval_required",
                    "approval_due_at",
                ],
                [
                    (
                        now,
                        now,
                        escalation.pk,
                        escalation.issued_on,
                        json.dumps(content),
                        "",
                        (escalation.request.provider.director_email or "").strip().lower(),
                        *approvals.approval_columns(
                            rules=scope[escalation.local_authority_id].rules,
                            issued_on=escalation.issued_on,
                            now=report.now,
                        ),
                    )
                    for escalation, content in new_letters
                ],
                ignore_conflicts=True,
                returning=("id", "escalation"),
            )
        }
        missing = [escalation.pk for escalation, _ in new_letters if escalation.pk not in letter_ids]
        if missing:
            # Issued before (the letter is kept unchanged once issued): its email goes with that letter.
            letter_ids.update(
                Letter.objects.filter(escalation__in=missing).values_list("escalation_id", "id")
            )
        held = []
        for escalation, _ in new_letters:
            if scope[escalation.local_authority_id].rules.settings.letters_need_ad_approval:
                held.append(escalation)
            else:
                messages.escalation_1(escalation, letter_id=letter_ids[escalation.pk])
        # Waiting for the AD Education: nothing goes, and the response window and escalation 2 count
        # from the day the letter is approved and sent (escalation.approvals).
        approvals.hold(escalations=held)
        lines += [
            (
                scope[escalation.local_authority_id].la,
                f"request {escalation.request_id}: escalation 1 letter waiting for the AD Education's approval",
            )
            for escalation in held
        ]
    Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
        messages_queued_at=timezone.now()
    )
    send_after_commit(email_ids=emails_insert(messages.emails), letter_ids=messages.letters_without_email)
    rows_insert(messages.notification_rows)
    # The subject is rendered when the email is sent: the line names the case reference instead.
    lines += [
        (la, f"{MessageKind(email['kind']).label} to {', '.join(email['to'])}: {email['context']['reference']}")
        for la, email in zip(messages.email_las, messages.emails, strict=True)
    ]
    # Reported at the end, once every write has succeeded: a chunk retried one by one is not reported twice.
    for la, line in lines:
        report.note(la, line)
    report.counts["emails"] += len(messages.emails)


class Messages:
    """Builds the emails of one chunk of escalations (rows for ehc.outbox.emails_insert), from what `load`
    read in three queries. Emails carry the case reference, counts and dates: never the child's details
    nor a team's name."""

    def __init__(self, *, scope):
        self.scope = scope
        self.emails = []
        self.email_las = []  # the LA of each email, for the report
        self.letters_without_email = []
        self.outstanding = defaultdict(list)
        self.chased_on = {}
        self._teams = {}
        # Escalation 2 notices: their in-app notifications, the LAs' AD and business support users,
        # and each case's officer (id, email) when active.
        self.notification_rows = []
        self.audience = {}
        self.officers = {}

    def load(self, escalations):
        """The requests' outstanding items with their chase dates, in one query (the providers came with
        the escalations). A request with nothing outstanding has no message, so needs no chase date."""
        request_ids = {escalation.request_id for escalation in escalations}
        rows = (
            AdviceItem.objects.filter(request_id__in=request_ids, status=ItemStatus.OUTSTANDING)
            .annotate(
                request_chased_on=Subquery(
                    Escalation.objects.filter(
                        request_id=OuterRef("request_id"), stage=EscalationStage.CHASE
                    ).values("issued_on")[:1]
                )
            )
            .order_by("team__name", "id")
            .values(
                "request_id",
                "team__name",
                "team__head_of_service_email",
                "due_on",
                "request_chased_on",
                "escalation_2_resolution__kind",
            )
        )
        for row in rows:
            self.outstanding[row["request_id"]].append(row)
            if row["request_chased_on"] is not None:
                self.chased_on[row["request_id"]] = row["request_chased_on"]
        second = [escalation for escalation in escalations if escalation.stage == EscalationStage.ESCALATION_2]
        if second:
            self.audience = audience_for({escalation.local_authority_id for escalation in second})
            self.officers = {
                case_id: (officer_id, email)
                for case_id, officer_id, email in Case.objects.filter(
                    pk__in={escalation.request.case_id for escalation in second}, case_officer__is_active=True
                ).values_list("pk", "case_officer_id", "case_officer__email")
            }

    def teams(self, escalation):
        """The request's teams overdue and still outstanding on the escalation's date."""
        if escalation.pk not in self._teams:
            self._teams[escalation.pk] = self._overdue_teams(escalation)
        return self._teams[escalation.pk]

    def _overdue_teams(self, escalation):
        day = escalation.issued_on
        return [
            {
                "name": row["team__name"],
                "due_on": row["due_on"],
                "days_overdue": (day - row["due_on"]).days,
                "head_of_service_email": row["team__head_of_service_email"],
            }
            for row in self.outstanding[escalation.request_id]
            # An item the DCO resolved before escalation 2 is not part of it.
            if row["due_on"] < day
            and not (escalation.stage == EscalationStage.ESCALATION_2 and row["escalation_2_resolution__kind"])
        ]

    def _la(self, escalation):
        return self.scope[escalation.local_authority_id].la

    def _settings(self, escalation):
        return self.scope[escalation.local_authority_id].rules.settings

    def _context(self, escalation, **extra):
        request = escalation.request
        return {
            "reference": request.case.reference,
            "case_id": request.case_id,
            "la_name": self._la(escalation).name,
            "provider_name": request.provider.name,
            # Due dates and lateness only: a team's name stays behind the sign-in.
            "teams": [
                {"due_on": team["due_on"], "days_overdue": team["days_overdue"]} for team in self.teams(escalation)
            ],
            "issued_on": escalation.issued_on,
            "response_due_on": escalation.response_due_on,
            **extra,
        }

    def _add(self, escalation, *, kind, to, cc, letter_id=None, context=None):
        email = email_values(
            kind=kind,
            dedupe_key=f"{kind}:request:{escalation.request_id}",
            to=to,
            cc=cc,
            template=str(kind),
            context=self._context(escalation, **(context or {})),
            case_id=escalation.request.case_id,
            advice_request_id=escalation.request_id,
            letter_id=letter_id,
            defer_rendering=True,
        )
        if email is not None:
            self.emails.append(email)
            self.email_las.append(self._la(escalation))
        return email

    def chase(self, escalation):
        self._add(
            escalation,
            kind=MessageKind.CHASE,
            to=[escalation.request.provider.spoc_email],
            cc=[self._settings(escalation).business_support_email],
        )

    def escalation_1(self, escalation, *, letter_id):
        """The letter's emails, one per recipient, each attaching it only for a secure domain
        (escalation.letter_emails)."""
        request = escalation.request
        emails = letter_emails(
            request_id=escalation.request_id,
            case_id=request.case_id,
            reference=request.case.reference,
            letter_id=letter_id,
            la_name=self._la(escalation).name,
            la_settings=self._settings(escalation),
            provider_name=request.provider.name,
            provider_director_email=request.provider.director_email,
            director_name=request.provider.director_name,
            teams=self.teams(escalation),
            dated=escalation.issued_on,
            response_due_on=escalation.response_due_on,
        )
        self.emails += emails
        self.email_las += [self._la(escalation)] * len(emails)
        if not any(email["letter_id"] for email in emails):
            # Attached to no email: the letter is still rendered now, ready behind the sign-in.
            self.letters_without_email.append(letter_id)

    def escalation_2(self, escalation):
        """Nothing was recorded by the DCO before the date: the DCO office's notice goes to the AD
        Education, copied to business support, the DCO office itself, the case officer and the heads
        of service (whose task it opens); the LA's users see it in the service too."""
        settings = self._settings(escalation)
        case_id = escalation.request.case_id
        officer_id, officer_email = self.officers.get(case_id, (None, ""))
        event = Event(
            kind=MessageKind.ESCALATION_2,
            event=f"{MessageKind.ESCALATION_2}:request:{escalation.request_id}",
            la_id=escalation.local_authority_id,
            path=reverse("assessments:case_detail", args=[case_id]),
            headline="Escalation 2: the DCO/DMO office has escalated inside health",
            detail=f"Heads of service to answer by {escalation.response_due_on:%-d %B %Y}",
            to=[settings.ad_education_email],
            cc=[settings.business_support_email, settings.dco_office_email, officer_email]
            + [team["head_of_service_email"] for team in self.teams(escalation)],
            case_id=case_id,
            reference=escalation.request.case.reference,
            officer_id=officer_id,
            advice_request_id=escalation.request_id,
            template=str(MessageKind.ESCALATION_2),
            context=self._context(escalation, dco_office_email=settings.dco_office_email),
        )
        email, rows = email_and_rows(event, audience=self.audience, officer_email=officer_email, defer_rendering=True)
        if email is not None:
            self.emails.append(email)
            self.email_las.append(self._la(escalation))
        self.notification_rows += rows


# Response windows


def responses_overdue(today):
    """Escalations whose response window passed unanswered and nobody was told yet (the partial index
    escalation_response_unnotified)."""
    return Escalation.objects.filter(
        stage__in=[EscalationStage.ESCALATION_1, EscalationStage.ESCALATION_2],
        responded_at__isnull=True,
        response_due_on__isnull=False,
        response_due_on__lt=today,
        response_overdue_notified=False,
    )


def responses_overdue_check(*, today, report, la=None, rules=None, scope=None, limit=MESSAGES_BATCH) -> int:
    """Tell the AD Education, once, about each response window that passed unanswered.

    Claims escalations through the partial index escalation_response_unnotified; the flag
    `response_overdue_notified` set in the same transaction makes it once. For one LA (`la`, `rules`)
    or several (`scope`), each email to its own LA's AD Education.
    """
    scope = scope or _scope(la, rules)
    with transaction.atomic():
        escalations = list(
            responses_overdue(today)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(local_authority_id__in=list(scope))
            .select_related("request__case", "provider")
            .order_by("response_due_on", "id")[:limit]
        )
        if not escalations:
            return 0
        owed = defaultdict(list)
        rows = (
            AdviceItem.objects.filter(
                request_id__in=[escalation.request_id for escalation in escalations],
                status=ItemStatus.OUTSTANDING,
            )
            .order_by("team__name", "id")
            .values(
                "request_id",
                "stage",
                "head_of_service_responded_at",
                "team__name",
                "team__head_of_service_email",
                "due_on",
            )
        )
        for row in rows:
            owed[(row["request_id"], EscalationStage.ESCALATION_1)].append(row)
            if row["stage"] == Stage.ESCALATION_2 and row["head_of_service_responded_at"] is None:
                owed[(row["request_id"], EscalationStage.ESCALATION_2)].append(row)
        emails, audit = [], []
        now = timezone.now()
        for escalation in escalations:
            teams = owed[(escalation.request_id, escalation.stage)]
            if not teams:
                continue  # all advice is in, or every head of service answered: nothing to chase
            la, rules = scope[escalation.local_authority_id].la, scope[escalation.local_authority_id].rules
            request = escalation.request
            context = {
                "reference": request.case.reference,
                "case_id": request.case_id,
                "la_name": la.name,
                "provider_name": escalation.provider.name,
                "issued_on": escalation.issued_on,
                "response_due_on": escalation.response_due_on,
                "teams": [
                    {
                        "due_on": row["due_on"],
                        "days_overdue": (today - row["due_on"]).days,
                    }
                    for row in teams
                ],
            }
            cc = [rules.settings.dco_office_email, rules.settings.business_support_email]
            if escalation.stage == EscalationStage.ESCALATION_1:
                kind = MessageKind.ESCALATION_1_OVERDUE
                summary = f"No response to escalation 1 recorded by {escalation.response_due_on:%-d %b %Y}"
            else:
                kind = MessageKind.HEAD_OF_SERVICE_OVERDUE
                cc += [row["team__head_of_service_email"] for row in teams]
                summary = (
                    f"No head of service response to escalation 2 recorded by "
                    f"{escalation.response_due_on:%-d %b %Y}: {', '.join(row['team__name'] for row in teams)}"
                )
            email = email_values(
                kind=kind,
                dedupe_key=f"{kind}:request:{escalation.request_id}",
                to=[rules.settings.ad_education_email],
                cc=cc,
                template=str(kind),
                context=context,
                case_id=request.case_id,
                advice_request_id=escalation.request_id,
                defer_rendering=True,
            )
            if email is not None:
                emails.append(email)
            summary = f"{summary}: the AD Education was told"[:500]
            audit.append(
                (now, "", str(AuditAction.STAGE), request.case_id, "escalation", str(escalation.pk), summary)
            )
            report.note(la, f"request {escalation.request_id}: {summary}")
        Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
            response_overdue_notified=True, updated_at=now
        )
        insert_rows(
            AuditEvent, ["at", "actor_name", "action", "case", "object_type", "object_id", "summary"], audit
        )
        send_after_commit(email_ids=emails_insert(emails))
        return len(escalations)
