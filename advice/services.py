"""Workflows of health advice: request, acknowledge, return, not provided, exception, stop timers,
and the draft plan that waits for them (the drafting gate).

Every workflow that creates advice items, or that depends on there being none outstanding,
locks the case row first: the drafting gate and the SPOC adding a team cannot then pass each
other in two concurrent transactions.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Case, CaseStatus, DraftComment, DraftPlan
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind, Role, Service, Team
from ehc.outbox import email_queue

from . import scanning
from .models import AdviceItem, AdviceRequest, AdviceReturn, ItemStatus, KnownStatus, Stage
from .selectors import REQUESTABLE_CASE_STATUSES, draft_advice_teams, draft_gate_outstanding, draft_teams_for

# Emails that only make sense while advice is outstanding: cancelled once nothing is.
TIMER_EMAIL_KINDS = [
    MessageKind.CHASE,
    MessageKind.ESCALATION_1,
    MessageKind.ESCALATION_1_OVERDUE,
    MessageKind.ESCALATION_2,
    MessageKind.HEAD_OF_SERVICE_OVERDUE,
]


class AdviceError(Exception):
    """A workflow refused. The message is shown to the person who asked, as a GOV.UK error."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class DraftGateClosed(AdviceError):
    """The draft plan cannot be recorded: these tracked items are still outstanding."""

    def __init__(self, items):
        names = ", ".join(f"{item.team.name} ({item.provider})" for item in items)
        super().__init__(f"Health advice is still outstanding from {names}")
        self.items = items


def advice_timers_stop(*, request_ids):
    """Cancel unsent chase/escalation emails of requests that have no outstanding item left."""
    from ehc.outbox import emails_cancel_for_request

    still_open = set(
        AdviceItem.objects.filter(request_id__in=request_ids, status=ItemStatus.OUTSTANDING).values_list(
            "request_id", flat=True
        )
    )
    for request_id in set(request_ids) - still_open:
        emails_cancel_for_request(advice_request_id=request_id, kinds=TIMER_EMAIL_KINDS)


@transaction.atomic
def advice_items_cancel_for_case(*, case, on: datetime.date):
    """The case ended early (withdrawn, moved away, not assessing): every timer stops at once."""
    items = AdviceItem.objects.select_for_update().filter(case=case, status=ItemStatus.OUTSTANDING)
    request_ids = list(items.values_list("request_id", flat=True))
    items.update(status=ItemStatus.CANCELLED, next_action_on=None, closed_on=on, updated_at=timezone.now())
    advice_timers_stop(request_ids=request_ids)


def _lock_case(case_id) -> Case:
    return Case.objects.select_for_update().get(pk=case_id)


def _path(name, *args):
    return reverse(name, args=args)


# Request -----------------------------------------------------------------------------------------


def teams_for_services(*, provider, services) -> dict:
    """The provider's active team for each service: {service: Team}. Where a provider has two
    active teams for one service, the first by name answers for it; the SPOC can add the other."""
    chosen = {}
    for team in Team.objects.filter(provider=provider, is_active=True, service__in=services).order_by(
        "name", "id"
    ):
        chosen.setdefault(team.service, team)
    return chosen


def missing_services(*, provider, services) -> list[str]:
    teams = teams_for_services(provider=provider, services=services)
    return [service for service in services if service not in teams]


def _new_item(*, advice_request, team, **fields) -> AdviceItem:
    # The timer contract (escalation.sweep): stage REQUESTED, the shared due date, and the sweep's
    # next look on the due date itself; it works out the working-day chase date from there.
    return AdviceItem(
        request=advice_request,
        team=team,
        provider_id=advice_request.provider_id,
        local_authority_id=advice_request.local_authority_id,
        case_id=advice_request.case_id,
        due_on=advice_request.due_on,
        next_action_on=advice_request.due_on,
        stage=Stage.REQUESTED,
        status=ItemStatus.OUTSTANDING,
        **fields,
    )


