"""What became of the emails: GOV.UK Notify's delivery statuses, fetched by a periodic task and
received by Notify's callback, kept on the outbox row; and the one definition of an undelivered
email that the dashboards count and list (`undelivered_q`).

SMTP gives no delivery status: for its rows only "keeps failing to send" can be known.
"""

import datetime
import hmac
import logging
import re

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import notify
from .models import DELIVERY_FAILURES, DeliveryStatus, MessageKind, MessageStatus, OutboundEmail
from .outbox import FAILING_AFTER_ATTEMPTS

log = logging.getLogger(__name__)

# Chases and escalations: the emails whose loss stalls a child's advice. A delivery failure of one of
# them is shown on the dashboards until it is this old (the next chase or escalation to a corrected
# address makes a new row).
CHASE_AND_ESCALATION_KINDS = (
    MessageKind.CHASE,
    MessageKind.ESCALATION_1,
    MessageKind.ESCALATION_1_OVERDUE,
    MessageKind.ESCALATION_2,
    MessageKind.HEAD_OF_SERVICE_OVERDUE,
)
UNDELIVERED_SHOWN_DAYS = 28
# Notify keeps a notification's status for 7 days; after that there is nothing to ask.
NOTIFY_KEEPS_DAYS = 7
FETCH_BATCH = 200
_REFERENCE = re.compile(r"^ehc-(\d{1,18})-\d{20}$")


def undelivered_q(now=None) -> Q:
    """An email somebody must act on: one that keeps failing to send, or a chase or escalation that
    Notify could not deliver (the address is wrong, closed or full), sent in the last 28 days."""
    now = now or timezone.now()
    return Q(status=MessageStatus.FAILED, attempts__gte=FAILING_AFTER_ATTEMPTS) | Q(
        delivery_status__in=DELIVERY_FAILURES,
        kind__in=CHASE_AND_ESCALATION_KINDS,
        sent_at__gte=now - datetime.timedelta(days=UNDELIVERED_SHOWN_DAYS),
    )


def delivery_merge(email_id, statuses: dict[str, str], *, checked=False) -> bool:
    """Record Notify's statuses for some of a row's addresses. A final status is never replaced by a
    later "sending" (the poll and the callback can cross). Returns whether the row exists."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).only("delivery").first()
        if email is None:
            return False
        delivery = dict(email.delivery or {})
        known = {address.lower(): address for address in delivery}
        for address, status in statuses.items():
            address = known.get(address.lower(), address)
            status = notify.status_of(status)
            if delivery.get(address) in notify.FINAL and status not in notify.FINAL:
                continue
            delivery[address] = status
        changes = {"delivery": delivery, "delivery_status": notify.delivery_summary(delivery)}
        if checked:
            changes["delivery_checked_at"] = timezone.now()
        OutboundEmail.objects.filter(pk=email_id).update(**changes, updated_at=timezone.now())
    return True


def delivery_fetch_due(*, now=None, limit=FETCH_BATCH) -> int:
    """Ask Notify for the rows still sending (least recently asked first). Returns rows asked about."""
    if not notify.enabled():
        return 0
    now = now or timezone.now()
    rows = list(
        OutboundEmail.objects.filter(
            delivery_status=DeliveryStatus.SENDING,
            sent_at__gte=now - datetime.timedelta(days=NOTIFY_KEEPS_DAYS),
        )
        .order_by(F("delivery_checked_at").asc(nulls_first=True), "id")
        .only("id", "created_at")[:limit]
    )
    if not rows:
        return 0
    api = notify.client()
    asked = 0
    for email in rows:
        try:
            statuses = notify.accepted(api, email.notify_reference)
        except Exception:  # noqa: BLE001 - Notify down or slow: asked again next time
            log.exception("Asking GOV.UK Notify about email %s failed", email.pk)
            OutboundEmail.objects.filter(pk=email.pk).update(delivery_checked_at=timezone.now())
            continue
        delivery_merge(email.pk, statuses, checked=True)
        asked += 1
    return asked


def callback_authorised(header: str, token: str) -> bool:
    """Notify's callback carries `Authorization: Bearer <the token set in Notify>`."""
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())


def callback_record(payload: dict) -> bool:
    """One delivery receipt from Notify's callback. A reference that is not one of this database's
    rows (another deployment's, a row since deleted) is acknowledged and ignored."""
    reference, address, status = payload.get("reference"), payload.get("to"), payload.get("status")
    if not all(isinstance(value, str) and value for value in (reference, address, status)):
        raise ValueError("reference, to and status are required")
    match = _REFERENCE.match(reference)
    if not match:
        return False
    email = OutboundEmail.objects.filter(pk=int(match.group(1))).only("id", "created_at").first()
    if email is None or email.notify_reference != reference:
        return False
    return delivery_merge(email.pk, {address: status})
