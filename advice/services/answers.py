"""A team's answer: advice returned, advice not provided, or an exception under regulation 8(2)."""

from django.db import transaction
from django.utils import timezone

from assessments.models import Case
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind
from ehc.outbox import email_queue
from ehc.text import possessive

from .. import scanning
from ..models import AdviceDocument, AdviceItem, AdviceReturn, ItemStatus, QualityCheck, QualityDecision, Stage
from ..provision import rows_save, rows_take
from .common import AdviceError, _la_recipients, _lock_outstanding, _path, advice_timers_stop
from .return_drafts import return_draft_take, sign_off_check, sign_off_use_up


def _check_answer_date(item, on, label, field):
    if on > timezone.localdate():
        raise AdviceError(f"{label} must be today or in the past", field=field)
    if on < item.request.notified_on:
        raise AdviceError(
            f"{label} must be on or after the date the advice was requested ({item.request.notified_on:%-d %B %Y})",
            field=field,
        )


@transaction.atomic
def advice_return(
    *,
    item,
    user,
    returned_on,
    content: dict,
    document=None,
    checked=None,
    uploads=(),
    draft_revision=None,
    sign_off=None,
) -> AdviceReturn:
    """A team's advice is back (checked documents and/or the structured Appendix C): the item closes
    and every timer of its request that nothing else still needs stops at once. The team's draft, if
    any, is used up (refused if someone saved it after `draft_revision`, which the page was opened on).

    `uploads` are the documents as [(file, advice.uploads.CheckedUpload)], in order; `document` and
    `checked` are one document, as the callers of a single upload have it.

    A team that requires sign-off has its returns made only with `sign_off` (advice.services.
    return_drafts.SignOff: the lead, acting, and the practitioner whose return it is), by
    advice.services.sign_off.return_sign_off."""
    uploads = list(uploads) + ([(document, checked)] if document is not None else [])
    content = dict(content)
    provision, outcomes = rows_take(content)
    item = _lock_outstanding(item)
    sign_off_check(item=item, sign_off=sign_off)
    if sign_off is None:
        return_draft_take(item=item, revision=draft_revision)
    else:
        sign_off_use_up(item=item, sign_off=sign_off)
    _check_answer_date(item, returned_on, "The date the advice was returned", "returned_on")
    if not uploads and not all(
        content.get(name) for name in ("description_of_needs", "provision_required", "outcomes")
    ):
        raise AdviceError("Upload the advice or complete the needs, provision and outcomes")
    author = sign_off.author if sign_off else user
    version = _send_back_answered(item=item, returned_on=returned_on)
    item.status = ItemStatus.RETURNED
    # After a send-back the first return's date stays: "within 6 weeks" is measured on it (advice.quality).
    item.returned_on = item.returned_on or returned_on
    item.returned_by = author
    item.closed_on = returned_on
    item.next_action_on = None
    item.save(update_fields=["status", "returned_on", "returned_by", "closed_on", "next_action_on", "updated_at"])
    advice_timers_stop(request_ids=[item.request_id])
    advice_return = AdviceReturn(item=item, returned_by=author, version=version, **content, **_signed(sign_off))
    stored = []
    try:
        documents_store(advice_return, uploads, stored)
        rows_save(advice_return, provision, outcomes)
        on_behalf = "" if author.teams.filter(pk=item.team_id).exists() else " on the team's behalf"
        kinds = ", ".join(checked.kind.upper() for _file, checked in uploads)
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=item.case,
            obj=item,
            summary=f"Returned {possessive(item.team.name)} health advice{on_behalf}"
            + (f" ({kinds} document{'s' if len(uploads) > 1 else ''})" if uploads else "")
            + _signed_words(sign_off, author),
        )
        advice_returned_notify(item=item, version=version)
    except BaseException:
        # The database rolls back; the files written to storage would not.
        for name in stored:
            advice_return.document.storage.delete(name)
        raise
    return advice_return


def _send_back_answered(*, item, returned_on) -> int:
    """Advice the LA sent back (advice.quality) is answered by this return, on `returned_on`: its
    send-back records the day. Returns the version number the return takes (1 for a first return)."""
    pending = QualityCheck.objects.filter(item=item, decision=QualityDecision.SENT_BACK, back_on__isnull=True).first()
    if pending is not None:
        if returned_on < pending.decided_on:
            raise AdviceError(
                "The date the advice was returned must be on or after the day it was sent back "
                f"({pending.decided_on:%-d %B %Y})",
                field="returned_on",
            )
        pending.back_on = returned_on
        pending.save(update_fields=["back_on"])
    return max(item.superseded_returns.values_list("version", flat=True), default=0) + 1


def _signed(sign_off) -> dict:
    return {"signed_off_by": sign_off.lead, "signed_off_at": timezone.now()} if sign_off else {}


