from django.core.management.base import BaseCommand
from django_otp.oath import totp

from ehc.demo import DEMO_PASSWORD, DEMO_USERS, totp_key_base32, totp_key_for
from ehc.models import User


class Command(BaseCommand):
    help = "Print the demo logins, each with its authenticator key and its current security code"

    def handle(self, *args, **options):
        present = set(User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", flat=True))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Security code: add the key to an authenticator app, or run `make otp USER=<username>`.")
        for username, _first, _last, _org, _roles, _teams, title in DEMO_USERS:
            if username not in present:
                continue
            self.stdout.write(f"  {username:<20} {title:<42} key {totp_key_base32(username)}")
        self.stdout.write("")
        self.stdout.write(
            "Codes right now: "
            + ", ".join(
                f"{username} {totp(bytes.fromhex(totp_key_for(username))):06d}"
                for username, *_ in DEMO_USERS
                if username in present
            )
        )
