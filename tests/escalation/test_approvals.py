"""Letters that need the AD Education's approval (escalation.approvals; decision 0016).

Ours asks for approval. A request notified on 2 April 2027 is due on 14 May; its escalation 1 falls on
Friday 28 May, before the late May bank holiday (Monday 31 May): the letter is written then and waits.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus
from ehc.models import AuditAction, AuditEvent, LocalAuthoritySettings, MessageKind, Notification, OutboundEmail
from escalation.approvals import ApprovalError, letter_approve
from escalation.letters import letter_render
from escalation.models import Escalation, EscalationStage, Letter
from escalation.sweep import sweep_run

from .conftest import at, make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db

FRIDAY, MONDAY_BANK_HOLIDAY, TUESDAY, WEDNESDAY = D(2027, 5, 28), D(2027, 5, 31), D(2027, 6, 1), D(2027, 6, 2)


@pytest.fixture
def approval(ours):
    LocalAuthoritySettings.objects.filter(local_authority=ours.la).update(letters_need_ad_approval=True)
    yield
    LocalAuthoritySettings.objects.filter(local_authority=ours.la).update(letters_need_ad_approval=False)


def waiting_letter(ours, **kwargs):
    request = make_request(ours, notified_on=D(2027, 4, 2), first_name="Ffion", **kwargs)
    sweep(FRIDAY)
    return request, Letter.objects.get(escalation__request=request)


def letter_emails(request):
    return OutboundEmail.objects.filter(advice_request=request, kind=MessageKind.ESCALATION_1)


def flags():
    return OutboundEmail.objects.filter(kind=MessageKind.LETTER_APPROVAL_OVERDUE)


def test_without_the_setting_a_letter_goes_at_once(ours):
    request = make_request(ours, notified_on=D(2027, 4, 2))
    sweep(FRIDAY)
    letter = Letter.objects.get(escalation__request=request)
    assert not letter.approval_required and letter.approval_due_at is None
    assert letter_emails(request).count() == 3
    assert Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1).response_due_on == D(2027, 6, 3)


def test_a_letter_needing_approval_waits_unsent_with_no_clock_running(ours, approval, login):
    request, letter = waiting_letter(ours)
    assert letter.is_awaiting_approval
    assert letter.addressed_to == ours.provider.director_email.lower()
    assert not letter_emails(request).exists()
    escalation = letter.escalation
    assert escalation.response_due_on is None
    item = AdviceItem.objects.get(request=request)
    assert item.next_action_on is None  # no escalation 2 until the letter has gone
    # One working day after it was written, at the time of the run: Tuesday, over the bank holiday.
    assert letter.approval_due_at == at(TUESDAY, 7)

    queue = login(ours.ad).get(reverse("escalation:approvals"))
    assert queue.status_code == 200
    assert "1 letter waiting" in queue.content.decode() and request.case.reference in queue.content.decode()
    # Nobody outside the LA sees a letter that has not gone; the AD reads a draft that is not kept.
    for outsider in (ours.dco, ours.spoc, ours.head_of_service):
        assert login(outsider).get(reverse("escalation:letter_detail", args=[letter.pk])).status_code == 404
        assert login(outsider).get(reverse("escalation:letter_download", args=[letter.pk])).status_code == 404
    with time_machine.travel(at(WEDNESDAY, 9), tick=False):
        draft = login(ours.ad).get(reverse("escalation:letter_download", args=[letter.pk]))
    assert draft.status_code == 200 and draft["Content-Disposition"].startswith('attachment; filename="draft-')
    letter.refresh_from_db()
    assert letter.rendered_at is None and letter.pdf is None
    with pytest.raises(ValueError):
        letter_render(letter_id=letter.pk)


def test_a_letter_waiting_a_working_day_is_flagged_to_business_support_once(ours, approval):
    request, letter = waiting_letter(ours)
    sweep(FRIDAY, hour=15)
    sweep_run(now=at(D(2027, 5, 29), 10))  # Saturday
    sweep_run(now=at(MONDAY_BANK_HOLIDAY, 10))  # not a working day: nothing runs for the LA
    sweep_run(now=at(TUESDAY, 6) + datetime.timedelta(minutes=59))
    assert not flags().exists()
    sweep_run(now=at(TUESDAY, 7))
    sweep_run(now=at(TUESDAY, 7, 15))
    sweep_run(now=at(WEDNESDAY, 7))
    (flag,) = flags()
    assert flag.to == ["send.support@la-ours.example"] and flag.cc == []
    rows = Notification.objects.filter(event=flag.dedupe_key)
    # In the service: business support's users only; the AD Education has the queue itself.
    assert {row.user_id for row in rows if row.user_id} == {ours.business_support.pk}
    assert {row.address for row in rows if row.address} == {"send.support@la-ours.example"}
    assert rows.get(user=ours.business_support).path == reverse("escalation:letter_detail", args=[letter.pk])
    letter.refresh_from_db()
    assert letter.approval_overdue_flagged_at == at(TUESDAY, 7)
    assert letter.is_awaiting_approval and not letter_emails(request).exists()
    assert AuditEvent.objects.filter(object_type="letter", object_id=str(letter.pk)).count() == 1


def test_a_closure_day_moves_the_flag_on_a_working_day(ours, approval):
    ours.la.closure_days.create(date=TUESDAY, reason="Staff training")
    try:
        request, letter = waiting_letter(ours)
        assert letter.approval_due_at == at(WEDNESDAY, 7)
        sweep_run(now=at(TUESDAY, 12))
        assert not flags().exists()
        sweep_run(now=at(WEDNESDAY, 7))
        assert flags().count() == 1
    finally:
        ours.la.closure_days.all().delete()


def test_one_click_approves_and_sends_the_letter_dated_that_day_once(
    ours, approval, login, django_capture_on_commit_callbacks
):
    request, letter = waiting_letter(ours)
    with time_machine.travel(at(WEDNESDAY, 9), tick=False):
        client = login(ours.ad)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(reverse("escalation:letter_approve", args=[letter.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("escalation:approvals")
        assert len(callbacks) == 1
        # A second click: the letter is no longer waiting, so there is nothing to approve.
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(reverse("escalation:letter_approve", args=[letter.pk]))
        assert again.status_code == 404
    letter.refresh_from_db()
    assert letter.dated == WEDNESDAY and letter.content["dated"] == "2027-06-02"
    assert letter.approved_by == ours.ad and not letter.is_awaiting_approval
    # Days overdue restated as of the day it went: due 14 May, sent 2 June.
    assert [team["days_overdue"] for team in letter.content["teams"]] == [19]
    escalation = letter.escalation
    # The DCO's 3 working days and the 2 weeks to escalation 2 count from the day it was sent.
    assert escalation.issued_on == WEDNESDAY and escalation.response_due_on == D(2027, 6, 7)
    item = AdviceItem.objects.get(request=request)
    assert item.escalation_1_on == WEDNESDAY and item.next_action_on == D(2027, 6, 16)
    emails = letter_emails(request)
    assert emails.count() == 3 and all(email.status == "sent" for email in emails)
    assert len(mail.outbox) == 3
    (attached,) = [message for message in mail.outbox if message.attachments]
    assert attached.to == ["send.support@la-ours.example"]
    assert "2 June 2027" in attached.body and "Monday 7 June 2027" in attached.body
    letter.refresh_from_db()
    assert letter.rendered_at is not None
    (approved,) = AuditEvent.objects.filter(object_type="letter", object_id=str(letter.pk), action=AuditAction.SEND)
    assert approved.actor == ours.ad and "sent dated 2 Jun 2027" in approved.summary
    # The approved letter is now the provider's and the DCO's to read.
    assert login(ours.dco).get(reverse("escalation:letter_detail", args=[letter.pk])).status_code == 200
    # Escalation 2 two weeks after the letter, not after the day it was written.
    sweep(D(2027, 6, 15))
    assert not Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_2).exists()
    sweep(D(2027, 6, 16))
    assert Escalation.objects.filter(request=request, stage=EscalationStage.ESCALATION_2).exists()


def test_only_the_las_ad_education_approves(ours, theirs, approval, login):
    request, letter = waiting_letter(ours)
    path = reverse("escalation:letter_approve", args=[letter.pk])
    for user in (ours.business_support, ours.case_officer, ours.dco, theirs.ad):
        assert login(user).post(path).status_code == 404
    assert login(theirs.ad).get(reverse("escalation:approvals")).content.decode().count(request.case.reference) == 0
    letter.refresh_from_db()
    assert letter.is_awaiting_approval and not letter_emails(request).exists()


def test_advice_back_before_approval_leaves_nothing_to_send_or_flag(ours, approval):
    request, letter = waiting_letter(ours)
    AdviceItem.objects.filter(request=request).update(status=ItemStatus.RETURNED, next_action_on=None)
    with time_machine.travel(at(WEDNESDAY, 9), tick=False), pytest.raises(ApprovalError):
        letter_approve(letter=letter, user=ours.ad)
    sweep_run(now=at(WEDNESDAY, 10))
    assert not flags().exists() and not letter_emails(request).exists()
