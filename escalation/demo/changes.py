"""Two changes in the demo's last weeks, so that what a council meets after going live is there to see
(and the demo's mailbox holds an email of every kind, escalation.demo.examples):

- four weeks before today the council began asking the AD Education to approve each escalation 1
  letter before it goes. The AD approves most the afternoon they are issued; every third waits until
  the next working day, so business support is told of it first (approvals_overdue_check, in the
  sweep). The newest letter always waits for the AD's next batch, so whatever day the demo is made
  on (letters are not issued every day, nor at weekends) the AD's queue holds a letter to approve.
- three weeks before today the provider's director went on leave and its administrator named an
  acting director, so the letters since are addressed to them. Business support gave the acting
  director a letters-only account from the latest such letter (escalation.recipients); it shows as
  invited until they set a password. The demo's letters-only login stays the director's own, with
  the letters addressed to them before.
"""

import datetime

from django.db.models import Min, Q

from ehc.audit import audit_record, changes_between
from ehc.models import AuditAction, LocalAuthoritySettings, Organisation

from ..approvals import awaiting_approval, letter_approve
from ..models import Letter
from ..recipients import account_for, letters_account_create
from ..rules import LONDON
from .cases import _at

APPROVAL_BEGAN_DAYS_AGO = 28
ACTING_DIRECTOR_DAYS_AGO = 21
ACTING_DIRECTOR = {
    "director_name": "Jordan Vale",
    "director_title": "Acting Alliance Director",
    "director_email": "acting.director@bayview-health.example",
}


def changes_of_the_day(*, day, today, la, provider, users):
    """Before the day's sweep: the settings the council and the provider changed that day."""
    if day == today - datetime.timedelta(days=APPROVAL_BEGAN_DAYS_AGO):
        settings = LocalAuthoritySettings.objects.get(local_authority=la)
        settings.letters_need_ad_approval = True
        settings.save(update_fields=["letters_need_ad_approval"])
        _settings_changed(
            users["admin"],
            la,
            "Changed recipients and letters",
            {"Letters need the AD Education's approval": ["No", "Yes"]},
        )
    if day == today - datetime.timedelta(days=ACTING_DIRECTOR_DAYS_AGO):
        provider = Organisation.objects.get(pk=provider.pk)
        before = {label: getattr(provider, name) for name, label in _LABELS.items()}
        for name, value in ACTING_DIRECTOR.items():
            setattr(provider, name, value)
        provider.save(update_fields=list(ACTING_DIRECTOR))
        after = {label: getattr(provider, name) for name, label in _LABELS.items()}
        _settings_changed(users["provider.admin"], provider, "Changed contacts", changes_between(before, after))


_LABELS = {
    "director_name": "Director's name",
    "director_title": "Director's job title",
    "director_email": "Director's email",
}


def _settings_changed(user, organisation, summary, changes):
    # In the settings history as its administrator's change (dated when the demo was made: the
    # audit trail is append-only and dated by the database's clock).
    audit_record(
        user=user, action=AuditAction.CHANGE, summary=summary, settings_of=organisation, changes=changes
    )


def approve_letters(*, day, today, la, users):
    """After the day's sweep: the AD Education approves the letters waiting, as described above."""
    if day == today:
        return []
    first = Letter.objects.filter(escalation__local_authority=la).aggregate(first=Min("pk"))["first"]
    approved = []
    waiting = list(awaiting_approval().filter(escalation__local_authority=la).order_by("pk"))
    for letter in waiting[:-1]:
        # Due a working day after it was issued: not yet due means it was issued today (or on the
        # weekend's eve), and every third of those waits for business support to be told of it.
        not_yet_due = letter.approval_due_at.astimezone(LONDON).date() > day
        if not_yet_due and (letter.pk - first) % 3 == 0:
            continue
        approved.append(letter_approve(letter=letter, user=users["ad.education"], now=_at(day, 14)))
    return approved


def give_the_acting_director_an_account(*, la, users):
    """The letters-only account for the acting director, from the latest letter addressed to them."""
    # The latest that went (approved, or issued before approval was asked for).
    letter = (
        Letter.objects.filter(escalation__local_authority=la, addressed_to__iexact=ACTING_DIRECTOR["director_email"])
        .filter(Q(approved_at__isnull=False) | Q(approval_required=False))
        .order_by("-pk")
        .first()
    )
    if letter is None or account_for(letter) is not None:
        return None
    return letters_account_create(letter=letter, user=users["business.support"])
