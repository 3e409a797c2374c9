"""By SMTP an email is sent at least once (docs/security.md): every attempt of a row carries the same
Message-ID, so a repeat is recognisable; two rows never share one."""

import pytest
from django.core import mail

from ehc.models import MessageKind, MessageStatus, OutboundEmail
from ehc.outbox import email_queue, email_send, message_id_for


def queue(key):
    return email_queue(
        kind=MessageKind.INVITATION,
        dedupe_key=key,
        to=["someone@council-ours.example"],
        template="invitation",
        context={"organisation_name": "Council Ours", "valid_hours": 72, "accept_path": "/x/"},
        send_after_commit=False,
    )


@pytest.mark.django_db
def test_a_resent_row_carries_the_same_message_id_and_rows_differ(settings):
    settings.DEFAULT_FROM_EMAIL = "ehc@council-ours.example"
    first, second = queue("message-id-1"), queue("message-id-2")
    assert email_send(email_id=first.pk) is True
    # As after a worker killed between the relay's 250 and the commit: the row is sent again.
    OutboundEmail.objects.filter(pk=first.pk).update(status=MessageStatus.PENDING)
    assert email_send(email_id=first.pk) is True
    assert email_send(email_id=second.pk) is True
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert ids[0] == ids[1] == message_id_for(first)
    assert ids[2] == message_id_for(second) != ids[0]
    assert ids[0].endswith("@council-ours.example>")
