"""The weekly digests: one email per SPOC mailbox listing its providers' overdue items across every LA
they serve, grouped by LA, oldest first; and one list per LA for its business support of everything
late for that LA. Never two for one week, none when nothing is overdue.

When each goes (docs/decisions, "digest days across LAs"):
- an LA's business support list on the LA's digest day and time (LocalAuthoritySettings, Monday 09:00
  by default), the next of the LA's working days when that is not one; `next_digest_at` is its
  compare-and-set;
- the SPOC digests, which span LAs, on Monday at 09:00, the next working day when Monday is an
  England and Wales bank holiday (no LA's closure days or digest day move them); the one
  DigestSchedule row is their compare-and-set.
A DigestRun row unique per (mailbox, week) or (LA, week), written with the email, is the last guard.
Emails carry references, due dates and counts only: no child's name and no team names.
"""

import datetime
import logging
from collections import defaultdict
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.db.models import Count, Window
from django.db.models.functions import Lower
from django.utils import timezone

from advice.exceptions import not_excepted_on
from advice.models import AdviceItem, ItemStatus
from ehc.models import LocalAuthoritySettings, MessageKind, Organisation, OrganisationKind, Weekday
from ehc.outbox import email_values, emails_insert
from ehc.workdays import WorkingCalendar

from ..models import DigestAudience, DigestRun, DigestSchedule
from ..rules import LONDON, TimerRules
from ..selectors import DIGEST_FIELDS, STAGE_LABELS, digest_rows, item_flags
from ..sending import send_after_commit
from ..wording import Kind, wording_in_force
from .sql import insert_rows

log = logging.getLogger(__name__)

# A digest lists at most this many items in the email body; the rest are behind the link.
DIGEST_LIST_LIMIT = 500
SPOC_SCHEDULE = "spoc"
SPOC_DIGEST_WEEKDAY = Weekday.MONDAY
SPOC_DIGEST_TIME = datetime.time(9, 0)
# The sweep report's heading for the SPOC digests, which belong to no one LA.
SPOC_REPORT = SimpleNamespace(pk=None, name="SPOC digests", short_name="")


def spoc_rules() -> TimerRules:
    """The SPOC digest's day and time, on the England and Wales bank holiday calendar alone."""
    fixed = SimpleNamespace(digest_weekday=SPOC_DIGEST_WEEKDAY, digest_time=SPOC_DIGEST_TIME)
    return TimerRules(la_settings=fixed, calendar=WorkingCalendar([]))


# An LA's business support list


def la_digest_may_be_due(*, rules, now) -> bool:
    """False only when the LA's settings, as loaded, say the next digest is later than `now` and still
    where its day and time put it: then la_digest_send_if_due would change nothing, so it is not asked.
    Anything else (not set yet, due, or to be moved) goes through its compare-and-set."""
    current = rules.settings.next_digest_at
    if current is None or now >= current:
        return True
    return rules.digest_first_on_or_after(timezone.localtime(current, LONDON).date()) != current


def la_digest_send_if_due(*, la, rules, now, report) -> bool:
    """The LA's weekly list for business support: moved by compare-and-set on next_digest_at, once per
    week (DigestRun per LA and week)."""
    today = timezone.localdate(now)
    with transaction.atomic():
        rows = LocalAuthoritySettings.objects.filter(pk=rules.settings.pk)
        current, version = rows.values_list("next_digest_at", "updated_at").get()
        if version != rules.settings.updated_at:
            # The settings changed since this run loaded them (a new digest day or time, decision 0023):
            # the next run decides with the new ones, rather than this one moving the date back.
            return False
        if current is None:
            current = rules.digest_first_on_or_after(today)
            if not rows.filter(next_digest_at__isnull=True).update(next_digest_at=current):
                return False  # another sweep set it first: it sends when due
        else:
            # The digest day or time changed, or a closure day was added, since `current` was set.
            expected = rules.digest_first_on_or_after(timezone.localtime(current, LONDON).date())
            if expected != current:
                if not rows.filter(next_digest_at=current).update(next_digest_at=expected):
                    return False
                current = expected
        if now < current:
            return False
        week = rules.digest_latest_week(now)
        following = rules.digest_next_after(now)
        if not rows.filter(next_digest_at=current).update(next_digest_at=following):
            return False  # another sweep moved it first and sends this week's digest
        report.note(
            la, f"weekly digest for the week of {week:%-d %b %Y}; next at {following:%a %-d %b %Y %H:%M}"
        )
        overdue = digest_rows(la_id=la.pk, today=today)
        if not _runs_insert(
            [
                DigestRun(
                    audience=DigestAudience.BUSINESS_SUPPORT,
                    local_authority=la,
                    week_of=week,
                    sent_for_date=today,
                    item_count=len(overdue),
                )
            ]
        ):
            return True
        if not overdue:
            return True
        for row in overdue:
            row["flags"] = item_flags(row, today)
        # Rendered now: one email per LA a week, and its rows carry labels, not a snapshot.
        email = email_values(
            kind=MessageKind.DIGEST_LA,
            dedupe_key=f"digest_la:{la.pk}:week:{week.isoformat()}",
            to=[rules.settings.business_support_email],
            template="digest_la",
            context={
                "la_name": la.name,
                "week_of": week,
                "issued_on": today,
                "count": len(overdue),
                "rows": overdue[:DIGEST_LIST_LIMIT],
                "more": max(0, len(overdue) - DIGEST_LIST_LIMIT),
                # The LA's introduction in force (escalation.wording) and its durations.
                "wording": wording_in_force(la_id=la.pk, kind=Kind.DIGEST_INTRO),
                "timings": rules.settings.timings(),
            },
        )
        if email is not None:
            send_after_commit(email_ids=emails_insert([email]))
            report.counts["digests"] += 1
            report.note(la, f"digest to business support: {len(overdue)} overdue")
        return True


