"""Appendix C saved as the team's draft and finished later (advice.drafts.ReturnDraft)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction
from ehc.text import possessive

from ..drafts import DraftDocument, ReturnDraft
from .common import AdviceError, _lock_outstanding


def _check_revision(draft, revision):
    """Refuse work begun on another revision of the draft: someone of the team saved it meanwhile, and
    going on would overwrite what they wrote. The person's own text stays on their page."""
    current = draft.revision if draft is not None else 0
    if revision is None or revision == current:
        return
    if draft is None:
        raise AdviceError("The draft you opened is no longer there: nothing was saved. Your text is below")
    who = draft.saved_by.get_full_name() or draft.saved_by.username
    when = timezone.localtime(draft.saved_at)
    raise AdviceError(
        f"{who} saved this draft at {when:%H:%M on %-d %B} since you opened it: nothing was saved. "
        "Your text is below: keep a copy, open the advice again to see theirs, then combine them"
    )


def _check_waiting(draft):
    """A return waiting for a team lead's sign-off is the lead's to sign off or send back: nobody
    changes or returns it meanwhile (decision 0036), even if the team stopped requiring sign-off."""
    if draft is not None and draft.awaiting_sign_off:
        raise AdviceError("This advice is waiting for a team lead's sign-off: it cannot be changed until then")


@transaction.atomic
def return_draft_save(*, item, user, content: dict, returned_on=None, revision=None) -> ReturnDraft:
    """Save (or save again) the team's draft of an outstanding item's Appendix C. The item stays
    outstanding: nothing is returned, no timer stops, no one outside the team is told."""
    item = _lock_outstanding(item)
    draft = ReturnDraft.objects.select_for_update().filter(item=item).select_related("saved_by").first()
    _check_waiting(draft)
    _check_revision(draft, revision)
    now = timezone.now()
    if draft is None:
        draft = ReturnDraft(item=item, revision=1, started_by=user)
    else:
        draft.revision += 1
    for name in ReturnDraft.CONTENT_FIELDS:
        setattr(draft, name, content.get(name) or "")
    draft.provision_rows = list(content.get("provision_rows") or [])
    draft.outcome_rows = list(content.get("outcome_rows") or [])
    draft.returned_on = returned_on
    draft.saved_by = user
    draft.saved_at = now
    draft.save()
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Saved a draft of {possessive(item.team.name)} health advice (not returned)",
    )
    return draft


def return_draft_take(*, item, revision=None):
    """Inside the return's transaction: the draft the return was finished from is used up. Its text
    stays in the draft's history."""
    draft = ReturnDraft.objects.select_for_update().filter(item=item).select_related("saved_by").first()
    _check_waiting(draft)
    _check_revision(draft, revision)
    if draft is not None:
        draft.delete()


# A team lead's sign-off (advice.services.sign_off; decision 0036): what the return and the
# amendment check inside their own transactions, here so that they need not import the sign-off.


class SignOffRequired(AdviceError):
    """The team's returns wait for a team lead: send the advice for sign-off instead."""

    def __init__(self):
        super().__init__(
            "This team's advice needs a team lead's sign-off: send it for sign-off instead of returning it"
        )


@dataclass(frozen=True)
class SignOff:
    """Who signed off a return waiting for it, and whose return it is (the practitioner who sent it)."""

    lead: object
    author: object


def sign_off_check(*, item, sign_off):
    """Inside the return's transaction: refuse a return the team must have signed off, unless it is."""
    if sign_off is None and item.team.returns_need_sign_off:
        raise SignOffRequired()


def _drop_documents(draft):
    """Remove a draft's documents; their files go once the transaction has committed."""
    names = [doc.document.name for doc in draft.documents.all() if doc.document]
    draft.documents.all().delete()
    if names:
        storage = DraftDocument._meta.get_field("document").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)


def sign_off_use_up(*, item, sign_off):
    """Inside the return's transaction, once it is made: the draft it came from goes (its text stays in
    the draft's history; its documents were copied to the return and are removed after commit)."""
    draft = ReturnDraft.objects.select_for_update().filter(item=item).first()
    if draft is None:
        return
    if draft.awaiting_sign_off and sign_off is None:
        raise AdviceError("This advice is waiting for a team lead's sign-off: it cannot be returned until then")
    _drop_documents(draft)
    draft.delete()
