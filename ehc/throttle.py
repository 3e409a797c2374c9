"""Throttles on the sign-in and password reset pages, counted in the cache (Redis).

Counters are per fixed window (the window's number is part of the key, so they also move with
the clock in tests); identifiers are hashed, so no username or email address is kept in Redis.
If the cache cannot be reached the throttles let requests through and say so in the log:
django-axes' lock on the username, kept in the database, still applies.

Sign-in: django-axes locks a username after AXES_FAILURE_LIMIT failures. Before that, and per
client address as well, each failure past a free allowance makes the next attempt wait, the
wait doubling with each further failure up to SIGN_IN_MAX_DELAY_SECONDS. The allowance per
address is large, because a trust's staff may all reach the service from one NAT address.

Organisation sign-in: each start fetches the provider's details (cached, ehc.sso) and makes a
session, so at most SSO_START_PER_ADDRESS starts per email address each 15 minutes and
SSO_START_PER_IP per client address each hour; past that the page says to wait.

Password reset: at most PASSWORD_RESET_PER_ADDRESS emails per address and
PASSWORD_RESET_PER_IP requests per client address each hour; past that the page answers the
same as ever and no email is sent.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _key(kind, identifier, *suffix):
    digest = hashlib.sha256(str(identifier).encode("utf-8", "replace")).hexdigest()[:32]
    return ":".join(["throttle", settings.THROTTLE_KEY_PREFIX, kind, digest, *map(str, suffix)])


def _client(request):
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window_key(kind, identifier, window):
    return _key(kind, identifier, int(time.time() // window))


def hit(kind, identifier, *, window) -> int:
    """Count one event for `identifier` in the current window; the count so far, 0 if uncounted."""
    key = _window_key(kind, identifier, window)
    try:
        cache.add(key, 0, timeout=window + 60)
        return cache.incr(key)
    except Exception:  # the cache is down: let the request through rather than fail the page
        log.warning("throttle: cache unavailable, %s not counted", kind, exc_info=True)
        return 0


def _delay_for(failures, free):
    if failures <= free:
        return 0
    return min(2 ** (failures - free), settings.SIGN_IN_MAX_DELAY_SECONDS)


def sign_in_failed(request, username):
    """After a failed sign-in: count it for the username and the address, and set their waits."""
    now = time.time()
    checks = [
        ("signin-user", username.lower(), settings.SIGN_IN_USERNAME_WINDOW_SECONDS, settings.SIGN_IN_USERNAME_FREE),
        ("signin-ip", _client(request), settings.SIGN_IN_IP_WINDOW_SECONDS, settings.SIGN_IN_IP_FREE),
    ]
    for kind, identifier, window, free in checks:
        delay = _delay_for(hit(kind, identifier, window=window), free)
        if delay:
            try:
                cache.set(_key(kind, identifier, "wait"), now + delay, timeout=delay + 60)
            except Exception:
                log.warning("throttle: cache unavailable, %s wait not set", kind, exc_info=True)


def sign_in_wait(request, username) -> int:
    """Seconds before this username may try again from this address (0: now)."""
    now = time.time()
    keys = [_key("signin-user", username.lower(), "wait"), _key("signin-ip", _client(request), "wait")]
    try:
        until = [value for value in cache.get_many(keys).values() if value]
    except Exception:
        log.warning("throttle: cache unavailable, sign-in wait not read", exc_info=True)
        return 0
    return max([0, *(int(value - now + 0.999) for value in until)])


def password_reset_allowed(request, email) -> bool:
    """Count a reset request; False when the address or the client is over its hourly limit."""
    by_address = hit("reset-address", email.lower(), window=3600)
    by_client = hit("reset-ip", _client(request), window=3600)
    return by_address <= settings.PASSWORD_RESET_PER_ADDRESS and by_client <= settings.PASSWORD_RESET_PER_IP


def sso_start_allowed(request, email) -> bool:
    """Count an organisation sign-in start; False when the address or the client is over its limit."""
    by_address = hit("sso-address", email.lower(), window=15 * 60)
    by_client = hit("sso-ip", _client(request), window=3600)
    return by_address <= settings.SSO_START_PER_ADDRESS and by_client <= settings.SSO_START_PER_IP
