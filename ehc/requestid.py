"""A request id that follows a request into its log lines, the Celery tasks it enqueues and their
log lines (decision 0027).

The id comes from the proxy's X-Request-ID header when it is sane (it may then be searched for in
the proxy's logs too), otherwise it is generated. It travels as a task message header and is set
again, for the length of the task, in the worker process that runs it.
"""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# Letters, digits and a few separators, at most 64: anything else (a log-forging newline, a huge
# value, a JSON fragment) is replaced by an id of our own.
SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")

_current = contextvars.ContextVar("request_id", default=None)


def current():
    return _current.get()


def sanitise(value):
    """The incoming id if it is sane, else a new one."""
    return value if value and SANE.fullmatch(value) else uuid.uuid4().hex


def bind(value):
    """Set the current id; returns a token for unbind()."""
    return _current.set(value)


def unbind(token):
    _current.reset(token)


class RequestIdMiddleware:
    """First in the stack, so every log line of the request carries the id; echoed on the
    response so a user's report can be matched to the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sanitise(request.headers.get(HEADER))
        request.request_id = request_id
        # Cleared when the response is finished (below), not on the way out of this middleware:
        # Django logs a 4xx or 5xx response ("django.request") after the whole middleware chain.
        bind(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="ehc.requestid.clear")
def _clear(**kwargs):
    _current.set(None)


class RequestIdFilter(logging.Filter):
    """Puts the current id (or None outside a request or task) on every record a handler emits."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


# --- Celery: connected in ehc.celery ---------------------------------------------------------


def on_before_task_publish(headers=None, **kwargs):
    """The publishing process's current id goes with the message (web request, or a task that
    enqueues another)."""
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens = {}


def on_task_prerun(task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    request_id = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    # A task started by beat or the retry sweep has no request behind it; one run eagerly (tests,
    # CELERY_TASK_ALWAYS_EAGER) runs inside the request and keeps its id.
    _task_tokens[task_id] = bind(sanitise(request_id) if request_id else _current.get())


def on_task_postrun(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        unbind(token)
