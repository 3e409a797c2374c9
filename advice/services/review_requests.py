"""A review's request for health advice: the same request-and-acknowledge flow as an assessment's,
its report due a set number of days before the review meeting (the LA's setting, on the working day
before when that day is not one), so the chase and escalation ladder counts back from the meeting
(docs/decisions/0044-annual-reviews.md). Moving the meeting moves these dates: reviews.invitations,
which may use the escalation app's rescheduling."""

import datetime

from django.db import IntegrityError, transaction

from assessments.models import AnnualReview
from assessments.review_schedule import advice_due_by
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, MessageKind, Team
from ehc.outbox import email_queue
from ehc.workdays import WorkingCalendar

from ..models import AdviceItem, AdviceRequest, ItemStatus
from .common import AdviceError, _path
from .requests import _new_item

# Teams that answered an earlier request (or still owe it) are asked again: the review's teams.
_INVOLVED = [ItemStatus.OUTSTANDING, ItemStatus.RETURNED, ItemStatus.NOT_PROVIDED]


def review_advice_due(review, *, meeting_on: datetime.date | None = None) -> datetime.date:
    """When health's report for the review is due: the LA's days before the meeting, on a working day."""
    la_settings = LocalAuthoritySettings.for_la(review.local_authority)
    calendar = WorkingCalendar.for_la(review.local_authority_id)
    return advice_due_by(
        meeting_on or review.meeting_on, la_settings.review_advice_days_before_meeting, calendar.is_working_day
    )


def review_teams(*, review, provider) -> list[Team]:
    """The provider's active teams that gave or owe advice on the case before: the teams a review asks
    again. The SPOC names any other at acknowledgement, as for an assessment."""
    team_ids = (
        AdviceItem.objects.filter(case_id=review.case_id, provider_id=provider.pk, status__in=_INVOLVED)
        .exclude(review_id=review.pk)
        .values("team_id")
    )
    return list(Team.objects.filter(pk__in=team_ids, is_active=True).order_by("name", "id"))


def _lock_review(review) -> AnnualReview:
    return AnnualReview.objects.select_for_update().select_related("case", "local_authority").get(pk=review.pk)


@transaction.atomic
def review_advice_request_send(review, provider, *, by, today: datetime.date, message="") -> AdviceRequest:
    """Ask a provider's SPOC for health's report for a review meeting: the request is notified today
    and due before the meeting (review_advice_due); the teams that advised on the case before are
    tracked at once, the SPOC acknowledges and may add others. One request per provider per review."""
    review = _lock_review(review)
    if review.closed_on is not None:
        raise AdviceError("The review has ended: no more advice can be requested for it")
    if review.meeting_on is None:
        raise AdviceError("Arrange the review meeting first: the report's due date counts back from it")
    if not provider.is_provider or not provider.served_las.filter(pk=review.local_authority_id).exists():
        raise AdviceError("Select a health provider that serves your local authority", field="providers")
    due_on = review_advice_due(review)
    if due_on < today:
        raise AdviceError(
            f"The report would be due on {due_on:%-d %B %Y}, which has passed: move the meeting later first",
            field="providers",
        )
    teams = review_teams(review=review, provider=provider)
    try:
        with transaction.atomic():
            advice_request = AdviceRequest.objects.create(
                case=review.case,
                review=review,
                provider=provider,
                local_authority_id=review.local_authority_id,
                services_named=list(dict.fromkeys(team.service for team in teams)),
                message=message,
                notified_on=today,
                due_on=due_on,
                requested_by=by,
            )
    except IntegrityError:
        raise AdviceError(
            f"{provider} has already been asked for a report for this review", field="providers"
        ) from None
    for team in teams:
        _new_item(advice_request=advice_request, team=team, named_by_family=True).save()
    audit_record(
        user=by,
        action=AuditAction.CREATE,
        case=review.case,
        obj=advice_request,
        summary=f"Asked {provider} for health's report for the review meeting on {review.meeting_on:%d/%m/%Y}"
        f" ({', '.join(team.name for team in teams) or 'teams to be named by the SPOC'}), "
        f"due {due_on:%d/%m/%Y}",
    )
    review_request_notify_spoc(advice_request=advice_request, review=review)
    return advice_request


def review_request_notify_spoc(*, advice_request, review, moved=False):
    """The SPOC mailbox hears of the review's request (or that its meeting moved): the reference, the
    dates and a link; nothing about the child. Once per request, and once per new meeting date."""
    case = advice_request.case
    key = f"review_meeting_moved:{advice_request.pk}:{review.meeting_on:%Y%m%d}" if moved else None
    return email_queue(
        kind=MessageKind.ADVICE_REQUESTED,
        dedupe_key=key or f"advice_requested:{advice_request.pk}",
        to=[advice_request.provider.spoc_email],
        template="review_meeting_moved" if moved else "review_advice_requested",
        context={
            "reference": case.reference,
            "local_authority": advice_request.local_authority.name,
            "provider": advice_request.provider.name,
            "meeting_on": review.meeting_on,
            "due_on": advice_request.due_on,
            "path": _path("advice:request_detail", advice_request.pk),
        },
        case=case,
        advice_request=advice_request,
    )
