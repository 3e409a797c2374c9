"""Posting in a case's discussion, telling the people mentioned, and read receipts.

Every message is one transaction: the message, its attachments (checked by the form with
`advice.uploads.check_upload`, stored under server-chosen names, queued for the virus scanner after
commit), its mentions, the receipts that make it count as unread for those it concerns, an audit
entry, and the mentioned people's emails as outbox rows sent after commit. Nothing is changed or
deleted afterwards (advice.discussion.models).
"""

import re

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind
from ehc.notifications import rows_insert
from ehc.outbox import email_queue

from .. import scanning
from ..models import CaseMessage, DiscussionReceipt, MessageAttachment, MessageMention
from .access import case_professionals

# "@" then a username (letters, digits, . _ + -, or an email address), not inside a word or an
# address: "write to team@nhs.example" mentions nobody.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")
# More than this in one message is a circular, not a mention.
MENTIONS_MAX = 20


class DiscussionError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def mentioned_handles(text) -> list[str]:
    """The usernames named with @ in `text`, lower case, each once, in order; a full stop or hyphen
    ending the sentence is not part of the name."""
    handles = []
    for match in MENTION.finditer(text or ""):
        handle = match.group(1).rstrip(".-").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return handles


def mentions_resolve(*, case, text, author=None) -> list:
    """The people on `case` named in `text`, or DiscussionError naming who is not on it. The author
    naming themselves is no mention."""
    handles = mentioned_handles(text)
    if not handles:
        return []
    if len(handles) > MENTIONS_MAX:
        raise DiscussionError(f"Mention {MENTIONS_MAX} people or fewer in one message", "text")
    wanted = Q()
    for handle in handles:
        wanted |= Q(username__iexact=handle)
    found = {user.username.lower(): user for user in case_professionals(case).filter(wanted)}
    missing = [handle for handle in handles if handle not in found]
    if missing:
        names = ", ".join(f"@{handle}" for handle in missing)
        raise DiscussionError(
            f"{names} {'is' if len(missing) == 1 else 'are'} not on this case: mention only the people "
            "listed under the message box",
            "text",
        )
    return [found[handle] for handle in handles if author is None or found[handle].pk != author.pk]


def message_path(message) -> str:
    """The discussion's page that ends with `message`, at the message."""
    return f"{reverse('advice:discussion', args=[message.case_id])}?before={message.pk + 1}#message-{message.pk}"


@transaction.atomic
def discussion_message_post(*, case, user, text, uploads=()) -> CaseMessage:
    """Post a message on `case`'s discussion as `user` (who must be on it: the view's access says so),
    with `uploads` [(file, advice.uploads.CheckedUpload)]. Raises DiscussionError for a mention of
    someone not on the case, before anything is written."""
    mentioned = mentions_resolve(case=case, text=text, author=user)
    message = CaseMessage.objects.create(case=case, author=user, organisation_id=user.organisation_id, text=text)
    stored = []
    try:
        rows = []
        for number, (uploaded, checked) in enumerate(uploads, start=1):
            row = MessageAttachment(message=message, number=number)
            row.upload_record(checked, uploaded)
            stored.append(row.document.name)
            scanning.scan_prepare(row)
            row.save()
            rows.append(row)
        MessageMention.objects.bulk_create([MessageMention(message=message, user=person) for person in mentioned])
        # The author has read what they wrote; the case's officer and those mentioned have it to read.
        concerned = {person.pk for person in mentioned}
        if case.case_officer_id is not None:
            concerned.add(case.case_officer_id)
        concerned.discard(user.pk)
        receipts_start(case_id=case.pk, user_ids=concerned)
        discussion_read(case_id=case.pk, user=user, up_to_id=message.pk)
        words = f"Posted message {message.pk} in the case discussion"
        if rows:
            words += f" with {len(rows)} attachment{'s' if len(rows) > 1 else ''}"
        if mentioned:
            words += ", mentioning " + ", ".join(person.get_full_name() or person.username for person in mentioned)
        audit_record(user=user, action=AuditAction.CREATE, case=case, obj=message, summary=words)
        mentions_notify(message_id=message.pk)
    except BaseException:
        # The database rolls back; the files written to storage would not.
        for name in stored:
            MessageAttachment._meta.get_field("document").storage.delete(name)
        raise
    for row in rows:
        scanning.scan_enqueue(row)
    return message


def mentions_notify(*, message_id) -> int:
    """Tell each person mentioned in the message who has not been told: an email (the case's
    reference and a link, nothing else) as an outbox row sent after commit, unique per message and
    person, and an in-app notification. Safe to run twice or side by side: each mention is claimed
    once, and the email's key and the notification's constraint refuse a second. Someone no longer
    on the case (or no longer active) is not told. Returns how many were told."""
    with transaction.atomic():
        mentions = list(
            MessageMention.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(message_id=message_id, notified_at__isnull=True)
            .select_related("message__case", "user")
        )
        if not mentions:
            return 0
        case = mentions[0].message.case
        on_case = set(
            case_professionals(case).filter(pk__in=[m.user_id for m in mentions]).values_list("pk", flat=True)
        )
        path = message_path(mentions[0].message)
        headline = "You were mentioned in the case discussion"
        told, rows = 0, []
        for mention in mentions:
            person = mention.user
            if person.pk not in on_case:
                continue
            told += 1
            if person.email:
                email_queue(
                    kind=MessageKind.DISCUSSION_MENTION,
                    dedupe_key=f"discussion-mention:{message_id}:{person.pk}",
                    to=[person.email],
                    template="discussion_mention",
                    context={"reference": case.reference, "path": path},
                    case=case,
                )
            rows.append(
                {
                    "kind": str(MessageKind.DISCUSSION_MENTION),
                    "event": f"discussion-mention:{message_id}",
                    "user_id": person.pk,
                    "address": "",
                    "case_id": case.pk,
                    "reference": case.reference[:50],
                    "path": path[:300],
                    "headline": headline,
                    "detail": "",
                    "created_at": timezone.now(),
                }
            )
        rows_insert(rows)
        MessageMention.objects.filter(pk__in=[m.pk for m in mentions]).update(notified_at=timezone.now())
    return told


def receipts_start(*, case_id, user_ids):
    """Make the discussion one of these people's (nothing read yet) where it is not already."""
    if user_ids:
        DiscussionReceipt.objects.bulk_create(
            [DiscussionReceipt(case_id=case_id, user_id=user_id) for user_id in sorted(user_ids)],
            ignore_conflicts=True,
        )


def discussion_read(*, case_id, user, up_to_id):
    """`user` has read `case_id`'s discussion up to message `up_to_id`: the receipt only ever moves on
    (two pages open at once, the older one read last, never mark newer messages unread again)."""
    table = DiscussionReceipt._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (case_id, user_id, last_read_id, read_at) VALUES (%s, %s, %s, %s)
                ON CONFLICT (case_id, user_id) DO UPDATE
                SET last_read_id = GREATEST({table}.last_read_id, EXCLUDED.last_read_id),
                    read_at = CASE WHEN EXCLUDED.last_read_id > {table}.last_read_id
                                   THEN EXCLUDED.read_at ELSE {table}.read_at END""",
            [case_id, user.pk, up_to_id, timezone.now()],
        )