def _signed_words(sign_off, author) -> str:
    if sign_off is None:
        return ""
    who = author.get_full_name() or author.username
    return f", written by {who} and signed off by the team lead"


def documents_store(advice_return, uploads, stored: list):
    """Save the return with its documents: the first on the return itself, the others as
    AdviceDocument rows numbered from 2, each queued for the virus scanner after commit. The storage
    name of each file written is appended to `stored`, for the caller to remove if anything fails."""
    rows = []
    for number, (uploaded, checked) in enumerate(uploads, start=1):
        # The first is saved with the return itself, before the others point at it.
        row = advice_return if number == 1 else AdviceDocument(advice_return=advice_return, number=number)
        row.upload_record(checked, uploaded)
        stored.append(row.document.name)
        scanning.scan_prepare(row)
        row.save()
        rows.append(row)
    if advice_return.pk is None:
        advice_return.save()
    for row in rows:
        scanning.scan_enqueue(row)


@transaction.atomic
def advice_not_provided(*, item, user, reason, detail, decided_by, decided_on) -> AdviceItem:
    """Advice will not be provided: a reason category, the reason in words and who decided. Closes
    the item like a return does, for the drafting gate and the timers."""
    item = _lock_outstanding(item)
    _check_answer_date(item, decided_on, "The date of the decision", "decided_on")
    item.status = ItemStatus.NOT_PROVIDED
    item.not_provided_reason = reason
    item.not_provided_detail = detail
    item.not_provided_decided_by = decided_by
    item.closed_on = decided_on
    item.next_action_on = None
    item.save(
        update_fields=[
            "status",
            "not_provided_reason",
            "not_provided_detail",
            "not_provided_decided_by",
            "closed_on",
            "next_action_on",
            "updated_at",
        ]
    )
    advice_timers_stop(request_ids=[item.request_id])
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Recorded that {possessive(item.team.name)} advice will not be provided "
        f"({item.get_not_provided_reason_display()}), decided by {decided_by}",
    )
    advice_returned_notify(item=item)
    return item


@transaction.atomic
def advice_exception_record(*, item, user, reason, detail) -> AdviceItem:
    """An exception under reg 8(2): the item stays outstanding and visible, marked excepted. Timer
    fields are left alone; whether an excepted item is chased is the sweep's decision."""
    item = _lock_outstanding(item)
    item.exception_reason = reason
    item.exception_detail = detail
    item.exception_recorded_on = timezone.localdate()
    item.exception_recorded_by = user
    item.save(
        update_fields=[
            "exception_reason",
            "exception_detail",
            "exception_recorded_on",
            "exception_recorded_by",
            "updated_at",
        ]
    )
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=item.case,
        obj=item,
        summary=f"Recorded an exception under regulation 8(2) for {item.team.name}: "
        f"{item.get_exception_reason_display()}",
    )
    return item


def advice_returned_notify(*, item, version=1):
    """The case officer hears that a team has answered (returned, or will not provide advice). After a
    chase or an escalation the answer also goes to the AD Education and business support, by email and
    in the service: the people who chased or escalated it (ehc.notifications)."""
    case = item.case
    # A return after a send-back (advice.quality) is news again: its own email, its own event.
    again = "" if version == 1 else f":v{version}"
    if item.stage != Stage.REQUESTED:
        return _answered_late_notify(item=item, again=again)
    to, cc = _la_recipients(case)
    return email_queue(
        kind=MessageKind.ADVICE_RETURNED,
        dedupe_key=f"advice_returned:{item.pk}{again}",
        to=to,
        cc=cc,
        template="advice_returned",
        context={
            "reference": case.reference,
            "provider": item.provider.name,
            "returned": item.status == ItemStatus.RETURNED,
            "path": _path("assessments:case_detail", case.pk),
        },
        case=case,
        advice_request=item.request,
    )


def _answered_late_notify(*, item, again=""):
    from ehc.notifications import la_event, notify

    returned = item.status == ItemStatus.RETURNED
    case = Case.objects.select_related("case_officer", "local_authority").get(pk=item.case_id)
    return notify(
        [
            la_event(
                kind=MessageKind.ADVICE_RETURNED_LATE,
                event=f"{MessageKind.ADVICE_RETURNED_LATE}:item:{item.pk}{again}",
                la_settings=LocalAuthoritySettings.for_la(case.local_authority),
                case=case,
                path=_path("assessments:case_detail", case.pk),
                headline=(
                    "Health advice returned after a chase or escalation"
                    if returned
                    else "Health advice will not be provided (after a chase or escalation)"
                ),
                detail=f"{item.get_stage_display()} reached before the answer",
                advice_request_id=item.request_id,
            )
        ]
    )
