from django.core.management.base import BaseCommand

from escalation.demo import seed_demo
from escalation.sweep import sweep_run


class Command(BaseCommand):
    help = "Load the demo organisations, users and a year of cases (idempotent)"

    def handle(self, *args, **options):
        # The real sweep replays the year, so the demo's chases and escalations are the product's own.
        seed_demo(sweep=sweep_run, stdout=self.stdout)
