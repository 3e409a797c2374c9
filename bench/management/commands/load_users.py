"""The load test's accounts (bench.load.users) on the bench data set: `manage.py load_users --users 200`.
`make load` runs it; the normal demo never does."""

from django.core.management.base import BaseCommand

from bench.load.accounts import accounts_needed
from bench.load.users import make_accounts


class Command(BaseCommand):
    help = "Create the load test's accounts (per role, for the number of simulated users)"

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=200, help="Simulated users the accounts are for")

    def handle(self, *args, users, **options):
        self.stdout.write(f"Load test accounts for {users} simulated users ({sum(accounts_needed(users).values())}):")
        make_accounts(users, out=self.stdout.write)
