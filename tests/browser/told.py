"""Who a step told, and how: the outbox rows it queued, the messages it sent, the notifications it made.

`Told.check(step, emails=..., in_app=...)` looks at everything since the step before and fails unless
exactly those emails went (each sent once, to and cc as queued), exactly those users were notified in
the service (nobody else: every user's unread count is checked too), and no email carries a health
detail: the child's name, date of birth, NHS number, address or any team's name, in the subject, the
text, the HTML or an attachment. The one exception is the one the domain brief makes: a letter may be
attached for a recipient on the LA's secure domains, and only for one. The weekly digests go whenever a
sweep passes their day; they are checked apart: to their own mailbox only, never two for one week, with no
health detail either.
"""

import html
import io
import re
from collections import Counter

from django.core import mail

from ehc.models import MessageKind, MessageStatus, Notification, OutboundEmail, User
from ehc.outbox import message_id_for

DIGESTS = {MessageKind.DIGEST, MessageKind.DIGEST_LA}


def health_details(case, team_names):
    """Every string no email may carry, in the forms the product writes them."""
    born = case.child.date_of_birth
    nhs = case.child.nhs_number
    details = [
        case.child.first_name,
        case.child.last_name,
        html.escape(case.child.last_name),
        case.child.last_name.replace("'", "&#39;"),
        f"{born.day} {born:%B %Y}",
        f"{born.day} {born:%b %Y}",
        f"{born:%d/%m/%Y}",
        f"{born.day}/{born.month}/{born.year}",
        born.isoformat(),
        nhs,
        nhs.replace(" ", ""),
        f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if nhs else "",
        case.child.postcode,
        *team_names,
    ]
    # The street, not the town: the town is also the council's name.
    details.append(case.child.address.splitlines()[0])
    return [detail for detail in details if detail]


def pdf_text(content):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def texts_of(row, message, *, letter_allowed):
    texts = [row.subject, row.body_text, html.unescape(row.body_html), message.subject, message.body]
    texts += [html.unescape(body) for body, _type in message.alternatives]
    for name, content, _type in message.attachments:
        texts.append(name)
        if not letter_allowed:
            texts.append(pdf_text(content) if name.endswith(".pdf") else str(content))
    return texts


class Told:
    def __init__(self, *, usernames, forbidden, digest_to, is_secure):
        self.usernames = list(usernames)
        self.forbidden = forbidden
        self.digest_to = digest_to  # {digest kind: its one mailbox}
        self.is_secure = is_secure  # address -> on the LA's secure domains
        self.attached = []  # (kind, to) of each email of the last step that carried an attachment
        self.email_id = 0
        self.sent = 0
        self.notification_id = 0
        self.unread = Counter()
        self.digest_weeks = Counter()

    def _since_last_step(self):
        rows = list(OutboundEmail.objects.filter(pk__gt=self.email_id).order_by("pk"))
        messages = mail.outbox[self.sent :]
        notes = list(Notification.objects.filter(pk__gt=self.notification_id).select_related("user").order_by("pk"))
        if rows:
            self.email_id = rows[-1].pk
        self.sent = len(mail.outbox)
        if notes:
            self.notification_id = notes[-1].pk
        return rows, messages, notes

    def check(self, step, *, emails=(), in_app=()):
        """`emails`: (kind, to, cc) for each email the step sent, digests aside; `in_app`: (kind, usernames)
        for each event notified in the service."""
        rows, messages, notes = self._since_last_step()
        by_id = {message.extra_headers.get("Message-ID"): message for message in messages}
        assert len(by_id) == len(messages) == len(rows), f"{step}: {len(rows)} emails queued, {len(messages)} sent"
        queued, self.attached = [], []
        for row in rows:
            assert row.status == MessageStatus.SENT, f"{step}: the {row.kind} email is {row.status}"
            message = by_id[message_id_for(row)]
            assert (message.to, message.cc) == (row.to, row.cc), f"{step}: the {row.kind} email went elsewhere"
            if message.attachments:
                self.attached.append((row.kind, row.to))
            letter_allowed = all(self.is_secure(address) for address in row.to + row.cc)
            for text in texts_of(row, message, letter_allowed=letter_allowed):
                for detail in self.forbidden:
                    assert detail.lower() not in text.lower(), f"{step}: the {row.kind} email carries {detail!r}"
            if row.kind in DIGESTS:
                assert (row.to, row.cc) == ([self.digest_to[row.kind]], []), f"{step}: {row.kind} to {row.to}"
                week = re.search(r"for the week of (\d+ \w+ \d{4})", row.body_text)
                self.digest_weeks[(row.kind, week and week.group(1))] += 1
                continue
            queued.append((row.kind, row.to, row.cc))
        assert max(self.digest_weeks.values(), default=1) == 1, f"{step}: two digests for one week"
        assert sorted(queued) == sorted(emails), f"{step}: emails sent {queued}"

        notified = sorted((note.kind, note.user.username) for note in notes if note.user_id)
        expected = sorted((kind, username) for kind, usernames in in_app for username in usernames)
        assert notified == expected, f"{step}: notified in the service {notified}"
        # A notification row without a user records one of the email's other addresses.
        for kind, to, cc in emails:
            addressed = {note.address for note in notes if note.kind == kind and note.address}
            assert not addressed or addressed == {*to, *cc}, f"{step}: the {kind} rows name {addressed}"
        for _kind, username in expected:
            self.unread[username] += 1
        counts = dict(User.objects.filter(username__in=self.usernames).values_list("username", "unread_notifications"))
        assert counts == {name: self.unread[name] for name in self.usernames}, f"{step}: unread counts {counts}"
