"""Sending by GOV.UK Notify (ehc.notify, ehc.delivery): the real client against a local stand-in for
the Notify API (tests/notify_standin.py), never a mock of the client."""

import datetime
import json
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from ehc import delivery, notify
from ehc.models import DeliveryStatus, MessageKind, MessageStatus, OutboundEmail
from ehc.outbox import email_queue, email_send
from tests.notify_standin import NotifyStandIn

DAY = datetime.timedelta(days=1)


@pytest.fixture
def standin(settings):
    server = NotifyStandIn()
    settings.EMAIL_SENDER = "notify"
    settings.EMAIL_BACKEND = "ehc.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_BASE_URL = server.url
    settings.NOTIFY_TEMPLATE_ID = server.template_id
    settings.NOTIFY_TIMEOUT_SECONDS = 5
    yield server
    server.close()


def queue(key="notify-1", to=("director@provider-ours.example",), cc=(), kind=MessageKind.CHASE, **kwargs):
    return email_queue(
        kind=kind,
        dedupe_key=key,
        to=list(to),
        cc=list(cc),
        template="invitation",
        context={"organisation_name": "Council Ours", "valid_hours": 72, "accept_path": "/account/invitation/x/"},
        send_after_commit=False,
        **kwargs,
    )


def rows(standin):
    return [(n["reference"], n["email_address"]) for n in standin.notifications]


@pytest.mark.django_db(transaction=True)
def test_each_address_gets_one_notification_with_the_row_reference_and_the_first_attempt_asks_nothing(standin):
    email = queue(cc=["business-support@council-ours.example"])
    assert email_send(email_id=email.pk) is True
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT and email.handed_over_at is not None
    assert rows(standin) == [
        (email.notify_reference, "director@provider-ours.example"),
        (email.notify_reference, "business-support@council-ours.example"),
    ]
    assert email.notify_reference.startswith(f"ehc-{email.pk}-")
    sent = standin.notifications[0]["personalisation"]
    assert sent["subject"] == email.subject and sent["body"] == email.body_text
    assert sent["has_attachment"] == "no" and sent["attachment"] == ""
    # Nothing was handed over before: no lookup, one request per address.
    assert standin.requests[("GET", "list")] == 0 and standin.requests[("POST", "email")] == 2
    assert email.delivery_status == DeliveryStatus.SENDING
    # Sent once: a second call sends nothing.
    assert email_send(email_id=email.pk) is False
    assert len(standin.notifications) == 2


class Killed(BaseException):
    """A worker killed -9: nothing after this point runs, its transaction is rolled back."""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_notify_accepted_does_not_send_again(standin, monkeypatch):
    email = queue(to=["director@provider-ours.example", "dco@icb-ours.example"])

    def killed_after_acceptance(delivery):
        raise Killed

    monkeypatch.setattr(notify, "delivery_summary", killed_after_acceptance)
    with pytest.raises(Killed):
        email_send(email_id=email.pk)
    monkeypatch.undo()
    email.refresh_from_db()
    # Notify has both; the row says nothing was sent, but its hand-over mark was committed first.
    assert email.status == MessageStatus.PENDING and email.attempts == 0 and email.sent_at is None
    assert email.handed_over_at is not None
    assert len(standin.notifications) == 2

    assert email_send(email_id=email.pk) is True
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT
    # The retry asked Notify by the reference and sent nothing more.
    assert standin.requests[("GET", "list")] == 1 and standin.requests[("POST", "email")] == 2
    assert sorted(standin.accepted().values()) == [1, 1]
    assert set(email.delivery) == {"director@provider-ours.example", "dco@icb-ours.example"}


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_failure_part_way_sends_only_to_the_addresses_notify_lacks(standin):
    email = queue(to=["director@provider-ours.example", "spoc@provider-ours.example"])
    # The first address was accepted by an attempt that then failed (Notify went away, say).
    OutboundEmail.objects.filter(pk=email.pk).update(handed_over_at=timezone.now())
    notify.client().send_email_notification(
        email_address="director@provider-ours.example",
        template_id=standin.template_id,
        personalisation={"subject": "s", "body": "b", "has_attachment": "no", "attachment": ""},
        reference=email.notify_reference,
    )
    assert email_send(email_id=email.pk) is True
    assert standin.accepted() == {
        (email.notify_reference, "director@provider-ours.example"): 1,
        (email.notify_reference, "spoc@provider-ours.example"): 1,
    }


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_always_asks_first(standin):
    # A crash would roll the hand-over mark back with everything else, so it cannot be trusted.
    email = queue()
    assert email_send(email_id=email.pk) is True
    assert standin.requests[("GET", "list")] == 1 and len(standin.notifications) == 1


@pytest.mark.django_db
def test_the_standin_refuses_a_token_signed_with_another_key_and_the_row_is_retried(standin, settings):
    settings.NOTIFY_API_KEY = f"ehc_test-{standin.service_id}-00000000-0000-4000-8000-000000000000"
    email = queue()
    assert email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.status == MessageStatus.FAILED and email.attempts == 1
    assert "403" in email.last_error and "Invalid token" in email.last_error
    assert standin.notifications == [] and standin.requests[("refused", "GET")] == 1


