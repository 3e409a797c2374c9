"""Health's report for a review, on the real sweep: due a set time before the meeting and chased once
on the ladder counted from there; the notice dates across bank holidays; a meeting moved after the
invitations moves the reports' dates and their timers."""

import datetime

import pytest
from django.core import mail

from advice.models import AdviceItem, AdviceRequest, ItemStatus, Stage
from advice.services import AdviceError, review_advice_request_send
from ehc.models import MessageKind, OutboundEmail
from ehc.outbox import email_send_due
from escalation.sweep import sweep_run
from reviews.invitations import ShortNotice, invitations_send, review_meeting_move, review_notice

from .conftest import HEALTH_NOTICE_BY, MEETING, NOTICE_BY, REPORT_DUE, at, issued_case, open_review, review_items

D = datetime.date
pytestmark = pytest.mark.django_db
SENT = D(2027, 3, 1)


def sweep(day, hour=7):
    return sweep_run(now=at(day, hour))


def chases():
    return list(OutboundEmail.objects.filter(kind=MessageKind.CHASE))


def test_a_reviews_report_is_chased_once_by_the_sweep_the_working_day_after_its_due_date(ours, review):
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    slt, ot = review_items(review)[1], review_items(review)[0]
    assert (slt.due_on, slt.next_action_on) == (REPORT_DUE, REPORT_DUE)
    # OT's report comes in on time; SLT's does not.
    AdviceItem.objects.filter(pk=ot.pk).update(
        status=ItemStatus.RETURNED, returned_on=D(2027, 4, 20), next_action_on=None
    )

    sweep(D(2027, 4, 26))  # the due date itself: nothing yet
    slt.refresh_from_db()
    assert slt.stage == Stage.REQUESTED and not chases()
    sweep(D(2027, 4, 27))  # the first working day after it: the chase
    sweep(D(2027, 4, 27), hour=15)  # beat runs all day: once only
    sweep(D(2027, 4, 28))
    slt.refresh_from_db()
    assert (slt.stage, slt.chased_on) == (Stage.CHASED, D(2027, 4, 27))
    # Escalation 1 is next, 14 days after the due date: the day of the meeting.
    assert slt.next_action_on == MEETING
    (chase,) = chases()
    assert chase.advice_request.review == review
    ot.refresh_from_db()
    assert ot.stage == Stage.REQUESTED


def test_notice_dates_go_the_working_day_before_a_bank_holiday(ours, review):
    notice = review_notice(review)
    # 6 weeks before 10 May 2027 is Easter Monday; the Friday before is Good Friday.
    assert notice.invitations_by == NOTICE_BY
    assert notice.health_by == HEALTH_NOTICE_BY == D(2027, 3, 25)
    assert not notice.health_late(HEALTH_NOTICE_BY) and notice.health_late(D(2027, 3, 26))


def test_invitations_record_the_day_they_went_and_ask_each_provider(ours, review):
    (advice_request,) = invitations_send(
        review, providers=[ours.provider], message="Review of O'Neill", by=ours.case_officer, today=SENT
    )
    review.refresh_from_db()
    assert review.invitations_sent_on == SENT
    assert (advice_request.review, advice_request.message) == (review, "Review of O'Neill")


def test_invitations_later_than_healths_notice_need_confirming_and_change_nothing_until_then(ours, review):
    late = D(2027, 3, 26)
    with pytest.raises(ShortNotice):
        invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=late)
    review.refresh_from_db()
    assert review.invitations_sent_on is None and not AdviceRequest.objects.filter(review=review).exists()
    invitations_send(
        review, providers=[ours.provider], message="", by=ours.case_officer, today=late, short_notice_confirmed=True
    )
    review.refresh_from_db()
    assert review.invitations_sent_on == late


def test_moving_the_meeting_moves_the_reports_due_dates_and_replans_their_timers(ours, review):
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    email_send_due()
    mail.outbox.clear()
    new_meeting = D(2027, 6, 7)
    changed = review_meeting_move(
        review, meeting_on=new_meeting, reason="The school's SENCO is away", by=ours.case_officer, today=D(2027, 4, 1)
    )
    assert changed == 2
    review.refresh_from_db()
    assert review.meeting_on == new_meeting
    new_due = D(2027, 5, 24)
    assert AdviceRequest.objects.get(review=review).due_on == new_due
    for item in review_items(review):
        # Replanned as the sweep would: its next look is the chase, the working day after.
        assert (item.due_on, item.next_action_on) == (new_due, D(2027, 5, 25))
    # The old due date passes with nothing chased.
    sweep(D(2027, 4, 27))
    assert not chases()
    email_send_due()
    (moved,) = mail.outbox
    assert moved.to == [ours.provider.spoc_email] and "7 June 2027" in moved.body and "24 May 2027" in moved.body
    assert "O'Neill" not in moved.body and "SENCO" not in moved.body


