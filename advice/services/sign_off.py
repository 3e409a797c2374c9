"""A team lead's sign-off before a return is made (docs/decisions/0036-team-lead-sign-off.md).

Where the team requires it (`Team.returns_need_sign_off`), the practitioner's return waits in the
team's draft, "awaiting sign-off", with its documents (`advice.drafts.DraftDocument`, checked and
scanned as a return's). Nothing outside the team sees it: no `AdviceReturn` exists, the item stays
outstanding, so every count, page, report and the API read it as owed, as before. A team lead then
signs it off, which makes the return through the very service a direct return uses
(`advice_return`, or `advice_return_amend` for a new version), or sends it back with a note.

Every step locks the item row first and then the draft, so two leads signing off at once make one
return, and a second click finds the work done."""

from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ehc.access import is_team_lead
from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind
from ehc.outbox import email_queue
from ehc.text import possessive

from .. import scanning
from ..drafts import DraftDocument, DraftStatus, ReturnDraft
from ..models import AdviceItem, ItemStatus, ScanStatus
from .amendments import advice_return_amend
from .answers import _check_answer_date, advice_return
from .common import AdviceError, _path
from .return_drafts import SignOff, _check_revision, _drop_documents

REQUIRED_SECTIONS = ("description_of_needs", "provision_required", "outcomes")


@dataclass(frozen=True)
class StoredUpload:
    """A draft document as the return's upload check described it when it was sent (advice.uploads)."""

    kind: str
    size: int
    sha256: str
    original_name: str


def _lock(item) -> tuple[AdviceItem, ReturnDraft | None]:
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("request", "team", "provider", "case__child")
        .get(pk=item.pk)
    )
    draft = (
        ReturnDraft.objects.select_for_update(of=("self",))
        .filter(item=item)
        .select_related("saved_by", "sent_by")
        .first()
    )
    return item, draft


def _who(user):
    return user.get_full_name() or user.username


@transaction.atomic
def return_send_for_sign_off(
    *, item, user, content: dict, uploads=(), returned_on=None, reason="", revision=None
) -> ReturnDraft:
    """The practitioner's return (or, with `reason`, a new version of returned advice) waits for a
    team lead. Checked as a return is; nothing is returned and nobody outside the team is told."""
    uploads = list(uploads)
    item, draft = _lock(item)
    amending = bool(reason.strip())
    if amending and item.status != ItemStatus.RETURNED:
        raise AdviceError(f"Only returned advice can be amended: {possessive(item.team.name)} is not returned")
    if not amending and item.status != ItemStatus.OUTSTANDING:
        raise AdviceError(f"{possessive(item.team.name)} advice is already {item.get_status_display().lower()}")
    if draft is not None and draft.awaiting_sign_off:
        # A second click, or a colleague: the first sending stands, untouched.
        raise AdviceError(f"{_who(draft.sent_by)} already sent this advice for sign-off: it is waiting for a team lead")
    if not item.team.returns_need_sign_off:
        raise AdviceError("This team's advice no longer needs sign-off: return it directly")
    _check_revision(draft, revision)
    if not amending:
        if returned_on is None:
            raise AdviceError("Enter the date the advice was returned", field="returned_on")
        _check_answer_date(item, returned_on, "The date the advice was returned", "returned_on")
    if not uploads and not all(content.get(name) for name in REQUIRED_SECTIONS):
        raise AdviceError("Upload the advice or complete the needs, provision and outcomes")
    now = timezone.now()
    if draft is None:
        draft = ReturnDraft(item=item, revision=0, started_by=user)
    draft.revision += 1
    for name in ReturnDraft.CONTENT_FIELDS:
        setattr(draft, name, content.get(name) or "")
    draft.provision_rows = list(content.get("provision_rows") or [])
    draft.outcome_rows = list(content.get("outcome_rows") or [])
    draft.returned_on = None if amending else returned_on
    draft.amendment_reason = reason.strip()
    draft.saved_by = draft.sent_by = user
    draft.saved_at = draft.sent_at = now
    draft.status = DraftStatus.AWAITING_SIGN_OFF
    draft.save()
    stored = []
    try:
        for number, (uploaded, checked) in enumerate(uploads, start=1):
            row = DraftDocument(draft=draft, number=number)
            row.upload_record(checked, uploaded)
            stored.append(row.document.name)
            scanning.scan_prepare(row)
            row.save()
            scanning.scan_enqueue(row)
        what = "a new version of " if amending else ""
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=item.case,
            obj=item,
            summary=f"Sent {what}{possessive(item.team.name)} health advice for a team lead's sign-off (not returned)",
        )
    except BaseException:
        storage = DraftDocument._meta.get_field("document").storage
        for name in stored:
            storage.delete(name)
        raise
    return draft


