"""manage.py onboard FILE: create a new area's organisations and first administrators from a CSV file
(administration.onboarding.parse says its columns). Run it again and it creates nothing, saying so."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from administration.onboarding.parse import OnboardError, decode, read
from administration.onboarding.services import onboard


class Command(BaseCommand):
    help = "Create an area's ICB, local authorities, health providers and first administrators from a CSV file"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (see the README: How a new council starts)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be created, create nothing")
        parser.add_argument(
            "--resend",
            action="store_true",
            help="send a new set-password link to the file's administrators who have not set one yet",
        )

    def handle(self, *args, file, dry_run, resend, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            outcome = onboard(entries=read(decode(data)), dry_run=dry_run, resend=resend)
        except OnboardError as error:
            raise CommandError(f"{file}: nothing was created.\n" + "\n".join(error.errors)) from None
        if outcome.created:
            self.stdout.write("Would create:" if dry_run else "Created:")
            for line in outcome.created:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write(f"Nothing to create: everything {file} names exists already.")
        if outcome.existing:
            self.stdout.write("Already there, left as it is:")
            for line in outcome.existing:
                self.stdout.write(f"  {line}")