def _runs_insert(runs) -> set:
    """Insert the week's DigestRun rows in one statement, skipping those already there (the unique
    constraints): returns the (mailbox, LA id) of the rows that are new, whose emails go."""
    fields = ["audience", "mailbox", "local_authority", "week_of", "sent_for_date", "item_count", "created_at"]
    now = timezone.now()
    inserted = insert_rows(
        DigestRun,
        fields,
        [
            (run.audience, run.mailbox, run.local_authority_id, run.week_of, run.sent_for_date, run.item_count, now)
            for run in runs
        ],
        ignore_conflicts=True,
        returning=("mailbox", "local_authority"),
    )
    return set(inserted)


# The SPOC digests, across LAs


def spoc_digest_send_if_due(*, now, report) -> bool:
    """Every SPOC mailbox's digest of the week, once: the DigestSchedule row moved by compare-and-set,
    then a DigestRun per mailbox and week. After days down, the latest week's goes, once."""
    rules = spoc_rules()
    today = timezone.localdate(now)
    with transaction.atomic():
        schedule = DigestSchedule.objects.filter(name=SPOC_SCHEDULE)
        current = schedule.values_list("next_at", flat=True).first()
        if current is None:
            current = rules.digest_first_on_or_after(today)
            try:
                with transaction.atomic():
                    DigestSchedule.objects.create(name=SPOC_SCHEDULE, next_at=current)
            except IntegrityError:
                return False  # another sweep set it first: it sends when due
        if now < current:
            return False
        week = rules.digest_latest_week(now)
        following = rules.digest_next_after(now)
        if not schedule.filter(next_at=current).update(next_at=following):
            return False  # another sweep moved it first and sends this week's digests
        report.note(
            SPOC_REPORT,
            f"SPOC digests for the week of {week:%-d %b %Y}; next at {following:%a %-d %b %Y %H:%M}",
        )
        already = set(
            DigestRun.objects.filter(audience=DigestAudience.SPOC, week_of=week).values_list("mailbox", flat=True)
        )
        digests = {}
        for mailbox, provider_ids in spoc_mailboxes().items():
            if mailbox not in already:
                digests[mailbox] = spoc_digest_groups(provider_ids=provider_ids, today=today)
        new = _runs_insert(
            DigestRun(
                audience=DigestAudience.SPOC, mailbox=mailbox, week_of=week, sent_for_date=today, item_count=count
            )
            for mailbox, (_, count) in digests.items()
        )
        emails = []
        for mailbox, (groups, count) in digests.items():
            if not count or (mailbox, None) not in new:
                continue
            email = email_values(
                kind=MessageKind.DIGEST,
                dedupe_key=f"digest:spoc:{mailbox}:week:{week.isoformat()}",
                to=[mailbox],
                template="digest",
                context={
                    "week_of": week,
                    "issued_on": today,
                    "count": count,
                    "groups": groups,
                    "la_count": len(groups),
                    "more": max(0, count - sum(len(group["rows"]) for group in groups)),
                },
            )
            if email is not None:
                emails.append(email)
                report.note(SPOC_REPORT, f"digest to {mailbox}: {count} overdue in {len(groups)} LA(s)")
        send_after_commit(email_ids=emails_insert(emails))
        report.counts["digests"] += len(emails)
        return True


def spoc_mailboxes() -> dict[str, list[int]]:
    """Each SPOC mailbox (lower case) with the active providers that use it, in mailbox order."""
    mailboxes = defaultdict(list)
    rows = (
        Organisation.objects.filter(kind=OrganisationKind.HEALTH_PROVIDER, is_active=True)
        .exclude(spoc_email="")
        .annotate(mailbox=Lower("spoc_email"))
        .order_by("mailbox", "pk")
        .values_list("mailbox", "pk")
    )
    for mailbox, provider_id in rows:
        mailboxes[mailbox.strip()].append(provider_id)
    return dict(mailboxes)


def spoc_digest_groups(*, provider_ids, today, limit=DIGEST_LIST_LIMIT) -> tuple[list[dict], int]:
    """The providers' overdue items in active LAs, grouped by LA (by name), oldest first in each: the
    first `limit` rows, and how many there are in all (counted by PostgreSQL with the rows)."""
    items = AdviceItem.objects.filter(
        provider_id__in=provider_ids,
        status=ItemStatus.OUTSTANDING,
        due_on__lt=today,
        local_authority__is_active=True,
    ).filter(not_excepted_on(today)).annotate(overdue_count=Window(Count("id")))
    rows = list(
        items.order_by("local_authority__name", "due_on", "id").values(
            *DIGEST_FIELDS, "local_authority_id", "local_authority__name", "overdue_count"
        )[:limit]
    )
    groups, by_la = [], {}
    for row in rows:
        row["days_overdue"] = (today - row["due_on"]).days
        row["stage_label"] = STAGE_LABELS[row["stage"]]
        row["flags"] = item_flags(row, today)
        if row["local_authority_id"] not in by_la:
            by_la[row["local_authority_id"]] = {"la_name": row["local_authority__name"], "rows": []}
            groups.append(by_la[row["local_authority_id"]])
        by_la[row["local_authority_id"]]["rows"].append(row)
    return groups, (rows[0]["overdue_count"] if rows else 0)