@transaction.atomic
def advice_request_send(*, case, provider, services_named, user, message="") -> AdviceRequest:
    """Send a request for health advice to a provider's SPOC: one tracked item per service the family
    named, due `advice_period_days` after today (the day the SPOC is notified)."""
    case = _lock_case(case.pk)
    if case.status not in REQUESTABLE_CASE_STATUSES:
        raise AdviceError(
            "Health advice can only be requested while the case is open and before the draft plan"
        )
    if not provider.is_provider or not provider.served_las.filter(pk=case.local_authority_id).exists():
        raise AdviceError("Select a health provider that serves your local authority", field="provider")
    services = list(dict.fromkeys(services_named))
    if not services:
        raise AdviceError("Select the health services the family says are involved", field="services_named")
    teams = teams_for_services(provider=provider, services=services)
    missing = [Service(service).label for service in services if service not in teams]
    if missing:
        raise AdviceError(
            f"{provider} has no team for {', '.join(missing)}: untick it or choose another provider",
            field="services_named",
        )
    notified_on = timezone.localdate()
    period = LocalAuthoritySettings.for_la(case.local_authority).advice_period_days
    try:
        with transaction.atomic():
            advice_request = AdviceRequest.objects.create(
                case=case,
                provider=provider,
                local_authority_id=case.local_authority_id,
                services_named=services,
                message=message,
                notified_on=notified_on,
                due_on=notified_on + datetime.timedelta(days=period),
                requested_by=user,
            )
    except IntegrityError:
        raise AdviceError(
            f"Health advice has already been requested from {provider} for this case", field="provider"
        ) from None
    for service in services:
        _new_item(advice_request=advice_request, team=teams[service], named_by_family=True).save()
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=case,
        obj=advice_request,
        summary=f"Requested health advice from {provider} ({', '.join(t.name for t in teams.values())}), "
        f"due {advice_request.due_on:%d/%m/%Y}",
    )
    advice_request_notify_spoc(advice_request=advice_request)
    return advice_request


def advice_request_notify_spoc(*, advice_request):
    """The SPOC mailbox hears of the request: the reference and a link, nothing about the child."""
    case = advice_request.case
    return email_queue(
        kind=MessageKind.ADVICE_REQUESTED,
        dedupe_key=f"advice_requested:{advice_request.pk}",
        to=[advice_request.provider.spoc_email],
        template="advice_requested",
        context={
            "reference": case.reference,
            "local_authority": advice_request.local_authority.name,
            "provider": advice_request.provider.name,
            "due_on": advice_request.due_on,
            "path": _path("advice:request_detail", advice_request.pk),
        },
        case=case,
        advice_request=advice_request,
    )


# Acknowledgement ---------------------------------------------------------------------------------

NOT_INVOLVED = "not_involved"


@dataclass(frozen=True)
class TeamAnswer:
    """The SPOC's answer for one team: the known status if it will respond, else why it is not involved."""

    team: Team
    known_status: str
    removed_reason: str = ""

    @property
    def responds(self):
        return self.known_status != NOT_INVOLVED


@transaction.atomic
def advice_acknowledge(*, advice_request, user, answers, note="") -> AdviceRequest:
    """Name the teams that will respond and whether the child is known to each; remove the teams not
    involved (with a reason). Answers for teams not on the request and not responding are ignored."""
    case = _lock_case(advice_request.case_id)
    advice_request = (
        AdviceRequest.objects.select_for_update().select_related("provider").get(pk=advice_request.pk)
    )
    if advice_request.is_acknowledged:
        raise AdviceError("This request has already been acknowledged")
    if case.status not in REQUESTABLE_CASE_STATUSES:
        raise AdviceError("The case is no longer being assessed: there is nothing to acknowledge")
    items = {item.team_id: item for item in advice_request.items.select_for_update()}
    today = timezone.localdate()
    changes = []
    for answer in answers:
        team = answer.team
        if team.provider_id != advice_request.provider_id:
            raise AdviceError("Only your own provider's teams can respond to this request")
        item = items.get(team.pk)
        if answer.responds:
            if (
                answer.known_status not in KnownStatus.values
                or answer.known_status == KnownStatus.UNCONFIRMED
            ):
                raise AdviceError(f"Select whether the child is known to {team.name}")
            if item is None:
                _new_item(
                    advice_request=advice_request,
                    team=team,
                    added_by_spoc=True,
                    known_status=answer.known_status,
                ).save()
                changes.append(f"added {team.name} ({KnownStatus(answer.known_status).label})")
            else:
                item.known_status = answer.known_status
                item.save(update_fields=["known_status", "updated_at"])
                changes.append(f"{team.name}: {KnownStatus(answer.known_status).label}")
        elif item is not None:
            if item.status != ItemStatus.OUTSTANDING:
                raise AdviceError(f"{team.name} has already answered: it cannot be removed")
            if not answer.removed_reason.strip():
                raise AdviceError(f"Enter why {team.name} is not involved")
            item.status = ItemStatus.REMOVED
            item.removed_reason = answer.removed_reason.strip()
            item.next_action_on = None
            item.closed_on = today
            item.save(update_fields=["status", "removed_reason", "next_action_on", "closed_on", "updated_at"])
            changes.append(f"removed {team.name}")
    advice_request.acknowledged_at = timezone.now()
    advice_request.acknowledged_by = user
    advice_request.acknowledgement_note = note
    advice_request.save(
        update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note", "updated_at"]
    )
    # Removing the last outstanding team stops the request's timers like a return would.
    advice_timers_stop(request_ids=[advice_request.pk])
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=advice_request,
        summary=f"Acknowledged the request for health advice from {advice_request.provider}: "
        + ("; ".join(changes) or "no teams"),
    )
    advice_acknowledged_notify(advice_request=advice_request)
    return advice_request


