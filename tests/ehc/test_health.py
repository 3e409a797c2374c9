"""Liveness and readiness (ehc.health): who may ask, what each check fails on, and what the answer
gives away (nothing but check names and ok/fail)."""

import datetime
import json
import time

import pytest
from django.core.cache import cache
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ehc import health
from ehc.models import MessageKind, MessageStatus, OutboundEmail

pytestmark = pytest.mark.django_db

ALL_OK = {"database": "ok", "redis": "ok", "worker": "ok", "beat": "ok", "outbox": "ok"}


@pytest.fixture
def alive():
    """A worker and beat that have just reported."""
    health.record(health.WORKER_KEY)
    health.record(health.BEAT_KEY)
    yield
    cache.delete_many([health.WORKER_KEY, health.BEAT_KEY])


def ready(client=None):
    response = (client or Client()).get(reverse("readyz"))
    return response, json.loads(response.content)


def email_due(minutes_ago, *, key="health", status=MessageStatus.PENDING):
    return OutboundEmail.objects.create(
        kind=MessageKind.CHASE,
        dedupe_key=key,
        to=["spoc@provider.example"],
        subject="Chase",
        body_text="Reference and link",
        status=status,
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_liveness_answers_without_signing_in_or_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_liveness_answers_while_the_database_is_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    assert Client().get(reverse("healthz")).status_code == 200


def test_ready_when_everything_answers(alive):
    response, body = ready()
    assert response.status_code == 200
    assert body == {"status": "ok", "checks": ALL_OK}
    assert response["Content-Type"] == "application/json"


def test_not_ready_when_the_database_fails_and_the_answer_says_no_more_than_that(alive, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('could not connect to server at "db.internal.example" port 5432')

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response, body = ready()
    assert response.status_code == 503
    assert body == {"status": "fail", "checks": {**ALL_OK, "database": "fail", "outbox": "fail"}}
    assert b"db.internal.example" not in response.content and b"Error" not in response.content
    # The reason is in the log, for whoever runs the service.
    assert "db.internal.example" in caplog.text
    # As warnings only: no ERROR line (nor Sentry event) for each poll of the monitor.
    assert {record.levelname for record in caplog.records} == {"WARNING"}


def test_not_ready_when_redis_is_unreachable(settings):
    # A port nothing listens on: the real client, its real timeouts, a real refusal.
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    started = time.monotonic()
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"] == {**ALL_OK, "redis": "fail", "worker": "fail", "beat": "fail"}
    assert time.monotonic() - started < 5


def test_not_ready_when_no_worker_has_reported_for_too_long(alive, settings):
    health.record(health.WORKER_KEY, now=time.time() - settings.HEALTH_WORKER_MAX_AGE_SECONDS - 5)
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"] == {**ALL_OK, "worker": "fail"}
    health.record(health.WORKER_KEY, now=time.time() - settings.HEALTH_WORKER_MAX_AGE_SECONDS + 5)
    assert ready()[0].status_code == 200


def test_not_ready_when_beat_has_never_run(alive):
    cache.delete(health.BEAT_KEY)
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"] == {**ALL_OK, "beat": "fail"}


def test_not_ready_when_an_email_has_waited_past_the_threshold(alive, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 900
    email = email_due(minutes_ago=10)
    assert ready()[0].status_code == 200
    email.next_attempt_at = timezone.now() - datetime.timedelta(minutes=16)
    email.save()
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"] == {**ALL_OK, "outbox": "fail"}
    # Sent, or retried later after a failure: no longer a backlog.
    email.status = MessageStatus.SENT
    email.save()
    assert ready()[0].status_code == 200


def test_signed_in_users_get_the_same_answer(alive, ours, login):
    response, body = ready(login(ours.case_officer))
    assert response.status_code == 200
    assert body == {"status": "ok", "checks": ALL_OK}


def test_recording_a_heartbeat_never_raises_when_redis_is_away(settings, caplog):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    health.record(health.WORKER_KEY)
    assert "could not record" in caplog.text



def test_a_real_worker_writes_its_heartbeat_once_connected():
    import uuid

    from celery.contrib.testing.worker import start_worker

    from ehc.celery import app

    cache.delete(health.WORKER_KEY)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[f"test-heartbeat-{uuid.uuid4().hex}"]):
            deadline = time.monotonic() + 20
            while cache.get(health.WORKER_KEY) is None and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    assert time.time() - cache.get(health.WORKER_KEY) < 30


def test_beat_records_its_run_when_it_hands_a_task_to_the_broker_and_nobody_else_does(monkeypatch):
    import ehc.celery

    cache.delete(health.BEAT_KEY)
    ehc.celery._beat_ran(sender="ehc.tasks.outbox_send_due_task")
    assert cache.get(health.BEAT_KEY) is None  # a web or worker process publishing
    monkeypatch.setattr(ehc.celery, "_in_beat", True)
    ehc.celery._beat_ran(sender="ehc.tasks.outbox_send_due_task")
    assert time.time() - cache.get(health.BEAT_KEY) < 5
