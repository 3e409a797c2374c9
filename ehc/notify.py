"""Sending by GOV.UK Notify (EMAIL_SENDER=notify), with the official client, notifications-python-client.

Notify sends from templates made in its web interface; the product keeps its own wording
(templates/emails/, the LA's wording pages), so one generic Notify template carries it: `((subject))`
as its subject and `((body))` as its body, plus `((has_attachment??...))((attachment))` for the letter
an escalation email carries, as a download link (README, production). Notify has no copy line: each
address of a row, `to` and `cc`, gets its own notification, all with the row's reference.

Exactly once (docs/decisions/0026-gov-uk-notify.md): the outbox commits `handed_over_at` before its
first attempt; an attempt that finds it set, or that runs inside a transaction that a crash would
roll back, first asks Notify which addresses it already accepted under the row's reference
(`get_all_notifications(reference=...)`) and sends only to the others. So a worker killed after
Notify accepted and before the row was marked sent does not send again.
"""

import io
import logging

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload

from .models import DeliveryStatus

log = logging.getLogger(__name__)

# Notify's email statuses that will not change again; anything else (created, sending, pending) is
# still on its way.
FINAL = {
    DeliveryStatus.DELIVERED,
    DeliveryStatus.PERMANENT_FAILURE,
    DeliveryStatus.TEMPORARY_FAILURE,
    DeliveryStatus.TECHNICAL_FAILURE,
}


def enabled() -> bool:
    return settings.EMAIL_SENDER == "notify"


def client() -> NotificationsAPIClient:
    # One per use: the client holds a requests session and is not thread-safe.
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT_SECONDS
    )


def status_of(notify_status: str) -> str:
    """Notify's status as the row keeps it: the final ones by name, the rest as "sending"."""
    return notify_status if notify_status in FINAL else DeliveryStatus.SENDING


def recipients(message) -> list[str]:
    seen, addresses = set(), []
    for address in [*message.to, *message.cc, *message.bcc]:
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


def personalisation(message) -> dict:
    """The generic template's fields. The letter an email carries goes as Notify's file download
    link; the recipient confirms their email address before downloading it."""
    attachment = ""
    if len(message.attachments) > 1:
        raise ValueError("GOV.UK Notify's generic template carries one attachment")
    for filename, content, _mimetype in message.attachments:
        attachment = prepare_upload(io.BytesIO(content), filename=filename, confirm_email_before_download=True)
    return {
        "subject": message.subject,
        "body": message.body,
        "has_attachment": "yes" if attachment else "no",
        "attachment": attachment,
    }


def accepted(api, reference) -> dict[str, str]:
    """What Notify already accepted under `reference`: {address (lower case): status}. One page (250,
    newest first) is every notification of a row: it has a handful of addresses."""
    page = api.get_all_notifications(reference=reference, template_type="email")
    return {
        notification["email_address"].lower(): status_of(notification["status"])
        for notification in page.get("notifications", [])
    }


def notify_send(message, *, reference=None, ask_first=False) -> dict[str, str]:
    """Send `message` to each of its addresses not yet accepted under `reference`; returns
    {address: status} for every address. Raises on any failure: what was accepted before it is
    found by the next attempt's lookup."""
    api = client()
    before = accepted(api, reference) if ask_first and reference else {}
    fields = personalisation(message)
    delivery = {}
    for address in recipients(message):
        if address.lower() in before:
            log.info("Notify already had %s for %s: not sent again", reference, address)
            delivery[address] = before[address.lower()]
            continue
        api.send_email_notification(
            email_address=address,
            template_id=settings.NOTIFY_TEMPLATE_ID,
            personalisation=fields,
            reference=reference,
            email_reply_to_id=settings.NOTIFY_REPLY_TO_ID or None,
        )
        delivery[address] = DeliveryStatus.SENDING
    return delivery


class NotifyEmailBackend(BaseEmailBackend):
    """Django's email backend on Notify, for what Django sends itself (the password reset link).
    The outbox's rows go through `notify_send` with their reference instead."""

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            try:
                notify_send(message)
            except Exception:
                if not self.fail_silently:
                    raise
                log.exception("Sending by GOV.UK Notify failed")
            else:
                sent += 1
        return sent


def delivery_summary(delivery: dict) -> str:
    """A row's status from its addresses': still sending while any is; then its worst failure; then
    delivered."""
    statuses = set(delivery.values())
    if not statuses:
        return DeliveryStatus.NONE
    if statuses - FINAL:
        return DeliveryStatus.SENDING
    for failure in (
        DeliveryStatus.PERMANENT_FAILURE,
        DeliveryStatus.TEMPORARY_FAILURE,
        DeliveryStatus.TECHNICAL_FAILURE,
    ):
        if failure in statuses:
            return failure
    return DeliveryStatus.DELIVERED
