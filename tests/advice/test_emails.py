"""Every advice email: sent after commit, once per event however often the step runs, and carrying
a reference and a link but never the child's name or health details."""

import datetime

import pytest
from django.core import mail

from advice import services
from advice.models import KnownStatus
from ehc.models import MessageKind, MessageStatus, OutboundEmail, Service
from ehc.outbox import email_send_due

from .conftest import NOTIFIED, decline, record_draft, request_advice, return_advice

SECRET = "Quillfeather"  # the child's surname: in no email, ever


def _sent_once(kind):
    """Run the sending step twice more, then check one row and one message for the event."""
    email_send_due()
    email_send_due()
    rows = OutboundEmail.objects.filter(kind=kind)
    messages = [m for m in mail.outbox if m.subject == rows[0].subject] if rows else []
    return rows, messages


def _no_child_details(message):
    text = message.subject + message.body + message.alternatives[0][0]
    assert SECRET not in text and "Robin" not in text
    assert "Needs described." not in text


@pytest.fixture
def advice_request(ours, case, travel, django_capture_on_commit_callbacks):
    travel(NOTIFIED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        advice_request = request_advice(case, ours)
    # The send is scheduled after commit, not run inside the business transaction.
    assert len(callbacks) == 1
    return advice_request


def test_the_spoc_notice_is_sent_once(advice_request, ours):
    assert len(mail.outbox) == 1
    services.advice_request_notify_spoc(advice_request=advice_request)
    services.advice_request_notify_spoc(advice_request=advice_request)
    rows, messages = _sent_once(MessageKind.ADVICE_REQUESTED)
    assert rows.count() == 1 and rows[0].status == MessageStatus.SENT
    assert len(messages) == 1 and len(mail.outbox) == 1
    message = messages[0]
    assert message.to == [ours.provider.spoc_email]
    assert advice_request.case.reference in message.subject
    assert f"/advice/requests/{advice_request.pk}/" in message.body
    _no_child_details(message)


def test_the_acknowledgement_receipt_is_sent_once_to_the_officer_and_business_support(advice_request, ours):
    answers = [
        services.TeamAnswer(team=ours.slt, known_status=KnownStatus.KNOWN_OPEN),
        services.TeamAnswer(team=ours.ot, known_status=KnownStatus.WAITING_LIST),
    ]
    services.advice_acknowledge(advice_request=advice_request, user=ours.spoc, answers=answers)
    services.advice_acknowledged_notify(advice_request=advice_request)
    with pytest.raises(services.AdviceError):
        services.advice_acknowledge(advice_request=advice_request, user=ours.spoc, answers=answers)
    rows, messages = _sent_once(MessageKind.ACKNOWLEDGED)
    assert rows.count() == 1 and len(messages) == 1
    assert messages[0].to == [ours.case_officer.email]
    assert messages[0].cc == ["send.support@la-ours.example"]
    _no_child_details(messages[0])


def test_without_a_case_officer_business_support_gets_the_receipt(advice_request, ours):
    case = advice_request.case
    case.case_officer = None
    case.save()
    services.advice_acknowledge(
        advice_request=advice_request,
        user=ours.spoc,
        answers=[
            services.TeamAnswer(team=ours.slt, known_status=KnownStatus.NOT_KNOWN),
            services.TeamAnswer(team=ours.ot, known_status=KnownStatus.NOT_KNOWN),
        ],
    )
    rows, messages = _sent_once(MessageKind.ACKNOWLEDGED)
    assert messages[0].to == ["send.support@la-ours.example"] and messages[0].cc == []


def test_advice_returned_is_sent_once_per_team(advice_request, ours):
    slt = advice_request.items.get(team=ours.slt)
    return_advice(slt, ours.slt_practitioner)
    services.advice_returned_notify(item=slt)
    with pytest.raises(services.AdviceError):
        return_advice(slt, ours.slt_practitioner)
    rows, messages = _sent_once(MessageKind.ADVICE_RETURNED)
    assert rows.count() == 1 and len(messages) == 1
    assert messages[0].to == [ours.case_officer.email]
    assert "Health advice returned" in messages[0].subject
    _no_child_details(messages[0])


def test_not_provided_tells_the_case_officer_once(advice_request, ours):
    ot = advice_request.items.get(team=ours.ot)
    services.advice_not_provided(
        item=ot,
        user=ours.spoc,
        reason="capacity",
        detail="No OT capacity",
        decided_by="Head of OT",
        decided_on=NOTIFIED,
    )
    services.advice_returned_notify(item=ot)
    rows, messages = _sent_once(MessageKind.ADVICE_RETURNED)
    assert rows.count() == 1 and len(messages) == 1
    assert "will not be provided" in messages[0].subject
    assert "No OT capacity" not in messages[0].body


def test_the_draft_is_shared_once_with_each_team_that_gave_advice(advice_request, ours, case):
    return_advice(advice_request.items.get(team=ours.slt), ours.slt_practitioner)
    decline(advice_request.items.get(team=ours.ot), ours.spoc, reason="not_required")
    draft = record_draft(case, ours)
    services.draft_shared_notify(draft_plan=draft)
    rows, messages = _sent_once(MessageKind.DRAFT_SHARED)
    # OT gave no advice: only SLT hears, with the SPOC mailbox in copy.
    assert rows.count() == 1 and len(messages) == 1
    assert messages[0].to == [ours.slt.email] and messages[0].cc == [ours.provider.spoc_email]
    assert "#draft-plan" in messages[0].body
    _no_child_details(messages[0])


def test_a_team_without_a_mailbox_is_told_through_its_practitioners(advice_request, ours, case):
    ours.slt.email = ""
    ours.slt.save()
    request_items = list(advice_request.items.all())
    for item in request_items:
        return_advice(item, ours.spoc)
    draft = record_draft(case, ours)
    rows, _ = _sent_once(MessageKind.DRAFT_SHARED)
    assert sorted(row.to[0] for row in rows) == sorted([ours.slt_practitioner.email, ours.ot.email])
    assert draft.comments_close_on == NOTIFIED + datetime.timedelta(days=15)


def test_a_request_for_another_service_is_named_in_no_email(ours, case, travel):
    travel(NOTIFIED)
    request_advice(case, ours, services=[Service.COMMUNITY_PAEDIATRICS])
    email_send_due()
    assert "paediatrics" not in mail.outbox[0].body.lower()
