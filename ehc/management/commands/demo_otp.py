from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from ehc.demo import DEMO_USERS, totp_key_for


class Command(BaseCommand):
    help = "Print the current two-factor security code of a demo user"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if username not in {u[0] for u in DEMO_USERS}:
            raise CommandError(f"{username!r} is not a demo user")
        self.stdout.write(f"{totp(bytes.fromhex(totp_key_for(username))):06d}")
