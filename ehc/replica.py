"""Reads of the reports and dashboards on a streaming replica (decision 0040).

With DATABASE_REPLICA_URL set, the settings add a second database alias, `replica`, and install
ReplicaRouter. The router reads a context variable and nothing else: reads go to the replica only
while a view that opted in with @replica_reads runs (the reports and the dashboards, figures over
many rows where a few seconds behind does no harm), and never by guessing from a model's name.
Everything else reads the primary:
- every view that did not opt in (a case page, a form, the API, sign-in);
- an opted-in view answering anything but GET or HEAD;
- an opted-in view for a session that wrote (any POST, PUT, PATCH or DELETE) in the last
  DATABASE_REPLICA_STICKY seconds: it must see its own write (ReadYourWritesMiddleware notes it);
- an opted-in view while the replica is further behind than DATABASE_REPLICA_MAX_LAG seconds, or
  does not answer (replica_lag, checked at most every LAG_CHECK_SECONDS per process);
- every Celery task, even one run eagerly inside an opted-in view (task_reads_primary);
- every write (db_for_write) and every migration (allow_migrate: never on the replica).
Without the setting there is no `replica` alias and the decorator never leaves the primary.
"""

import contextvars
import functools
import logging
import math
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PRIMARY = DEFAULT_DB_ALIAS
SAFE_METHODS = ("GET", "HEAD")
# The session key holding when this session last wrote (seconds since the epoch).
WROTE_AT = "ehc_replica_wrote_at"
# How often one process asks the replica how far behind it is.
LAG_CHECK_SECONDS = 5.0

log = logging.getLogger(__name__)

_reads_from = contextvars.ContextVar("ehc_reads_from", default=PRIMARY)
_lag = {"checked": -math.inf, "seconds": math.inf}
_task_tokens = {}


def replica_configured():
    return bool(settings.DATABASE_REPLICA_URL)


def reads_from():
    """The alias the router sends reads to in this context."""
    return _reads_from.get()


class ReplicaRouter:
    """Installed only with DATABASE_REPLICA_URL (ehc.settings)."""

    def db_for_read(self, model, **hints):
        return _reads_from.get()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases are one database: a row read on the replica may point at one read on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A standby is read-only and receives the schema from the primary's WAL.
        return db != REPLICA


def replica_lag():
    """Seconds the replica's replay is behind what it has received from the primary; infinity when
    it does not answer. Zero when it has replayed all it received (an idle primary is no lag, though
    the last replayed commit is old). Cached per process for LAG_CHECK_SECONDS, failures too, so a
    replica that is down costs one failed connection every few seconds, not one a page."""
    now = time.monotonic()
    if now - _lag["checked"] < LAG_CHECK_SECONDS:
        return _lag["seconds"]
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
                " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            seconds = float(cursor.fetchone()[0])
    except DatabaseError:
        log.warning("the read replica does not answer: reports read the primary", exc_info=True)
        seconds = math.inf
    _lag.update(checked=now, seconds=seconds)
    return seconds


def lag_forget():
    """Ask the replica again on the next opted-in page (tests; a replica just started)."""
    _lag.update(checked=-math.inf, seconds=math.inf)


def alias_for(request):
    """Where an opted-in view's reads go for this request (the rules in the module's docstring)."""
    if not replica_configured() or request.method not in SAFE_METHODS:
        return PRIMARY
    session = getattr(request, "session", None)
    if session is not None and session.get(WROTE_AT, 0) > time.time() - settings.DATABASE_REPLICA_STICKY:
        return PRIMARY
    if replica_lag() > settings.DATABASE_REPLICA_MAX_LAG:
        return PRIMARY
    return REPLICA


def replica_reads(view):
    """Opt a view in: its reads (and a streamed response's, as it streams) may go to the replica.

    Put it inside the view's access decorator, so that who may see the page is decided on the
    primary (a role taken away an instant ago is gone). The user and the session are loaded here,
    before the reads move, for the same reason: a session written at sign-in must be found."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - evaluates the lazy user (and its session) on the primary
        token = _reads_from.set(alias_for(request))
        try:
            response = view(request, *args, **kwargs)
            context = contextvars.copy_context()
        finally:
            _reads_from.reset(token)
        if getattr(response, "streaming", False) and context.get(_reads_from) != PRIMARY:
            response.streaming_content = _streamed_in(context, iter(response.streaming_content))
        return response

    wrapper.reads_replica = True
    return wrapper


def _streamed_in(context, chunks):
    """A CSV's rows are read while it streams, after the view returned: read them where the view did."""
    while True:
        try:
            yield context.run(next, chunks)
        except StopIteration:
            return


class ReadYourWritesMiddleware:
    """Notes in the session when it wrote, so that its opted-in pages read the primary for a while.
    After SessionMiddleware, so the session is saved after this runs; a no-op without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in SAFE_METHODS or not replica_configured():
            return response
        user = getattr(request, "user", None)
        # Signed-in people only: a webhook's POST must not be given a session.
        if user is not None and user.is_authenticated:
            request.session[WROTE_AT] = time.time()
        return response


def task_reads_primary(task_id=None, **kwargs):
    """Celery's task_prerun: a task reads the primary, even one run eagerly inside an opted-in view."""
    _task_tokens[task_id] = _reads_from.set(PRIMARY)


def task_reads_done(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _reads_from.reset(token)
