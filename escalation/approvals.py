"""Letters that need the AD Education's approval before they go (a per-LA setting, off by default).

Where the LA asks for it, the sweep issues the escalation 1 letter but sends nothing (`hold`): the
escalation has no response window yet and its items no escalation 2 date. The letter waits in the AD
Education's queue (`letters_awaiting_approval`). One click (`letter_approve`) dates the letter that
day, which is the day it is sent: the DCO's 3 working days and the 2 weeks to escalation 2 count from
it, the teams' lateness is restated as of it, and the emails (escalation.letter_emails) are written
then and sent after commit, once (their dedupe keys). A letter still waiting one working day after it
was issued (`approval_due_at`, on the LA's calendar) is flagged once to business support, in the
service and by email (`approvals_overdue_check`, a sweep step; `approval_overdue_flagged_at` is the
compare-and-set). See docs/decisions/0016-letters.md.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.audit import audit_record
from ehc.models import AuditAction, AuditEvent, MessageKind, Role
from ehc.notifications import Event, notify
from ehc.outbox import emails_insert
from ehc.pagination import PAGE_SIZE, Page
from ehc.sorting import sorted_page

from .letter_emails import letter_emails
from .models import Escalation, Letter
from .rules import LONDON, TimerRules
from .sending import send_after_commit

APPROVALS_BATCH = 1000
FLAG_HEADLINE = "An escalation 1 letter has waited over a working day for the AD Education's approval"


class ApprovalError(Exception):
    pass


def approval_columns(*, rules, issued_on, now) -> tuple[bool, datetime.datetime | None]:
    """A new letter's (approval_required, approval_due_at): due one working day after it was issued, at
    the time of day of the run that issued it."""
    if not rules.settings.letters_need_ad_approval:
        return False, None
    due_day = rules.calendar.add_working_days(issued_on, 1)
    return True, datetime.datetime.combine(due_day, now.astimezone(LONDON).time(), tzinfo=LONDON)


def hold(*, escalations) -> None:
    """Escalations whose letters wait for approval: no response window, no escalation 2 date, until sent."""
    if not escalations:
        return
    now = timezone.now()
    Escalation.objects.filter(pk__in=[escalation.pk for escalation in escalations]).update(
        response_due_on=None, updated_at=now
    )
    AdviceItem.objects.filter(
        request_id__in=[escalation.request_id for escalation in escalations],
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_1,
    ).update(next_action_on=None, updated_at=now)


def _still_outstanding():
    return Exists(
        AdviceItem.objects.filter(
            request_id=OuterRef("escalation__request_id"), status=ItemStatus.OUTSTANDING, stage=Stage.ESCALATION_1
        )
    )


def awaiting_approval():
    """Letters waiting for the AD Education whose advice is still outstanding (once every team has
    answered there is nothing left to send, or to flag)."""
    return Letter.objects.filter(approval_required=True, approved_at__isnull=True).filter(_still_outstanding())


def letters_awaiting_approval(*, user):
    """The AD Education's queue: their LA's letters waiting, oldest first (index letter_awaiting_approval)."""
    if not user.is_active or not user.has_role(Role.AD_EDUCATION) or not user.is_la_user:
        return Letter.objects.none()
    return (
        awaiting_approval()
        .filter(escalation__local_authority_id=user.organisation_id)
        .select_related("escalation__request__case", "escalation__provider")
        .order_by("approval_due_at", "id")
    )


def approvals_page(*, user, sort, cursor=None, page_size=PAGE_SIZE) -> Page:
    """letters_awaiting_approval in `sort` order (escalation.selectors.APPROVAL_SORT_KEYS), keyset-paged."""
    return sorted_page(letters_awaiting_approval(user=user), sort, cursor, page_size)


def may_approve(user, letter) -> bool:
    return (
        user.is_active
        and user.has_role(Role.AD_EDUCATION)
        and user.organisation_id == letter.escalation.local_authority_id
        and letter.is_awaiting_approval
    )


def _iso(day):
    return day.isoformat() if day else None


@transaction.atomic
def letter_approve(*, letter, user, now=None) -> Letter:
    """Approve and send: the letter is dated today and its emails written, to go after commit. A letter
    already approved is returned unchanged (a second click sends nothing). `now` is for the demo's
    replay of its year (escalation.demo.changes), which approves letters on the day they were."""
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("escalation__request__case", "escalation__request__provider", "escalation__local_authority")
        .get(pk=letter.pk)
    )
    if not letter.is_awaiting_approval:
        return letter
    escalation = letter.escalation
    request = escalation.request
    la = escalation.local_authority
    rules = TimerRules.for_la(la)
    now = now or timezone.now()
    today = timezone.localdate(now)
    items = list(
        AdviceItem.objects.select_for_update(of=("self",))
        .filter(request_id=request.pk, status=ItemStatus.OUTSTANDING, stage=Stage.ESCALATION_1)
        .select_related("team")
        .order_by("team__name", "id")
    )
    if not items:
        raise ApprovalError("Every team in this letter has answered since it was written: there is nothing to send")
    response_due_on = rules.escalation_1_response_due(today)
    teams = [
        {"name": item.team.name, "due_on": item.due_on, "days_overdue": (today - item.due_on).days} for item in items
    ]
    letter.content = {
        **letter.content,
        "dated": _iso(today),
        "response_due_on": _iso(response_due_on),
        "teams": [{**team, "due_on": _iso(team["due_on"])} for team in teams],
    }
    letter.dated = today
    letter.approved_at = now
    letter.approved_by = user
    letter.save(update_fields=["content", "dated", "approved_at", "approved_by", "updated_at"])
    escalation.issued_on = today
    escalation.response_due_on = response_due_on
    escalation.save(update_fields=["issued_on", "response_due_on", "updated_at"])
    AdviceItem.objects.filter(pk__in=[item.pk for item in items]).update(
        escalation_1_on=today, next_action_on=rules.escalation_2_on(today), updated_at=now
    )
    audit_record(
        user=user,
        action=AuditAction.SEND,
        case=request.case,
        obj=letter,
        summary=f"Approved the escalation 1 letter to {request.provider}: sent dated {today:%-d %b %Y}, "
        f"response due {response_due_on:%-d %b %Y}",
    )
    emails = letter_emails(
        request_id=request.pk,
        case_id=request.case_id,
        reference=request.case.reference,
        letter_id=letter.pk,
        la_name=la.name,
        la_settings=rules.settings,
        provider_name=request.provider.name,
        provider_director_email=request.provider.director_email,
        director_name=request.provider.director_name,
        teams=teams,
        dated=today,
        response_due_on=response_due_on,
    )
    attached = any(email["letter_id"] for email in emails)
    send_after_commit(email_ids=emails_insert(emails), letter_ids=[] if attached else [letter.pk])
    return letter


def approvals_overdue(now):
    """Letters still waiting past their approval time that business support was not told of."""
    return awaiting_approval().filter(approval_overdue_flagged_at__isnull=True, approval_due_at__lte=now)


def approvals_overdue_check(*, scope, now, report, limit=APPROVALS_BATCH) -> int:
    """Tell business support of each LA in `scope` ({LA id: LaRun}), once, of each letter still waiting for
    the AD Education a working day after it was issued. Returns how many letters it claimed."""
    with transaction.atomic():
        letters = list(
            approvals_overdue(now)
            .filter(escalation__local_authority_id__in=list(scope))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("escalation__request__case")
            .order_by("approval_due_at", "id")[:limit]
        )
        if not letters:
            return 0
        events, audit = [], []
        for letter in letters:
            escalation = letter.escalation
            case = escalation.request.case
            run = scope[escalation.local_authority_id]
            events.append(
                Event(
                    kind=MessageKind.LETTER_APPROVAL_OVERDUE,
                    event=f"{MessageKind.LETTER_APPROVAL_OVERDUE}:letter:{letter.pk}",
                    la_id=escalation.local_authority_id,
                    path=reverse("escalation:letter_detail", args=[letter.pk]),
                    headline=FLAG_HEADLINE,
                    detail=f"Issued on {letter.created_at.astimezone(LONDON):%-d %B %Y}; not sent until approved",
                    to=[run.rules.settings.business_support_email],
                    case_id=case.pk,
                    reference=case.reference,
                    advice_request_id=escalation.request_id,
                    audience_roles=(Role.BUSINESS_SUPPORT,),
                )
            )
            summary = "Escalation 1 letter not approved within a working day: business support was told"
            audit.append(
                AuditEvent(
                    action=AuditAction.STAGE,
                    case_id=case.pk,
                    object_type="letter",
                    object_id=str(letter.pk),
                    summary=summary,
                )
            )
            report.note(run.la, f"request {escalation.request_id}: {summary}")
        Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
            approval_overdue_flagged_at=now, updated_at=timezone.now()
        )
        AuditEvent.objects.bulk_create(audit)
        send_after_commit(email_ids=notify(events, defer_rendering=True, send=False))
        return len(letters)
