"""One sweep run's bookkeeping: the LAs in it with their own rules and what each has waiting, the
report of what it did, and how a step runs for the LAs together yet fails for one LA alone."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from ehc.models import Organisation

from ..rules import TimerRules

# Every step logs as the sweep, whichever module of the package holds it.
log = logging.getLogger("escalation.sweep")

BATCH_SIZE = 10_000
# Escalations whose messages are queued per transaction. Their emails are rendered when sent, so a
# chunk costs a few statements and JSON snapshots; the response-window check claims as many.
MESSAGES_BATCH = 1000


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


def one_la(la, rules):
    """The LAs a step works for, by id: one here, every LA with work in a run (sweep_run)."""
    return {la.pk: LaRun(la=la, rules=rules)}


def names(scope):
    return ", ".join(str(run.la) for run in scope.values())


def together(runs, step, *, report):
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
            step_failed(run.la, report)


def step_failed(la, report):
    log.exception("A sweep step failed for %s", la)
    report.counts["errors"] += 1
    report.note(la, "a step of the sweep failed; see the log")


def until_short(step, *, limit=MESSAGES_BATCH, **kwargs):
    """Claim chunks until one comes back short: a short chunk took everything claimable, so asking
    again would only be an empty round trip (rows another worker holds are skipped either way)."""
    while step(limit=limit, **kwargs) >= limit:
        pass