def _waiting(item, draft, user):
    if not is_team_lead(user, item.team):
        raise AdviceError(f"Only a team lead of {item.team.name} can do this")
    if draft is None or not draft.awaiting_sign_off:
        if item.status == ItemStatus.RETURNED and draft is None:
            raise AdviceError(f"{possessive(item.team.name)} advice has already been signed off and returned")
        raise AdviceError("Nothing is waiting for sign-off on this advice")


@transaction.atomic
def return_sign_off(*, item, user):
    """A team lead signs off the waiting return: it is made now, by the service of a direct return
    (every email, count, version and audit entry as for any return), recording who signed it off.
    A lead may sign off their own work only when the team has no other lead."""
    item, draft = _lock(item)
    _waiting(item, draft, user)
    if draft.sent_by_id == user.pk and item.team.leads.filter(is_active=True, teams=item.team).exclude(pk=user.pk):
        raise AdviceError("You sent this advice for sign-off: another team lead must sign it off")
    documents = list(draft.documents.all())
    for doc in documents:
        if doc.scan_status == ScanStatus.PENDING:
            raise AdviceError(f"Document {doc.number} is still being checked for viruses: try again in a few minutes")
        if not doc.document_available:
            raise AdviceError(
                f"Document {doc.number} cannot be sent ({doc.get_scan_status_display().lower()}): send the advice back"
            )
    handles = [doc.document.open("rb") for doc in documents]
    uploads = [
        (
            File(handle, name=doc.document_name),
            StoredUpload(doc.document_type, doc.document_size, doc.document_sha256, doc.document_name),
        )
        for doc, handle in zip(documents, handles, strict=True)
    ]
    sign_off = SignOff(lead=user, author=draft.sent_by)
    # A new version of returned advice is an amendment (with its reason); otherwise the first return.
    service, when_or_why = (
        (advice_return_amend, {"reason": draft.amendment_reason})
        if draft.amendment_reason
        else (advice_return, {"returned_on": draft.returned_on})
    )
    try:
        made = service(item=item, user=user, content=draft.content(), uploads=uploads, sign_off=sign_off, **when_or_why)
    finally:
        for handle in handles:
            handle.close()
    return made


@transaction.atomic
def return_send_back(*, item, user, note: str) -> ReturnDraft:
    """A team lead sends the waiting return back to the team's draft with a note; the practitioner who
    sent it is told by email (reference and link only). Its documents are dropped: they are chosen
    again when it is sent next."""
    item, draft = _lock(item)
    _waiting(item, draft, user)
    if not note.strip():
        raise AdviceError("Enter a note saying what needs to change", field="note")
    author = draft.sent_by
    _drop_documents(draft)
    draft.status = DraftStatus.EDITING
    draft.revision += 1
    draft.sent_back_note = note.strip()
    draft.sent_back_by = user
    draft.sent_back_at = timezone.now()
    draft.save()
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Sent {possessive(item.team.name)} health advice back to {_who(author)} without signing it off",
    )
    if author.is_active and author.email:
        email_queue(
            kind=MessageKind.SIGN_OFF_SENT_BACK,
            dedupe_key=f"sign_off_sent_back:{draft.pk}:{draft.revision}",
            to=[author.email],
            template="sign_off_sent_back",
            context={"reference": item.case.reference, "path": _path("advice:item_detail", item.pk)},
            # No case: the case's emails are shown to the council, and this step is the team's own.
        )
    return draft
