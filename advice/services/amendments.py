"""A returned advice amended (issue 23): a new version with the reason, the earlier kept, superseded.

The item's `returned_on` is the first return's date and stays so: every count of advice returned on
time, late or owed (escalation.owed, reports.selectors.outcomes) measures the day the team first
answered, never the day it corrected its answer."""

from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind
from ehc.outbox import email_queue
from ehc.text import possessive

from ..models import AdviceItem, AdviceReturn, ItemStatus
from ..provision import rows_save, rows_take
from .answers import _signed, _signed_words, documents_store
from .common import AdviceError, _la_recipients, _path
from .return_drafts import sign_off_check, sign_off_use_up


@transaction.atomic
def advice_return_amend(*, item, user, reason: str, content: dict, uploads=(), sign_off=None) -> AdviceReturn:
    """Replace a returned item's advice by a new version (documents and/or Appendix C, complete in
    itself); the version it replaces is kept, with its documents, marked superseded. A team that
    requires sign-off has its amendments made only with `sign_off`, as its returns."""
    uploads = list(uploads)
    content = dict(content)
    provision, outcomes = rows_take(content)
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("team", "provider", "case__child", "request")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.RETURNED:
        status = item.get_status_display().lower()
        raise AdviceError(f"Only returned advice can be amended: {possessive(item.team.name)} is {status}")
    sign_off_check(item=item, sign_off=sign_off)
    sign_off_use_up(item=item, sign_off=sign_off)
    author = sign_off.author if sign_off else user
    if not reason.strip():
        raise AdviceError("Enter why the advice is being amended", field="reason")
    required = ("description_of_needs", "provision_required", "outcomes")
    if not uploads and not all(content.get(name) for name in required):
        raise AdviceError("Upload the advice or complete the needs, provision and outcomes")
    current = AdviceReturn.objects.select_for_update().get(item=item)
    current.item = None
    current.superseded_item = item
    current.superseded_at = timezone.now()
    current.save(update_fields=["item", "superseded_item", "superseded_at", "updated_at"])
    amended = AdviceReturn(
        item=item,
        returned_by=author,
        version=current.version + 1,
        amendment_reason=reason.strip(),
        **content,
        **_signed(sign_off),
    )
    stored = []
    try:
        documents_store(amended, uploads, stored)
        # The new version carries the rows it was given (the form opens on the version in force's).
        rows_save(amended, provision, outcomes)
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=item.case,
            obj=item,
            summary=f"Amended {possessive(item.team.name)} health advice (version {amended.version}; "
            f"version {current.version} kept, superseded){_signed_words(sign_off, author)}: {reason.strip()}",
        )
        to, cc = _la_recipients(item.case)
        email_queue(
            kind=MessageKind.ADVICE_RETURNED,
            dedupe_key=f"advice_amended:{item.pk}:{amended.version}",
            to=to,
            cc=cc,
            template="advice_returned",
            context={
                "reference": item.case.reference,
                "provider": item.provider.name,
                "returned": True,
                "amended": True,
                "path": _path("assessments:case_detail", item.case_id),
            },
            case=item.case,
            advice_request=item.request,
        )
    except BaseException:
        for name in stored:
            amended.document.storage.delete(name)
        raise
    return amended
