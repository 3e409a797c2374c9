"""The SPOC's acknowledgement: which teams will respond, whether the child is known to each."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ehc.audit import audit_record
from ehc.models import AuditAction, MessageKind, Team
from ehc.outbox import email_queue

from ..models import AdviceRequest, ItemStatus, KnownStatus
from ..selectors import REQUESTABLE_CASE_STATUSES
from .common import AdviceError, _la_recipients, _lock_case, _path, advice_timers_stop
from .requests import _new_item

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


def acknowledgement_open(advice_request, case) -> bool:
    """Whether the request may still be acknowledged: an assessment's while the case is being
    assessed; a review's (its case's plan issued) while the review is open. Reads `review`."""
    if advice_request.review_id is not None:
        return advice_request.review.closed_on is None
    return case.status in REQUESTABLE_CASE_STATUSES


@transaction.atomic
def advice_acknowledge(*, advice_request, user, answers, note="") -> AdviceRequest:
    """Name the teams that will respond and whether the child is known to each; remove the teams not
    involved (with a reason). Answers for teams not on the request and not responding are ignored."""
    case = _lock_case(advice_request.case_id)
    advice_request = (
        AdviceRequest.objects.select_for_update(of=("self",))
        .select_related("provider", "review")
        .get(pk=advice_request.pk)
    )
    if advice_request.is_acknowledged:
        raise AdviceError("This request has already been acknowledged")
    if not acknowledgement_open(advice_request, case):
        if advice_request.review_id is not None:
            raise AdviceError("The review has ended: there is nothing to acknowledge")
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
            if answer.known_status not in KnownStatus.values or answer.known_status == KnownStatus.UNCONFIRMED:
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
    advice_request.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note", "updated_at"])
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
    advice_teams_notify(advice_request=advice_request)
    return advice_request


# How many requests one page may acknowledge at once: each is a judgement per team, and a page of 20
# requests (180 questions for a 9-team provider) is already long (decision 0035).
ACKNOWLEDGE_AT_ONCE = 20


class SeveralAcknowledgeError(AdviceError):
    """One of several acknowledgements refused: nothing of any of them was saved."""

    def __init__(self, advice_request, error: AdviceError):
        super().__init__(error.message, field=error.field)
        self.advice_request = advice_request


@dataclass(frozen=True)
class Acknowledgement:
    """One request's answers on a page of several."""

    advice_request: AdviceRequest
    answers: list
    note: str = ""


@transaction.atomic
def advice_acknowledge_several(*, acknowledgements, user) -> list[AdviceRequest]:
    """Each request acknowledged exactly as advice_acknowledge does alone (its checks, audit and
    emails), all in one transaction: one refused (acknowledged by someone else meanwhile, a case
    ended) and none is saved, no email queued. Locked in id order, so two pages overlapping in what
    they acknowledge cannot deadlock."""
    if len(acknowledgements) > ACKNOWLEDGE_AT_ONCE:
        raise AdviceError(f"Acknowledge {ACKNOWLEDGE_AT_ONCE} requests or fewer at once")
    done = []
    for each in sorted(acknowledgements, key=lambda each: each.advice_request.pk):
        try:
            done.append(
                advice_acknowledge(advice_request=each.advice_request, user=user, answers=each.answers, note=each.note)
            )
        except AdviceError as error:
            raise SeveralAcknowledgeError(each.advice_request, error) from error
    return done


def advice_teams_notify(*, advice_request):
    """Each team the acknowledgement names, and that has a mailbox, is told once that it owes advice
    (advice_team_notify). The item is in the team's queue already (advice.selectors.team_queue)."""
    items = advice_request.items.filter(status=ItemStatus.OUTSTANDING).select_related("team").order_by("pk")
    return [advice_team_notify(item=item) for item in items if item.team.email]


def advice_team_notify(*, item):
    """One team told at its mailbox that it owes advice: the case reference and a link to its item,
    nothing else (no child's details, no team's name, so nothing is said of which services know the
    child). Once per item: the outbox row's key is unique."""
    case = item.request.case
    return email_queue(
        kind=MessageKind.TEAM_ASKED,
        dedupe_key=f"team_asked:{item.pk}",
        to=[item.team.email],
        template="team_asked",
        context={"reference": case.reference, "path": _path("advice:item_detail", item.pk)},
        case=case,
        advice_request=item.request,
    )


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
