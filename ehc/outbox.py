"""Emails go through rows: queued inside the business transaction, sent after commit.

The unique `dedupe_key` makes a second email for the same event impossible; sending
locks the row (skip_locked), so two workers never send the same row at once, and marks
it sent in the same transaction. A worker killed mid-send leaves the row unsent, to be
sent again by the retry sweep. By SMTP that is at least once, each repeat carrying the row's stable
Message-ID (docs/security.md); by GOV.UK Notify it is exactly once, the retry asking Notify first
what it accepted under the row's reference (ehc.notify).

A row queued with `defer_rendering` holds its template and a snapshot of the context (the site
address included) instead of the rendered text: the first send attempt renders it and stores the
text on the row with the attempt, so every retry sends the same words and the row keeps what was
sent. The sweep queues its thousands of emails that way; one email in a user's request is rendered
at once, so a broken template fails the request that caused it.
"""

import datetime
import hashlib
import json
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import notify
from .models import MessageStatus, OutboundEmail, SnapshotEncoder

log = logging.getLogger(__name__)

MAX_BACKOFF = datetime.timedelta(hours=1)
# After this many failed attempts the row shows on the DCO's view as failing; it keeps retrying.
FAILING_AFTER_ATTEMPTS = 3

# How the letter an email carries becomes its attachment, `render(letter_id) -> (filename, pdf bytes)`:
# letters belong to the escalation app, a layer above, which registers it from its AppConfig.ready()
# (docs/decisions/0020-one-way-layers.md).
_letter_attachment = []


def register_letter_attachment(render):
    _letter_attachment[:] = [render]
    return render


def _attach_letter(message, letter_id):
    if not _letter_attachment:
        # Fails this attempt like any other error: the row is retried, never sent without its letter.
        raise RuntimeError("No letter renderer is registered (the escalation app is not installed)")
    filename, pdf = _letter_attachment[0](letter_id)
    message.attach(filename, pdf, "application/pdf")


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render templates/emails/<template>/{subject.txt,body.txt,body.html}."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}/subject.txt", context)
    # A subject is one line: CR/LF from any data must never reach the header.
    subject = " ".join(subject.split())[:300]
    text = render_to_string(f"emails/{template}/body.txt", context)
    html = render_to_string(f"emails/{template}/body.html", context)
    return subject, text, html


def clean_addresses(addresses):
    seen = []
    for address in addresses:
        address = (address or "").strip()
        if address and "\n" not in address and "\r" not in address and address not in seen:
            seen.append(address)
    return seen


def email_values(
    *,
    kind,
    dedupe_key,
    to,
    template,
    context,
    cc=(),
    case_id=None,
    advice_request_id=None,
    letter_id=None,
    defer_rendering=False,
) -> dict | None:
    """One row's columns, rendered now or holding what its rendering needs (for `emails_insert`, or
    `email_row`). None when there is nobody to send it to."""
    to = clean_addresses(to)
    cc = [address for address in clean_addresses(cc) if address not in to]
    if not to:
        log.warning("No recipient for %s (%s): nothing queued", kind, dedupe_key)
        return None
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key,
        "to": to,
        "cc": cc,
        "case_id": case_id,
        "advice_request_id": advice_request_id,
        "letter_id": letter_id,
    }
    if defer_rendering:
        # The site address is part of the snapshot: the text must not depend on where it is rendered.
        values.update(
            template=template,
            context={"site_url": settings.SITE_URL, **context},
            subject="",
            body_text="",
            body_html="",
        )
    else:
        subject, text, html = render_email(template, context)
        values.update(template="", context=None, subject=subject, body_text=text, body_html=html)
    return values


def email_row(**kwargs) -> OutboundEmail | None:
    """The same as an unsaved model instance."""
    values = email_values(**kwargs)
    return OutboundEmail(**values, next_attempt_at=timezone.now()) if values else None


def email_content(email: OutboundEmail) -> tuple[str, str, str]:
    """The subject, text and HTML the row sends: stored, or rendered from its template and snapshot."""
    if email.template and not email.body_text:
        return render_email(email.template, email.context or {})
    return email.subject, email.body_text, email.body_html


def email_queue(
    *,
    kind,
    dedupe_key,
    to,
    template,
    context,
    cc=(),
    case=None,
    advice_request=None,
    letter=None,
    send_after_commit=True,
):
    """Queue one email. Returns the row, or None if the same event was already queued."""
    email = email_row(
        kind=kind,
        dedupe_key=dedupe_key,
        to=to,
        cc=cc,
        template=template,
        context=context,
        case_id=case.pk if case else None,
        advice_request_id=advice_request.pk if advice_request else None,
        letter_id=letter.pk if letter else None,
    )
    if email is None:
        return None
    email.case, email.advice_request, email.letter = case, advice_request, letter
    try:
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        return None
    if send_after_commit:
        email_send_after_commit(email.pk)
    return email


# The columns an `emails_insert` row carries, with their SQL types for jsonb_to_recordset.
_INSERTED_COLUMNS = {
    "kind": "varchar",
    "dedupe_key": "varchar",
    "to": "varchar(254)[]",
    "cc": "varchar(254)[]",
    "subject": "varchar",
    "body_text": "text",
    "body_html": "text",
    "template": "varchar",
    "context": "jsonb",
    "case_id": "bigint",
    "advice_request_id": "bigint",
    "letter_id": "bigint",
}


