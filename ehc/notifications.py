"""Answers that go back to the people who asked: one event, an email and in-app notifications.

An event (the DCO's response to escalation 1, the escalation 2 notice, a head of service's outcome,
advice answered after a chase or escalation, a promised date passed, a DCO's resolution before
escalation 2) has one `Notification` row per recipient: each active LA user holding the AD Education or
business support role, and the case's officer, gets an in-app row; every address the email goes to
(the AD Education's, the business support mailbox, the officer's) is on a row too, the user's own
row when the address is theirs. The email is one outbox row whose dedupe key is the event, sent once
to all the addresses. Partial unique constraints on (event, user) and (event, address) and the
outbox's unique key make a second of anything impossible, however often an event is raised.

Emails carry the reference and a link only; the in-app `detail` (a date, a reason category) is shown
behind the sign-in and never emailed.
"""

import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import MessageKind, Notification, Role, User
from .outbox import email_send_after_commit, email_values, emails_insert

LA_AUDIENCE_ROLES = [Role.AD_EDUCATION, Role.BUSINESS_SUPPORT]


@dataclass
class Event:
    kind: MessageKind
    event: str  # also the dedupe key of its email
    la_id: int
    path: str
    headline: str
    to: list
    cc: list = field(default_factory=list)
    case_id: int | None = None
    reference: str = ""
    detail: str = ""
    officer_id: int | None = None
    advice_request_id: int | None = None
    # The email's template (templates/emails/<template>/) and what it needs beyond the defaults.
    template: str = "notification"
    context: dict = field(default_factory=dict)
    # The LA users told in the service: the AD Education and business support unless narrowed (a flag
    # for business support alone, escalation.approvals).
    audience_roles: tuple = tuple(LA_AUDIENCE_ROLES)


def la_event(*, kind, event, la_settings, case, path, headline, detail="", cc=(), advice_request_id=None, **extra):
    """An event for the LA of `case`: to its AD Education, copied to business support and the case's
    officer (if active). `case` should come with its case_officer loaded."""
    officer = case.case_officer if case.case_officer_id and case.case_officer.is_active else None
    return Event(
        kind=kind,
        event=event,
        la_id=case.local_authority_id,
        path=path,
        headline=headline,
        detail=detail,
        to=[la_settings.ad_education_email],
        cc=[la_settings.business_support_email, officer.email if officer else "", *cc],
        case_id=case.pk,
        reference=case.reference,
        officer_id=officer.pk if officer else None,
        advice_request_id=advice_request_id,
        **extra,
    )


def audience_for(la_ids, roles=tuple(LA_AUDIENCE_ROLES)) -> dict[int, list[tuple[int, str]]]:
    """The active users of each LA holding the AD Education or business support role (or `roles`):
    (id, email)."""
    audience = {la_id: [] for la_id in la_ids}
    rows = User.objects.filter(
        organisation_id__in=list(la_ids), is_active=True, roles__overlap=list(roles)
    ).values_list("organisation_id", "pk", "email")
    for la_id, user_id, email in rows.order_by("pk"):
        audience[la_id].append((user_id, email))
    return audience


def email_and_rows(event: Event, *, audience, officer_email="", defer_rendering=False):
    """The event's outbox row (email_values, or None with no address) and its notification rows."""
    context = {
        "reference": event.reference,
        "headline": event.headline,
        "path": event.path,
        "case_id": event.case_id,
        **event.context,
    }
    email = email_values(
        kind=event.kind,
        dedupe_key=event.event,
        to=event.to,
        cc=event.cc,
        template=event.template,
        context=context,
        case_id=event.case_id,
        advice_request_id=event.advice_request_id,
        defer_rendering=defer_rendering,
    )
    addresses = (email["to"] + email["cc"]) if email else []
    by_address = {address.lower(): address for address in addresses}
    users = list(audience.get(event.la_id, []))
    if event.officer_id is not None and event.officer_id not in {user_id for user_id, _ in users}:
        users.append((event.officer_id, officer_email))
    now = timezone.now()
    base = {
        "kind": str(event.kind),
        "event": event.event,
        "case_id": event.case_id,
        "reference": event.reference[:50],
        "path": event.path[:300],
        "headline": event.headline[:300],
        "detail": event.detail[:500],
        "created_at": now,
    }
    rows = []
    for user_id, user_email in users:
        # A user whose own address the email goes to: that address is on their row.
        address = by_address.pop((user_email or "").strip().lower(), "")
        rows.append({**base, "user_id": user_id, "address": address})
    rows += [{**base, "user_id": None, "address": address} for address in by_address.values()]
    return email, rows


