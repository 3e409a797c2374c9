import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escalation.rules import LONDON
from escalation.sweep import sweep_run


def _instant(value: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now must be an ISO date or date and time, like 2027-01-04T09:30, not {value!r}"
        ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=LONDON)
    return parsed


class Command(BaseCommand):
    help = (
        "Run the timers (chase, escalation 1 and 2, response windows, weekly digest) once, as the "
        "Celery beat task does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=_instant,
            help="Evaluate the rules as of this instant (ISO 8601; Europe/London when no offset is given)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would happen and change nothing"
        )

    def handle(self, *args, now=None, dry_run=False, **options):
        report = sweep_run(now=now, dry_run=dry_run)
        when = timezone.localtime(report.now, LONDON)
        heading = "Dry run: nothing was changed or sent." if dry_run else "Sweep done."
        self.stdout.write(f"{heading} As of {when:%A %-d %B %Y %H:%M} (Europe/London).")
        for line in report.lines:
            self.stdout.write(f"  {line}")
        if not report.lines:
            self.stdout.write("  Nothing was due.")
        if report.counts["errors"] or report.counts["postponed"]:
            self.stderr.write(
                f"{report.counts['errors']} local authorities failed and "
                f"{report.counts['postponed']} requests were postponed: see the log."
            )
