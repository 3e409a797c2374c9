"""Structured logs (one JSON object a line), the request id that follows a request into the tasks it
enqueues, and what Sentry is allowed to see (ehc.requestid, ehc.sentry, decision 0027)."""

import contextlib
import io
import json
import logging
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import reverse

from ehc import requestid, sentry
from ehc.celery import app

pytestmark = pytest.mark.django_db

task_log = logging.getLogger("tests.ehc.requestid_task")


@app.task(name="tests.ehc.log_a_line")
def log_a_line(text):
    task_log.warning("task says %s", text)


@contextlib.contextmanager
def console_into(buffer):
    """Point the configured console handler(s) (settings.LOGGING) at `buffer` for a while."""
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert handlers
    previous = [handler.setStream(buffer) for handler in handlers]
    try:
        yield
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def parsed(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.fixture
def json_lines():
    """What the configured console handler writes, as parsed lines."""
    buffer = io.StringIO()
    with console_into(buffer):
        yield lambda: parsed(buffer)


def test_a_log_line_is_one_json_object_with_the_fields_a_shipper_needs(json_lines):
    token = requestid.bind("req-0123456789")
    try:
        logging.getLogger("ehc.example").warning('a "quoted"\nmultiline %s', "value")
    finally:
        requestid.unbind(token)
    logging.getLogger("ehc.example").warning("outside a request")
    first, second = json_lines()
    assert first["message"] == 'a "quoted"\nmultiline value'
    assert first["level"] == "WARNING"
    assert first["logger"] == "ehc.example"
    assert first["request_id"] == "req-0123456789"
    assert first["timestamp"].endswith("+00:00")
    assert second["request_id"] is None


def test_a_sane_incoming_request_id_is_kept_and_echoed():
    response = Client().get(reverse("healthz"), headers={"X-Request-ID": "proxy-abc123-XYZ"})
    assert response["X-Request-ID"] == "proxy-abc123-XYZ"


@pytest.mark.parametrize(
    "incoming",
    [None, "", "short", "x" * 65, "abc\ndef-forged-line", '{"level":"ERROR"}', "spaces are not allowed"],
)
def test_a_missing_or_insane_request_id_is_replaced_by_a_generated_one(incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = Client().get(reverse("healthz"), headers=headers)
    generated = response["X-Request-ID"]
    assert generated != incoming
    assert uuid.UUID(generated)


def test_the_request_id_is_on_the_log_lines_of_the_request(json_lines, monkeypatch):
    # readyz logs why a check failed: a log line written while the request is handled.
    monkeypatch.setattr("ehc.health._database", lambda: (_ for _ in ()).throw(RuntimeError("down")))
    Client().get(reverse("readyz"), headers={"X-Request-ID": "trace-from-proxy-1"})
    lines = [line for line in json_lines() if line["logger"] == "ehc.health"]
    assert lines and all(line["request_id"] == "trace-from-proxy-1" for line in lines)


def test_django_s_request_repr_with_its_query_string_stays_out_of_the_log(json_lines):
    Client().get("/no-such-page/?q=Siobhan+O'Neill")
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines and lines[0]["status_code"] == 404
    assert "Neill" not in json.dumps(lines)


def test_the_request_id_follows_an_enqueued_task_to_a_real_worker_and_its_log_lines():
    """Published to the real broker and run by a worker thread: the worker's thread starts with an
    empty context, so the id can only have come with the message. The worker may configure logging
    again as it starts (Celery's Django fix-up), so the console handler is redirected once it runs."""
    queue = f"test-requestid-{uuid.uuid4().hex}"
    buffer = io.StringIO()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
            with console_into(buffer):
                token = requestid.bind("req-follows-the-task")
                try:
                    log_a_line.apply_async(("hello",), queue=queue)
                finally:
                    requestid.unbind(token)
                log_a_line.apply_async(("no request",), queue=queue)
                lines = _wait_for(lambda: parsed(buffer), lambda lines: len(_task_lines(lines)) >= 2)
    finally:
        app.conf.task_always_eager = True
    by_text = {line["message"]: line for line in _task_lines(lines)}
    assert by_text["task says hello"]["request_id"] == "req-follows-the-task"
    # A task with no request behind it (beat, the retry sweep) carries none.
    assert by_text["task says no request"]["request_id"] is None
    assert requestid.current() is None


def _task_lines(lines):
    return [line for line in lines if line["logger"] == task_log.name]


def _wait_for(read, predicate, timeout=20):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = read()
        if predicate(lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"the worker logged nothing in {timeout} s: {read()}")


def test_sentry_is_off_without_a_dsn():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


def test_sentry_events_lose_bodies_cookies_query_strings_and_personal_data():
    event = {
        "request": {
            "url": "https://ehc.council.example/cases/",
            "method": "POST",
            "data": {"first_name": "Siobhán", "diagnosis": "autism"},
            "cookies": {"sessionid": "secret"},
            "query_string": "q=O'Neill",
            "env": {"REMOTE_ADDR": "192.0.2.1"},
            "headers": {"Cookie": "sessionid=secret", "Authorization": "Bearer x", "X-Request-ID": "abc12345"},
        },
        "user": {"id": "42", "email": "officer@council.example", "ip_address": "192.0.2.1"},
    }
    token = requestid.bind("abc12345")
    try:
        scrubbed = sentry.before_send(event, {})
    finally:
        requestid.unbind(token)
    assert scrubbed["request"] == {
        "url": "https://ehc.council.example/cases/",
        "method": "POST",
        "headers": {"X-Request-ID": "abc12345"},
    }
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["tags"]["request_id"] == "abc12345"
    assert "Siobhán" not in json.dumps(scrubbed, ensure_ascii=False)


def test_sentry_gets_no_sql_breadcrumbs():
    assert sentry.before_breadcrumb({"category": "query", "message": "SELECT ... 'O''Neill'"}, {}) is None
    assert sentry.before_breadcrumb({"category": "django.request", "message": "x"}, {}) is not None
