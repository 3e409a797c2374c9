"""The case page's "Emails about this case" (registered in `EscalationConfig.ready()`): every email
the product sent or will send about the case (requests, acknowledgements, chases, escalations and
their letters), when, to whom, and what became of it: GOV.UK Notify's delivery status per address,
or for SMTP only whether it was handed over. Business support and the DCO see here whether a chase
reached anyone, not only the failures the dashboards flag (ehc.delivery.undelivered_q).

Shown to the case's LA and to its ICB (the DCO/DMO office): the addresses are the LA's and every
provider's it wrote to, which one provider's staff have no need to see. The rows travel with the
case row (assessments.sections), so the page makes no query for them.
"""

from django.db.models import Q

from assessments.sections import CaseSection
from ehc.json_rows import as_instances, json_rows
from ehc.models import DELIVERY_FAILURES, DeliveryStatus, MessageStatus, OutboundEmail

# The most recent; a case with more says so and the page stays bounded.
SHOWN = 100
FIELDS = ("id", "kind", "to", "cc", "created_at", "sent_at", "status", "attempts", "delivery", "delivery_status")


def _emails_visible(user):
    if user.is_la_user:
        return Q(case__local_authority_id=user.organisation_id)
    if user.is_icb_user:
        return Q(case__local_authority__icb_id=user.organisation_id)
    return None


def _annotate(user, case):
    visible = _emails_visible(user)
    if visible is None:
        return {}
    emails = OutboundEmail.objects.filter(visible, case_id=case).order_by("-created_at", "-id")[: SHOWN + 1]
    return {"email_rows": json_rows(emails, *FIELDS)}


def email_outcome(email) -> tuple[str, str, str]:
    """(tag colour, tag, note) for one email: what a person can tell from the row."""
    if email.status == MessageStatus.CANCELLED:
        return "grey", "Not sent", "no longer needed"
    if email.status == MessageStatus.FAILED:
        return "red", "Failing to send", f"{email.attempts} attempts so far"
    if email.status != MessageStatus.SENT:
        return "grey", "Waiting to send", ""
    if email.delivery_status == DeliveryStatus.DELIVERED:
        return "green", "Delivered", ""
    if email.delivery_status in DELIVERY_FAILURES:
        return "red", "Not delivered", "see the addresses"
    if email.delivery_status == DeliveryStatus.SENDING:
        return "blue", "Sent", "delivery not yet known"
    return "blue", "Sent", "no delivery receipt by SMTP"


def _recipients(email):
    """Each address with Notify's word for it, where Notify has given one."""
    known = {address.lower(): status for address, status in (email.delivery or {}).items()}
    out = []
    for address in [*email.to, *email.cc]:
        status = known.get(address.lower())
        label = DeliveryStatus(status).label if status in DeliveryStatus.values else ""
        out.append({"address": address, "status": label, "failed": status in DELIVERY_FAILURES})
    return out


def _build(*, case, user, today, read):
    rows = getattr(case, "email_rows", None)
    if rows is None:
        return None
    emails = as_instances(OutboundEmail, rows)
    for email in emails:
        email.outcome_colour, email.outcome, email.outcome_note = email_outcome(email)
        email.recipients = _recipients(email)
    return {"emails": emails[:SHOWN], "more": len(emails) > SHOWN, "shown": SHOWN}


EMAILS_SECTION = CaseSection(
    name="case_emails",
    template="escalation/_case_emails.html",
    order=40,
    annotate=_annotate,
    build=_build,
    build_order=40,
)