_ROW_COLUMNS = {
    "kind": "varchar",
    "event": "varchar",
    "user_id": "bigint",
    "address": "varchar",
    "case_id": "bigint",
    "reference": "varchar",
    "path": "varchar",
    "headline": "varchar",
    "detail": "varchar",
    "created_at": "timestamptz",
}


def rows_insert(rows) -> int:
    """Insert notification rows in one statement, skipping any recipient the event already has, and
    raise each user's unread count by the rows that were new. Returns the rows inserted."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in _ROW_COLUMNS)
    record = ", ".join(f"{quote(column)} {kind}" for column, kind in _ROW_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH inserted AS (
                    INSERT INTO {quote(Notification._meta.db_table)} ({columns})
                    SELECT {columns} FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({record})
                    ON CONFLICT DO NOTHING
                    RETURNING user_id
                ), counted AS (
                    SELECT user_id, count(*) AS n FROM inserted WHERE user_id IS NOT NULL GROUP BY user_id
                ), raised AS (
                    -- An increment, not a recount: two events for one user at once each add their own.
                    UPDATE {quote(User._meta.db_table)} AS u SET unread_notifications = u.unread_notifications + c.n
                    FROM counted c WHERE u.id = c.user_id
                    RETURNING u.id
                )
                SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM raised)""",
            {"rows": json.dumps(rows, cls=DjangoJSONEncoder)},
        )
        return cursor.fetchone()[0]


def notify(events, *, defer_rendering=False, send=True) -> list[int]:
    """Write the events' emails and notification rows; the emails go after commit (unless `send` is
    False: the caller sends the returned ids). Returns the ids of the emails waiting to be sent."""
    events = list(events)
    if not events:
        return []
    audiences = {
        roles: audience_for({event.la_id for event in events if event.audience_roles == roles}, roles)
        for roles in {event.audience_roles for event in events}
    }
    officer_ids = {event.officer_id for event in events if event.officer_id is not None}
    officer_emails = dict(User.objects.filter(pk__in=officer_ids).values_list("pk", "email")) if officer_ids else {}
    emails, rows = [], []
    for event in events:
        email, event_rows = email_and_rows(
            event,
            audience=audiences[event.audience_roles],
            officer_email=officer_emails.get(event.officer_id, ""),
            defer_rendering=defer_rendering,
        )
        if email is not None:
            emails.append(email)
        rows += event_rows
    email_ids = emails_insert(emails)
    rows_insert(rows)
    if send:
        for email_id in email_ids:
            email_send_after_commit(email_id)
    return email_ids


# Reading ------------------------------------------------------------------------------------------


def unread_recount(*, user_ids) -> None:
    """Set each user's unread count from their rows: after reading, and to heal any drift."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {quote(User._meta.db_table)} AS u SET unread_notifications = (
                    SELECT count(*) FROM {quote(Notification._meta.db_table)} n
                    WHERE n.user_id = u.id AND n.read_at IS NULL)
                WHERE u.id = ANY(%s)""",
            [list(user_ids)],
        )


@transaction.atomic
def notification_read(*, notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    unread_recount(user_ids=[notification.user_id])


@transaction.atomic
def notifications_read_all(*, user) -> int:
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    unread_recount(user_ids=[user.pk])
    return count