def _la_recipients(case):
    """The case officer, and LA business support in copy (or as the recipient if no officer is assigned)."""
    support = LocalAuthoritySettings.for_la(case.local_authority).business_support_email
    officer = case.case_officer.email if case.case_officer_id and case.case_officer.is_active else ""
    return ([officer], [support]) if officer else ([support], [])


def advice_acknowledged_notify(*, advice_request):
    case = advice_request.case
    to, cc = _la_recipients(case)
    return email_queue(
        kind=MessageKind.ACKNOWLEDGED,
        dedupe_key=f"acknowledged:{advice_request.pk}",
        to=to,
        cc=cc,
        template="acknowledged",
        context={
            "reference": case.reference,
            "provider": advice_request.provider.name,
            "due_on": advice_request.due_on,
            "path": _path("advice:request_detail", advice_request.pk),
        },
        case=case,
        advice_request=advice_request,
    )


# Returns -----------------------------------------------------------------------------------------


def _lock_outstanding(item) -> AdviceItem:
    item = (
        AdviceItem.objects.select_for_update(of=("self",))
        .select_related("request", "team", "provider", "case")
        .get(pk=item.pk)
    )
    if item.status != ItemStatus.OUTSTANDING:
        raise AdviceError(f"{item.team.name}'s advice is already {item.get_status_display().lower()}")
    return item


def _check_answer_date(item, on, label, field):
    if on > timezone.localdate():
        raise AdviceError(f"{label} must be today or in the past", field=field)
    if on < item.request.notified_on:
        raise AdviceError(
            f"{label} must be on or after the date the advice was requested "
            f"({item.request.notified_on:%-d %B %Y})",
            field=field,
        )


@transaction.atomic
def advice_return(*, item, user, returned_on, content: dict, document=None, checked=None) -> AdviceReturn:
    """A team's advice is back (a checked document and/or the structured Appendix C): the item closes
    and every timer of its request that nothing else still needs stops at once."""
    item = _lock_outstanding(item)
    _check_answer_date(item, returned_on, "The date the advice was returned", "returned_on")
    if document is None and not all(
        content.get(name) for name in ("description_of_needs", "provision_required", "outcomes")
    ):
        raise AdviceError("Upload the advice or complete the needs, provision and outcomes")
    item.status = ItemStatus.RETURNED
    item.returned_on = returned_on
    item.returned_by = user
    item.closed_on = returned_on
    item.next_action_on = None
    item.save(
        update_fields=["status", "returned_on", "returned_by", "closed_on", "next_action_on", "updated_at"]
    )
    advice_timers_stop(request_ids=[item.request_id])
    advice_return = AdviceReturn(item=item, returned_by=user, **content)
    if document is not None:
        advice_return.document_name = checked.original_name
        advice_return.document_type = checked.kind
        advice_return.document_size = checked.size
        advice_return.document_sha256 = checked.sha256
        # The storage name is chosen by advice_upload_path; the uploader's name is only displayed.
        advice_return.document.save("advice", document, save=False)
        scanning.scan_prepare(advice_return)
    try:
        advice_return.save()
        scanning.scan_enqueue(advice_return)
        on_behalf = "" if user.teams.filter(pk=item.team_id).exists() else " on the team's behalf"
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=item.case,
            obj=item,
            summary=f"Returned {item.team.name}'s health advice{on_behalf}"
            + (f" ({checked.kind.upper()} document)" if checked else ""),
        )
        advice_returned_notify(item=item)
    except BaseException:
        # The database rolls back; the file written to storage would not.
        if advice_return.document:
            advice_return.document.storage.delete(advice_return.document.name)
        raise
    return advice_return


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
        summary=f"Recorded that {item.team.name}'s advice will not be provided "
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


