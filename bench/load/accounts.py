"""The load test's accounts, as the locustfile and the command that makes them (bench.load.users) both
need them: usernames, the password, the share of each role, and each account's two-factor code,
computed as an authenticator app does (RFC 6238, django-otp's defaults: SHA-1, 30-second steps,
6 digits). Plain Python: the locustfile runs without Django."""

import hashlib
import hmac
import math
import struct
import time

STEP = 30
PASSWORD = "load-password-2026"
PREFIX = "load-"
# Share of the simulated users per role in percent (issue 22: case officers 50%, SPOCs and
# practitioners 35%, the DCO 5%, others 10%). The locustfile's user classes carry the same weights.
WEIGHTS = {
    "officer": 50,
    "spoc": 12,
    "practitioner": 23,
    "dco": 5,
    "la_admin": 4,
    "head": 3,
    "ad": 3,
}


def username(kind, number):
    return f"{PREFIX}{kind}-{number:03d}"


def accounts_needed(users):
    """Accounts per kind for `users` simulated users: each signs in once with its own account (a TOTP
    code is accepted once), with one spare for Locust's rounding of the weights."""
    total = sum(WEIGHTS.values())
    return {kind: math.ceil(users * weight / total) + 1 for kind, weight in WEIGHTS.items()}


def totp_key_for(username: str) -> str:
    """A fixed key per load-test account (hex, as TOTPDevice.key holds it)."""
    return hashlib.sha256(f"ehc-load-totp:{username}".encode()).hexdigest()[:40]


def totp_code(username: str, *, now=None, drift=0) -> str:
    counter = int((time.time() if now is None else now) // STEP) + drift
    digest = hmac.new(bytes.fromhex(totp_key_for(username)), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
