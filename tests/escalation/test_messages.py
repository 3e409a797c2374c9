"""The sweep's messages: queued as snapshots in a fixed number of statements, rendered when sent, and
the text sent kept on the row."""

import datetime
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ehc import outbox
from ehc.models import MessageKind, MessageStatus, OutboundEmail
from escalation.models import Escalation, EscalationStage, Letter

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db


def refuse(self, fail_silently=False):
    raise ConnectionRefusedError("mail server down")


def test_a_chase_is_queued_as_a_snapshot_and_rendered_when_sent(world, monkeypatch, settings):
    request = make_request(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    settings.SITE_URL = "https://ehc.council.example"
    sweep(D(2027, 1, 4))
    email = OutboundEmail.objects.get(kind=MessageKind.CHASE)
    assert email.template == "chase" and email.body_text == "" and email.subject == ""
    email.refresh_from_db()
    # Dates come back as dates: the templates' |date filters get what they were written for.
    assert email.context["issued_on"] == D(2027, 1, 4)
    assert [team["due_on"] for team in email.context["teams"]] == [D(2027, 1, 1)] * 2
    assert email.context["site_url"] == "https://ehc.council.example"
    subject, text, html = outbox.email_content(email)
    assert subject == f"Chase: health advice overdue for {request.case.reference}"
    assert "Sent on 4 January 2027" in text and f"https://ehc.council.example/cases/{request.case_id}/" in text
    assert request.case.child.first_name not in subject + text + html

    # The site address was taken with the snapshot; a first attempt that fails keeps the text it rendered.
    settings.SITE_URL = "https://elsewhere.example"
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert outbox.email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.status == MessageStatus.FAILED
    assert (email.subject, email.body_text, email.body_html) == (subject, text, html)

    # The retry sends the stored text: it does not render again.
    monkeypatch.undo()

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(outbox, "render_email", no_rendering)
    assert outbox.email_send(email_id=email.pk) is True
    (message,) = mail.outbox
    assert (message.subject, message.body, message.alternatives[0][0]) == (subject, text, html)
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT and email.body_text == text


def test_an_email_rendered_when_queued_is_sent_as_stored(ours):
    email = outbox.email_queue(
        kind=MessageKind.ADVICE_REQUESTED,
        dedupe_key="advice_requested:test",
        to=["spoc@provider.example"],
        template="advice_requested",
        context={"reference": "EHC-1", "local_authority": "LA", "provider": "P", "due_on": D(2027, 1, 1), "path": "/"},
        send_after_commit=False,
    )
    assert email.template == "" and email.context is None and "EHC-1" in email.subject
    assert outbox.email_content(email) == (email.subject, email.body_text, email.body_html)
    assert outbox.email_send(email_id=email.pk) is True
    assert mail.outbox[0].body == email.body_text


def test_emails_insert_skips_a_used_key_and_returns_the_unsent_rows(world):
    def row(key):
        return outbox.email_values(
            kind=MessageKind.CHASE,
            dedupe_key=key,
            to=["spoc@provider.example", "spoc@provider.example", ""],
            cc=["spoc@provider.example", "support@la.example"],
            template="chase",
            context={"reference": "EHC-1", "issued_on": D(2027, 1, 4)},
            defer_rendering=True,
        )

    sent = OutboundEmail.objects.get(pk=outbox.emails_insert([row("sent")])[0])
    OutboundEmail.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    (waiting,) = outbox.emails_insert([row("waiting")])
    ids = outbox.emails_insert([row("sent"), row("waiting"), row("new")])
    new = OutboundEmail.objects.get(dedupe_key="new")
    assert sorted(ids) == sorted([waiting, new.pk])
    assert OutboundEmail.objects.count() == 3
    assert new.to == ["spoc@provider.example"] and new.cc == ["support@la.example"]
    assert new.status == MessageStatus.PENDING and new.attempts == 0 and new.next_attempt_at is not None
    assert new.context["issued_on"] == D(2027, 1, 4)


def _sweep_queries(day):
    with CaptureQueriesContext(connection) as queries:
        sweep(day)
    return len(queries.captured_queries)


# Statements of a sweep run for one LA: on 4 January the chases, on 15 January the letters; the same
# for 2 requests or 12 (every write is set-based), counted with the savepoints. On 4 January the SPOC
# digests' schedule is set (6 statements); on 15 January the week's digests go: each LA's business
# support list and the SPOC digests, a fixed number per LA and per mailbox, never per request. The LAs'
# wording in force is one statement per chunk of messages, and one per LA's business support list.
SWEEP_STATEMENTS = {D(2027, 1, 4): 36, D(2027, 1, 15): 47}


@pytest.mark.parametrize("requests", [2, 12])
def test_the_sweep_makes_as_many_statements_for_twelve_requests_as_for_two(world, make, requests):
    for _ in range(requests):
        make(world, notified_on=D(2026, 11, 20), teams=[world.slt, world.ot])
    counts = {day: _sweep_queries(day) for day in SWEEP_STATEMENTS}
    assert Escalation.objects.filter(stage=EscalationStage.ESCALATION_1).count() == requests
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1, letter__isnull=False).count() == requests
    assert counts == SWEEP_STATEMENTS


def test_a_tick_with_nothing_due_is_two_statements_for_every_la_together(world, make, django_assert_num_queries):
    make(world, notified_on=D(2026, 11, 20))
    sweep(D(2027, 1, 4))  # the chase, and each LA's first digest date set
    sweep(D(2027, 1, 5))  # that week's digest (Monday's came after the 7 o'clock run)
    with django_assert_num_queries(2):  # the LAs with their settings and probes; the closure days
        report = sweep(D(2027, 1, 6))
    assert not report.lines and not sum(report.counts.values())
    # The probe sees work as it falls due: the letter on 15 January, its unanswered window on 21 January.
    sweep(D(2027, 1, 15))
    assert Letter.objects.count() == 1
    sweep(D(2027, 1, 21))
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1_OVERDUE).count() == 1
    assert Escalation.objects.get(stage=EscalationStage.ESCALATION_1).response_overdue_notified


@pytest.mark.parametrize(
    "values, sql_type",
    [
        ([1, 2, None, 3], "bigint"),
        ([7, 7, 7], "bigint"),
        ([True, False, None], "boolean"),
        ([D(2027, 1, 4), None, D(2027, 1, 5)], "date"),
        (['say "no"', "back\\slash", "NULL", "", None, "{a,b}", "é"], "varchar"),
        (['{"teams": ["SLT \\"A\\""]}'], "jsonb"),
    ],
)
def test_batch_arrays_reach_postgresql_unchanged(values, sql_type):
    from escalation.sweep import array_literal

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{sql_type}[]", [array_literal(values)])
        (back,) = cursor.fetchone()
    if sql_type == "jsonb":
        back, values = [json.loads(value) for value in back], [json.loads(value) for value in values]
    assert back == values