def advice_returned_notify(*, item):
    """The case officer hears that a team has answered (returned, or will not provide advice). After a
    chase or an escalation the answer also goes to the AD Education and business support, by email and
    in the service: the people who chased or escalated it (ehc.notifications)."""
    case = item.case
    if item.stage != Stage.REQUESTED:
        return _answered_late_notify(item=item)
    to, cc = _la_recipients(case)
    return email_queue(
        kind=MessageKind.ADVICE_RETURNED,
        dedupe_key=f"advice_returned:{item.pk}",
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


def _answered_late_notify(*, item):
    from ehc.notifications import la_event, notify

    returned = item.status == ItemStatus.RETURNED
    case = Case.objects.select_related("case_officer", "local_authority").get(pk=item.case_id)
    return notify(
        [
            la_event(
                kind=MessageKind.ADVICE_RETURNED_LATE,
                event=f"{MessageKind.ADVICE_RETURNED_LATE}:item:{item.pk}",
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


# The draft plan ----------------------------------------------------------------------------------


@transaction.atomic
def draft_plan_record(*, case, user, sent_on, section_c, section_g) -> DraftPlan:
    """Record the draft plan sent to the family. Refused while any tracked health advice is outstanding
    (the drafting gate); the teams that gave advice are told and may comment for 15 days."""
    case = _lock_case(case.pk)
    if case.status != CaseStatus.ASSESSING:
        raise AdviceError("A draft plan can only be recorded while the case is being assessed")
    if sent_on > timezone.localdate():
        raise AdviceError("The date the draft plan was sent must be today or in the past", field="sent_on")
    if sent_on < case.received_on:
        raise AdviceError(
            "The date the draft plan was sent must be on or after the date the request was received",
            field="sent_on",
        )
    outstanding = draft_gate_outstanding(case=case)
    if outstanding:
        raise DraftGateClosed(outstanding)
    draft_plan = DraftPlan.objects.create(
        case=case, sent_on=sent_on, section_c=section_c, section_g=section_g, recorded_by=user
    )
    case.status = CaseStatus.DRAFT_PLAN
    case.draft_plan_sent_on = sent_on
    # Through the model, so next_statutory_date moves on to the final plan.
    case.save()
    audit_record(
        user=user,
        action=AuditAction.STAGE,
        case=case,
        obj=draft_plan,
        summary=f"Recorded the draft plan sent on {sent_on:%d/%m/%Y}; health sections shared with the teams "
        "that gave advice",
    )
    draft_shared_notify(draft_plan=draft_plan)
    return draft_plan


def draft_shared_notify(*, draft_plan):
    case = draft_plan.case
    queued = []
    for team in draft_advice_teams(case=case):
        to = (
            [team.email]
            if team.email
            else list(
                team.members.filter(is_active=True, roles__contains=[Role.PRACTITIONER]).values_list(
                    "email", flat=True
                )
            )
        )
        queued.append(
            email_queue(
                kind=MessageKind.DRAFT_SHARED,
                dedupe_key=f"draft_shared:{draft_plan.pk}:{team.pk}",
                to=to,
                cc=[team.provider.spoc_email],
                template="draft_shared",
                context={
                    "reference": case.reference,
                    "comments_close_on": draft_plan.comments_close_on,
                    "path": _path("assessments:case_detail", case.pk) + "#draft-plan",
                },
                case=case,
            )
        )
    return queued


@transaction.atomic
def draft_comment_add(*, draft_plan, user, team, section, text) -> DraftComment:
    today = timezone.localdate()
    if not draft_plan.comments_open(today):
        raise AdviceError(f"The comment period ended on {draft_plan.comments_close_on:%-d %B %Y}")
    if team not in draft_teams_for(user=user, case=draft_plan.case):
        raise AdviceError("Select a team that gave advice on this case", field="team")
    comment = DraftComment.objects.create(
        draft_plan=draft_plan, author=user, team=team, section=section, text=text
    )
    audit_record(
        user=user,
        action=AuditAction.CREATE,
        case=draft_plan.case,
        obj=comment,
        summary=f"Commented on section {section} of the draft plan for {team.name}",
    )
    return comment
