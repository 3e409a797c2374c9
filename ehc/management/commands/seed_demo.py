from django.core.management.base import BaseCommand

from ehc.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations, users and a year of cases (idempotent)"

    def handle(self, *args, **options):
        seed_demo(sweep=_sweep(), stdout=self.stdout)


def _sweep():
    """The real sweep, if this deployment has the timers installed."""
    try:
        from escalation.sweep import sweep_run
    except ImportError:
        return None
    return sweep_run
