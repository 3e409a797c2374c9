"""Answers go back to the people who asked: each answer and notice is one email (reference and link) to
the AD Education, business support and the case officer, plus an in-app notification for each LA user
concerned; once each, however often it is raised or the sweep runs."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from advice.models import AdviceItem, DelayReason, ItemStatus
from advice.services import advice_return
from ehc.models import MessageKind, Notification, OutboundEmail, User
from ehc.notifications import la_event, notify
from ehc.outbox import email_content
from escalation.models import Escalation, EscalationStage
from escalation.services import Outcome, escalation_response_record, head_of_service_outcome_record

from .conftest import make_request, sweep

D = datetime.date
pytestmark = pytest.mark.django_db

AD_MAILBOX = "ad.education@la-ours.example"
SUPPORT_MAILBOX = "send.support@la-ours.example"


def at(day, hour=10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False)


def late(ours, **kwargs):
    """A request of ours with a case officer, escalation 1 on 22 January 2027 (escalation 2 due 5 Feb)."""
    request = make_request(
        ours, notified_on=D(2026, 11, 20), first_name="Zebedee", case_officer=ours.case_officer, **kwargs
    )
    sweep(D(2027, 1, 22))
    return request


def answers(kind):
    return list(OutboundEmail.objects.filter(kind=kind))


def recipients(event):
    rows = Notification.objects.filter(event=event)
    return {(row.user_id, row.address) for row in rows}


def unread(user):
    return User.objects.get(pk=user.pk).unread_notifications


def assert_reference_and_link_only(email, request, *teams):
    subject, text, html = email_content(email)
    assert request.case.reference in subject + text
    assert f"/cases/{request.case_id}/" in text
    for secret in ("Zebedee", request.case.child.last_name, *[team.name for team in teams]):
        assert secret not in subject + text + html


def test_the_dcos_response_to_escalation_1_goes_to_the_ad_business_support_and_the_officer(ours):
    request = late(ours)
    escalation = Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1)
    with at(D(2027, 1, 25)):
        escalation_response_record(escalation=escalation, user=ours.dco, response="Working with SLT")
        escalation_response_record(escalation=escalation, user=ours.dco, response="Again")
    (email,) = answers(MessageKind.ESCALATION_1_RESPONSE)
    assert email.to == [AD_MAILBOX]
    assert email.cc == [SUPPORT_MAILBOX, ours.case_officer.email]
    assert_reference_and_link_only(email, request, ours.slt)
    assert recipients(email.dedupe_key) == {
        (ours.ad.pk, ""),
        (ours.business_support.pk, ""),
        (ours.case_officer.pk, ours.case_officer.email),
        (None, AD_MAILBOX),
        (None, SUPPORT_MAILBOX),
    }
    assert unread(ours.ad) == unread(ours.business_support) == unread(ours.case_officer) == 1


def test_an_event_raised_twice_is_one_email_and_one_row_per_recipient(ours):
    request = late(ours)
    case = request.case
    case.refresh_from_db()

    def event():
        return la_event(
            kind=MessageKind.ESCALATION_1_RESPONSE,
            event="escalation_1_response:escalation:test",
            la_settings=ours.la.la_settings,
            case=case,
            path="/cases/",
            headline="Test",
        )

    notify([event()])
    notify([event()])
    assert OutboundEmail.objects.filter(dedupe_key="escalation_1_response:escalation:test").count() == 1
    assert Notification.objects.filter(event="escalation_1_response:escalation:test").count() == 5
    assert unread(ours.ad) == 1


def test_the_escalation_2_notice_goes_on_time_from_the_dco_office_once(ours):
    request = late(ours)
    sweep(D(2027, 2, 4))
    assert not answers(MessageKind.ESCALATION_2)
    sweep(D(2027, 2, 5))
    sweep(D(2027, 2, 5), hour=15)
    sweep(D(2027, 2, 8))
    (email,) = answers(MessageKind.ESCALATION_2)
    assert email.to == [AD_MAILBOX]
    assert email.cc[:3] == [SUPPORT_MAILBOX, "dco.office@icb.example", ours.case_officer.email]
    assert ours.slt.head_of_service_email in email.cc
    subject, text, _ = email_content(email)
    assert text.startswith("From the DCO/DMO office, to the Assistant Director of Education")
    assert_reference_and_link_only(email, request, ours.slt)
    users = {user_id for user_id, _ in recipients(email.dedupe_key) if user_id}
    assert users == {ours.ad.pk, ours.business_support.pk, ours.case_officer.pk}
    assert unread(ours.case_officer) == 1


def test_a_head_of_services_outcome_goes_back_to_the_la(ours):
    request = late(ours)
    sweep(D(2027, 2, 5))
    item = AdviceItem.objects.get(request=request)
    with at(D(2027, 2, 9)):
        head_of_service_outcome_record(
            item=item,
            user=ours.head_of_service,
            outcome=Outcome.PROMISED,
            promised_on=D(2027, 3, 1),
            delay_reason=DelayReason.CAPACITY,
            delay_detail="Two therapists off",
        )
    (email,) = answers(MessageKind.HEAD_OF_SERVICE_OUTCOME)
    assert email.to == [AD_MAILBOX] and ours.case_officer.email in email.cc
    assert_reference_and_link_only(email, request, ours.slt)
    assert "Two therapists" not in email.body_text + email.subject
    row = Notification.objects.get(event=email.dedupe_key, user=ours.ad)
    assert row.detail == "Advice promised by 1 March 2027; reason for the delay: Staffing or capacity"


def test_a_promised_date_passing_without_the_advice_is_told_once(ours):
    request = late(ours)
    sweep(D(2027, 2, 5))
    item = AdviceItem.objects.get(request=request)
    with at(D(2027, 2, 9)):
        head_of_service_outcome_record(
            item=item,
            user=ours.head_of_service,
            outcome=Outcome.PROMISED,
            promised_on=D(2027, 3, 1),
            delay_reason=DelayReason.CAPACITY,
            delay_detail="Capacity",
        )
    sweep(D(2027, 3, 1))  # the promised day itself: not passed yet
    assert not answers(MessageKind.PROMISE_PASSED)
    sweep(D(2027, 3, 2))
    sweep(D(2027, 3, 2), hour=15)
    sweep(D(2027, 3, 9))
    (email,) = answers(MessageKind.PROMISE_PASSED)
    assert email.to == [AD_MAILBOX]
    assert_reference_and_link_only(email, request, ours.slt)
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING and item.promise_passed_notified_on == D(2027, 3, 1)
    assert Notification.objects.filter(event=email.dedupe_key, user=ours.case_officer).count() == 1


def test_after_downtime_the_promise_passed_is_told_once_on_the_next_run(ours):
    request = late(ours)
    sweep(D(2027, 2, 5))
    AdviceItem.objects.filter(request=request).update(promised_on=D(2027, 2, 10))
    sweep(D(2027, 3, 15))  # down for a month
    sweep(D(2027, 3, 15), hour=12)
    assert len(answers(MessageKind.PROMISE_PASSED)) == 1


def test_advice_returned_after_a_chase_or_escalation_goes_to_the_ad_and_business_support(ours):
    request = late(ours)
    item = AdviceItem.objects.get(request=request)
    with at(D(2027, 1, 26)):
        advice_return(
            item=item,
            user=ours.slt_practitioner,
            returned_on=D(2027, 1, 26),
            content={"description_of_needs": "Needs", "provision_required": "Weekly", "outcomes": "Talks"},
        )
    (email,) = answers(MessageKind.ADVICE_RETURNED_LATE)
    assert email.to == [AD_MAILBOX] and email.cc == [SUPPORT_MAILBOX, ours.case_officer.email]
    assert_reference_and_link_only(email, request, ours.slt)
    assert not answers(MessageKind.ADVICE_RETURNED)
    assert Notification.objects.filter(event=email.dedupe_key, user=ours.ad).exists()


def test_advice_returned_in_time_is_only_the_usual_email_to_the_officer(ours):
    request = make_request(ours, notified_on=D(2027, 1, 4), case_officer=ours.case_officer)
    item = AdviceItem.objects.get(request=request)
    with at(D(2027, 1, 20)):
        advice_return(
            item=item,
            user=ours.slt_practitioner,
            returned_on=D(2027, 1, 20),
            content={"description_of_needs": "Needs", "provision_required": "Weekly", "outcomes": "Talks"},
        )
    assert len(answers(MessageKind.ADVICE_RETURNED)) == 1
    assert not answers(MessageKind.ADVICE_RETURNED_LATE)
    assert not Notification.objects.exists()


# The notifications page


@pytest.fixture
def told(ours):
    request = late(ours)
    escalation = Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1)
    with at(D(2027, 1, 25)):
        escalation_response_record(escalation=escalation, user=ours.dco, response="Working with SLT")
    return request


def test_the_page_lists_the_users_own_notifications_newest_first_unread_marked(told, ours, theirs, login):
    sweep(D(2027, 2, 5))  # the escalation 2 notice: a second notification
    client = login(ours.case_officer)
    page = client.get(reverse("notifications")).content.decode()
    assert page.index("Escalation 2: the DCO/DMO office") < page.index("has responded to escalation 1")
    assert page.count("govuk-tag--blue\">Unread") == 2
    assert 'class="app-count">2<' in page  # the header's count
    assert told.case.reference in page
    other = login(theirs.case_officer).get(reverse("notifications")).content.decode()
    assert told.case.reference not in other and "You have no notifications" in other


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(told, ours, login):
    client = login(ours.ad)
    row = Notification.objects.get(user=ours.ad)
    response = client.get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == f"/cases/{told.case_id}/"
    row.refresh_from_db()
    assert row.read_at is not None and unread(ours.ad) == 0
    assert 'class="app-count"' not in client.get(reverse("notifications")).content.decode()


def test_another_users_notification_is_404(told, ours, theirs, login):
    row = Notification.objects.get(user=ours.ad)
    for outsider in (ours.business_support, theirs.ad, ours.dco):
        assert login(outsider).get(reverse("notification_open", args=[row.pk])).status_code == 404
    assert login(ours.ad).get(reverse("notification_open", args=[999999])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read(told, ours, login):
    client = login(ours.business_support)
    assert client.get(reverse("notifications_read_all")).status_code == 405
    response = client.post(reverse("notifications_read_all"), follow=True)
    assert "1 notification marked as read" in response.content.decode()
    assert unread(ours.business_support) == 0
    assert unread(ours.ad) == 1  # someone else's stay unread


def test_signed_out_the_page_asks_to_sign_in(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and "sign-in" in response["Location"]
