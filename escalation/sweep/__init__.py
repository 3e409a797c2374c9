"""The sweep: the Torbay process's timers, taken once each, on each LA's working days (DOMAIN.md, the
timing rules; the dates themselves: escalation.rules). Beat runs it every few seconds
(escalation.tasks.sweep_task); each run does, for every LA with work for it:

1. Chase, escalation 1, escalation 2. The advice items whose next action has come are claimed
   (claim), their moves decided under their LA's rules (transitions: the chase on the first working day
   after the due date, the escalation 1 letter 14 days after it, escalation 2 14 days after the letter
   unless the DCO recorded a resolution first) and written with their escalations and audit (stages).
2. Their messages: the chase to the SPOC, the escalation 1 letter to the provider's director, the DCO
   office's escalation 2 notice, each written to the outbox once and sent after commit (messages,
   emails).
3. Answers not given in time: the DCO office's response to escalation 1 (3 working days) and the heads of
   service's outcome of escalation 2 (10 working days); the AD Education is told once (responses).
4. Promised dates passed without the advice: the LA is told once (promises).
5. The weekly chase digests, to each LA's business support and each SPOC mailbox (digest).

Exactly once, whatever runs twice or at the same time: every step claims its rows with FOR UPDATE SKIP
LOCKED and moves them on (a next action date, a flag, a queued time) in the transaction that writes its
messages, and unique constraints on what it writes are the last guard. A worker killed before commit
leaves nothing behind; one killed after leaves outbox rows the outbox retry sweep sends. Each step runs
once for all the LAs with work for it, every row under its own LA's rules, calendar and addresses: a
national run is the statements of one LA's, not 150 times them. A step that fails for the LAs together
runs again for each LA on its own, so one LA's failure stops no other, and the next run tries it again.
"""

import contextlib
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from ehc.models import ClosureDay, LocalAuthoritySettings
from ehc.workdays import WorkingCalendar

from .. import approvals
from ..rules import TimerRules
from . import digest, promises
from .claim import due_items_sweep, sweep_batch
from .due import las_with_work
from .emails import Messages
from .messages import MESSAGE_FIELDS, messages_queue
from .responses import responses_overdue, responses_overdue_check
from .run import BATCH_SIZE, MESSAGES_BATCH, LaRun, SweepReport, WorkDue, log, step_failed, together, until_short
from .sql import array_literal, insert_rows
from .stages import process_requests
from .transitions import ESCALATION_STAGE

__all__ = [
    "BATCH_SIZE",
    "ESCALATION_STAGE",
    "MESSAGES_BATCH",
    "MESSAGE_FIELDS",
    "LaRun",
    "Messages",
    "SweepReport",
    "WorkDue",
    "array_literal",
    "insert_rows",
    "messages_queue",
    "process_requests",
    "responses_overdue",
    "responses_overdue_check",
    "sweep_batch",
    "sweep_las",
    "sweep_run",
]


def sweep_run(*, now=None, dry_run=False, batch_size=BATCH_SIZE) -> SweepReport:
    """Run every timer of every active LA as of `now`. A dry run does it all and rolls it back."""
    now = now or timezone.now()
    report = SweepReport(now=now, today=timezone.localdate(now), dry_run=dry_run)
    las = list(las_with_work(report.today, now))
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
    """Each step of the sweep once for all the LAs that have work for it, in the order of the process."""
    today = timezone.localdate(now)
    failed = set()
    # Chase, escalation 1 and escalation 2: each pass moves every item it processes past today; a pass
    # that moves nothing (its requests' items locked by someone else for a moment) ends the loop, and
    # the next run has them.
    together(
        [run for run in runs if run.due.items],
        lambda scope: due_items_sweep(scope=scope, today=today, report=report, limit=batch_size),
        report=report,
    )
    # Their chase emails, letters and notices; the escalations above are among those it queues.
    together(
        [run for run in runs if run.due.items or run.due.messages],
        lambda scope: until_short(messages_queue, scope=scope, report=report, failed=failed),
        report=report,
    )
    # The DCO's response to escalation 1 and the heads of service's outcome of escalation 2, not given
    # by their dates.
    together(
        [run for run in runs if run.due.responses],
        lambda scope: until_short(responses_overdue_check, scope=scope, today=today, report=report),
        report=report,
    )
    # Dates promised by a head of service (outcome A) or agreed by the DCO, passed without the advice.
    together(
        [run for run in runs if run.due.promises],
        lambda scope: until_short(promises.promises_passed_check, scope=scope, today=today, report=report),
        report=report,
    )
    # Escalation 1 letters waiting over a working day for the AD Education's approval: business support told.
    together(
        [run for run in runs if run.due.approvals],
        lambda scope: until_short(approvals.approvals_overdue_check, scope=scope, now=now, report=report),
        report=report,
    )
    # The weekly chase digests: each LA's list to its business support, then one email per SPOC mailbox.
    for run in runs:
        if not digest.la_digest_may_be_due(rules=run.rules, now=now):
            continue
        try:
            digest.la_digest_send_if_due(la=run.la, rules=run.rules, now=now, report=report)
        except Exception:  # noqa: BLE001
            step_failed(run.la, report)
    if any(run.due.spoc_digest for run in runs):
        try:
            digest.spoc_digest_send_if_due(now=now, report=report)
        except Exception:  # noqa: BLE001
            step_failed(digest.SPOC_REPORT, report)