def test_moving_an_item_already_chased_keeps_it_chased_with_its_escalation_moved(ours, review):
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    sweep(D(2027, 4, 27))
    review_meeting_move(
        review, meeting_on=D(2027, 6, 7), reason="Parent unwell", by=ours.case_officer, today=D(2027, 4, 28)
    )
    for item in review_items(review):
        # Escalation 1 on the moved "due + 14 days".
        assert (item.stage, item.due_on, item.next_action_on) == (Stage.CHASED, D(2027, 5, 24), D(2027, 6, 7))


@pytest.mark.parametrize(
    "meeting_on, reason, today",
    [
        (D(2027, 6, 7), "  ", D(2027, 4, 1)),  # no reason
        (MEETING, "Same day", D(2027, 4, 1)),  # not moved
        (D(2027, 3, 30), "Past", D(2027, 4, 1)),  # in the past
        (D(2027, 4, 12), "Too soon", D(2027, 4, 1)),  # report would be due before today
    ],
)
def test_a_refused_move_changes_nothing(ours, review, meeting_on, reason, today):
    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    before = [(item.due_on, item.next_action_on) for item in review_items(review)]
    emails = OutboundEmail.objects.count()
    with pytest.raises(AdviceError):
        review_meeting_move(review, meeting_on=meeting_on, reason=reason, by=ours.case_officer, today=today)
    review.refresh_from_db()
    assert review.meeting_on == MEETING
    assert [(item.due_on, item.next_action_on) for item in review_items(review)] == before
    assert AdviceRequest.objects.get(review=review).due_on == REPORT_DUE
    assert OutboundEmail.objects.count() == emails


def test_a_review_of_another_la_is_asked_of_its_own_providers_only(ours, theirs):
    review = open_review(issued_case(theirs))
    with pytest.raises(AdviceError):
        review_advice_request_send(review, ours.provider, by=theirs.case_officer, today=SENT)


def test_the_chase_the_letter_and_the_digests_say_it_is_a_report_for_a_review_meeting(ours, review):
    from escalation.letters import letter_html
    from escalation.models import Letter

    invitations_send(review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT)
    day = D(2027, 4, 26)
    while day <= D(2027, 5, 11):  # the daily runs, past escalation 1 on the meeting day
        sweep(day)
        day += datetime.timedelta(days=1)
    email_send_due()
    by_subject = {message.subject: message for message in mail.outbox}
    chase = next(message for subject, message in by_subject.items() if subject.startswith("Chase"))
    assert "report for an annual review" in chase.subject
    assert "annual review meeting on 10 May 2027" in chase.body
    letter = Letter.objects.get()
    assert letter.content["review"] == {"meeting_on": "2027-05-10"}
    html = letter_html(letter.content)
    assert "overdue health report for an annual review" in html and "10 May 2027" in html
    assert "O&#x27;Neill" in html  # the letter names the child, escaped
    escalation_1 = [message for message in mail.outbox if message.subject.startswith("Escalation 1")]
    assert escalation_1 and all("report for an annual review" in message.subject for message in escalation_1)
    # The Monday digests (3 and 10 May) list the review's items with their meeting.
    digests = [message for message in mail.outbox if "annual review meeting on 10 May 2027" in message.body]
    assert len(digests) >= 2
    for message in mail.outbox:
        assert "O'Neill" not in message.body + message.subject and "Siobhan" not in message.body


def test_after_the_invitations_the_page_only_asks_more_providers(ours, review):
    invitations_send(review, providers=[], message="", by=ours.case_officer, today=SENT)
    with pytest.raises(AdviceError, match="select a health provider"):
        invitations_send(review, providers=[], message="", by=ours.case_officer, today=SENT)
    (advice_request,) = invitations_send(
        review, providers=[ours.provider], message="", by=ours.case_officer, today=SENT
    )
    review.refresh_from_db()
    assert review.invitations_sent_on == SENT and advice_request.review == review