@pytest.mark.django_db
def test_a_letter_goes_as_a_download_link_confirmed_by_email(standin, settings):
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject="Escalation 1", body="See the letter", to=["director@p.example"])
    message.attach("letter.pdf", b"%PDF-1.7 letter", "application/pdf")
    notify.notify_send(message, reference="ehc-1-20261207000000000000")
    fields = standin.notifications[0]["personalisation"]
    assert fields["has_attachment"] == "yes"
    assert fields["attachment"]["filename"] == "letter.pdf" and fields["attachment"]["confirm_email_before_download"]


@pytest.mark.django_db
def test_djangos_own_emails_go_by_notify_too(standin):
    mail.send_mail("Reset your password", "Follow the link", None, ["someone@council-ours.example"])
    assert [(n["email_address"], n["subject"], n["reference"]) for n in standin.notifications] == [
        ("someone@council-ours.example", "Reset your password", None)
    ]


@pytest.mark.django_db
def test_delivery_statuses_are_fetched_and_a_final_one_is_kept(standin, settings):
    email = queue(to=["perm-fail@simulator.notify", "director@provider-ours.example"])
    email_send(email_id=email.pk)
    other = queue(key="notify-2", to=["spoc@provider-ours.example"])
    email_send(email_id=other.pk)
    assert delivery.delivery_fetch_due() == 2  # still sending at Notify: nothing final yet
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.SENDING and email.delivery_checked_at is not None

    standin.deliver_all()
    assert delivery.delivery_fetch_due() == 2
    email.refresh_from_db()
    other.refresh_from_db()
    assert email.delivery == {
        "perm-fail@simulator.notify": "permanent-failure",
        "director@provider-ours.example": "delivered",
    }
    assert email.delivery_status == DeliveryStatus.PERMANENT_FAILURE
    assert other.delivery_status == DeliveryStatus.DELIVERED
    assert email.undelivered_to == [
        ("perm-fail@simulator.notify", "permanent failure, the address does not exist or refuses email")
    ]
    # Final: never asked about again, and a late "sending" cannot undo it.
    assert delivery.delivery_fetch_due() == 0
    delivery.delivery_merge(email.pk, {"perm-fail@simulator.notify": "sending"})
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.PERMANENT_FAILURE


@pytest.mark.django_db
def test_with_smtp_nothing_is_fetched(settings):
    settings.EMAIL_SENDER = "smtp"
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(delivery_status=DeliveryStatus.SENDING, sent_at=timezone.now())
    assert delivery.delivery_fetch_due() == 0


def receipt(email, status, to="director@provider-ours.example"):
    return json.dumps(
        {
            "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
            "reference": email.notify_reference,
            "to": to,
            "status": status,
            "created_at": "2026-12-07T12:00:00.000000Z",
            "completed_at": "2026-12-07T12:00:05.000000Z",
            "sent_at": "2026-12-07T12:00:01.000000Z",
            "notification_type": "email",
        }
    )


@pytest.mark.django_db
def test_the_callback_records_a_status_only_with_notifys_bearer_token(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = "callback-token-for-tests-only-0123456789"
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(
        delivery={"director@provider-ours.example": "sending"}, delivery_status=DeliveryStatus.SENDING
    )
    url = reverse("notify_callback")

    def post(body, token):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.post(url, body, content_type="application/json", **headers)

    for token in (None, "wrong-token", settings.NOTIFY_CALLBACK_TOKEN + "x", "Bearer"):
        assert post(receipt(email, "permanent-failure"), token).status_code == 401
    assert client.post(
        url, receipt(email, "delivered"), content_type="application/json",
        HTTP_AUTHORIZATION=settings.NOTIFY_CALLBACK_TOKEN,  # no "Bearer "
    ).status_code == 401
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.SENDING

    token = settings.NOTIFY_CALLBACK_TOKEN
    assert post("{not json", token).status_code == 400
    assert post(json.dumps({"reference": email.notify_reference}), token).status_code == 400
    # Another deployment's row of the same id: acknowledged, ignored.
    stranger = json.loads(receipt(email, "delivered"))
    stranger["reference"] = f"ehc-{email.pk}-19990101000000000000"
    assert post(json.dumps(stranger), token).status_code == 204
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.SENDING

    assert post(receipt(email, "permanent-failure"), token).status_code == 204
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.PERMANENT_FAILURE
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_the_callback_is_refused_when_no_token_is_set(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    email = queue()
    response = client.post(
        reverse("notify_callback"), receipt(email, "delivered"), content_type="application/json",
        HTTP_AUTHORIZATION="Bearer ",
    )
    assert response.status_code == 401


def test_notify_needs_its_key_and_template(settings):
    settings.EMAIL_SENDER = "notify"
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(SystemCheckError, match="NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID"):
        call_command("check")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(standin):
    email = queue()
    results = []

    def worker():
        from django.db import connection

        try:
            results.append(email_send(email_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1 and len(standin.notifications) == 1
