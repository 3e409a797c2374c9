"""Liveness and readiness for the orchestrator and the uptime monitor (decision 0027).

- /healthz: the process answers. No database, no Redis: a web process is not restarted because
  PostgreSQL is away.
- /readyz: the whole service can do its work: PostgreSQL and Redis answer, a Celery worker is
  consuming (its heartbeat is recent), beat is scheduling (its last run is recent) and no email has
  waited past its attempt time for longer than a threshold.

Both answer without signing in, with a small JSON body naming each check and "ok" or "fail" and
nothing else (no error text, host, version or count); the reason for a failure is logged.

The worker's heartbeat and beat's last run are two Redis keys (through the cache), written by a
consumer bootstep and by a signal in ehc.celery: a key costs nothing to write, expires by itself,
and is unreadable only when Redis is down, which fails readiness anyway.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

WORKER_KEY = "health:worker-heartbeat"
BEAT_KEY = "health:beat-last-run"
# A key outlives any threshold, so that a stopped worker shows as stale rather than as unknown.
KEY_LIFETIME_SECONDS = 24 * 3600


def record(key, now=None):
    """Write a timestamp under `key`, best effort: a heartbeat must never take the worker or beat
    down when Redis is away (it is written again on the next beat once Redis is back)."""
    try:
        cache.set(key, now if now is not None else time.time(), timeout=KEY_LIFETIME_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any Redis failure; the reader reports the staleness
        log.warning("could not record %s: %s", key, type(exc).__name__)


@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _outbox():
    from .models import MessageStatus, OutboundEmail

    late = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE_SECONDS)
    if OutboundEmail.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.FAILED], next_attempt_at__lt=late
    ).exists():
        raise RuntimeError(f"an email has been due for more than {settings.HEALTH_OUTBOX_MAX_AGE_SECONDS} s")


def _fresh(stamps, key, max_age, what):
    stamp = stamps.get(key)
    if stamp is None:
        raise RuntimeError(f"no {what} recorded")
    age = time.time() - float(stamp)
    if age > max_age:
        raise RuntimeError(f"{what} {age:.0f} s ago (more than {max_age} s)")


def checks():
    """{check name: None when it passed, else the reason}; every check runs, whatever fails."""
    results = {}

    def run(name, check):
        try:
            check()
            results[name] = None
        except Exception as exc:  # noqa: BLE001 - a failing dependency is the answer, not an error
            results[name] = f"{type(exc).__name__}: {exc}"

    run("database", _database)
    stamps = {}

    def redis():
        # One round trip that also reads the two timestamps.
        stamps.update(cache.get_many([WORKER_KEY, BEAT_KEY]))

    run("redis", redis)
    if results["redis"] is None:
        run("worker", lambda: _fresh(stamps, WORKER_KEY, settings.HEALTH_WORKER_MAX_AGE_SECONDS, "worker heartbeat"))
        run("beat", lambda: _fresh(stamps, BEAT_KEY, settings.HEALTH_BEAT_MAX_AGE_SECONDS, "beat run"))
    else:
        results["worker"] = results["beat"] = "unknown: Redis is unreachable"
    if results["database"] is None:
        run("outbox", _outbox)
    else:
        results["outbox"] = "unknown: the database is unreachable"
    return results


@require_safe
def readyz(request):
    results = checks()
    failed = {name: reason for name, reason in results.items() if reason}
    for name, reason in failed.items():
        log.warning("readiness check %s failed: %s", name, reason)
    response = JsonResponse(
        {
            "status": "fail" if failed else "ok",
            "checks": {name: "fail" if reason else "ok" for name, reason in results.items()},
        },
        status=503 if failed else 200,
    )
    # Logged above as warnings; Django would add an ERROR "Service Unavailable" line for every poll
    # of the monitor (and Sentry would report it as an error).
    response._has_been_logged = True
    return response