def emails_insert(emails) -> list[int]:
    """Insert rows (email_values) in one statement, however many; a dedupe key already used is skipped.
    Returns the ids waiting to be sent: the new rows and any unsent row already there under the same
    key. One JSON document as the only parameter: building 10,000 model inserts value by value costs
    seconds."""
    if not emails:
        return []
    rows = [{column: email[column] for column in _INSERTED_COLUMNS} for email in emails]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in _INSERTED_COLUMNS)
    record = ", ".join(f"{quote(column)} {kind}" for column, kind in _INSERTED_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {quote(OutboundEmail._meta.db_table)}
                    (created_at, updated_at, status, attempts, next_attempt_at, last_error, {columns})
                SELECT %(now)s, %(now)s, %(pending)s, 0, %(now)s, '', {columns}
                FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({record})
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id""",
            {
                "now": timezone.now(),
                "pending": MessageStatus.PENDING,
                "rows": json.dumps(rows, cls=SnapshotEncoder),
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) < len(emails):
        # Some keys were used before: their rows still go if they are unsent (a run that died after
        # queueing them is covered by the retry sweep too).
        ids += (
            OutboundEmail.objects.filter(
                dedupe_key__in=[email["dedupe_key"] for email in emails], status=MessageStatus.PENDING
            )
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
    return ids


# The send task lives beside the helper that queues it, so that the outbox never imports ehc.tasks
# (which imports this module, and is where Celery looks for tasks). It keeps its historical name:
# messages already on the broker still find it.
@shared_task(name="ehc.tasks.email_send_task", ignore_result=True)
def email_send_task(email_id):
    email_send(email_id=email_id)


def email_send_after_commit(email_id):
    transaction.on_commit(lambda: email_send_task.delay(email_id))


def message_id_for(email: OutboundEmail) -> str:
    digest = hashlib.sha256(email.dedupe_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return f"<{digest}@{domain}>"


def _backoff(attempts: int) -> datetime.timedelta:
    return min(MAX_BACKOFF, datetime.timedelta(minutes=2**attempts))


def _hand_over(email_id) -> bool | None:
    """Notify only: commit, before the attempt, that the row is being handed to Notify. Returns whether
    Notify may already hold it (an earlier attempt got this far, or this one runs inside a transaction
    a crash would roll back, mark included), or None when there is nothing to send now."""
    rolled_back_with_caller = transaction.get_connection().in_atomic_block
    with transaction.atomic():
        marks = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status__in=[MessageStatus.PENDING, MessageStatus.FAILED])
            .values_list("handed_over_at", flat=True)
        )
        if not marks:
            return None
        if marks[0] is not None:
            return True
        OutboundEmail.objects.filter(pk=email_id).update(handed_over_at=timezone.now())
        return rolled_back_with_caller


def email_send(*, email_id) -> bool:
    """Send one queued email if it is still unsent. Safe to call twice or concurrently."""
    by_notify = notify.enabled()
    if by_notify:
        ask_notify_first = _hand_over(email_id)
        if ask_notify_first is None:
            return False
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status__in=[MessageStatus.PENDING, MessageStatus.FAILED])
            .first()
        )
        if email is None:
            return False
        rendered = []
        try:
            if email.template and not email.body_text:
                email.subject, email.body_text, email.body_html = render_email(email.template, email.context or {})
                # Stored with this attempt whatever its outcome: a retry sends the same text.
                rendered = ["subject", "body_text", "body_html"]
            message = EmailMultiAlternatives(
                subject=email.subject,
                body=email.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=email.to,
                cc=email.cc,
                headers={"Message-ID": message_id_for(email)},
            )
            if email.body_html:
                message.attach_alternative(email.body_html, "text/html")
            if email.letter_id:
                _attach_letter(message, email.letter_id)
            if by_notify:
                email.delivery = notify.notify_send(
                    message, reference=email.notify_reference, ask_first=ask_notify_first
                )
                email.delivery_status = notify.delivery_summary(email.delivery)
                rendered += ["delivery", "delivery_status"]
            else:
                message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any failure is retried and shown, never lost
            log.exception("Sending email %s failed", email.pk)
            email.status = MessageStatus.FAILED
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.next_attempt_at = timezone.now() + _backoff(email.attempts)
            email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at", *rendered])
            return False
        email.status = MessageStatus.SENT
        email.attempts += 1
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.last_error = ""
        email.save(
            update_fields=["status", "attempts", "sent_at", "next_attempt_at", "last_error", "updated_at", *rendered]
        )
        return True


def email_send_due(*, now=None, limit=500) -> int:
    """Send every unsent email whose attempt time has come (the retry sweep). Returns emails sent."""
    now = now or timezone.now()
    ids = list(
        OutboundEmail.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.FAILED], next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for email_id in ids if email_send(email_id=email_id))


def emails_cancel_for_request(*, advice_request_id, kinds):
    """Cancel unsent chase/escalation emails for a request whose advice is all in."""
    return OutboundEmail.objects.filter(
        advice_request_id=advice_request_id,
        kind__in=kinds,
        status__in=[MessageStatus.PENDING, MessageStatus.FAILED],
    ).update(status=MessageStatus.CANCELLED, next_attempt_at=None, updated_at=timezone.now())
