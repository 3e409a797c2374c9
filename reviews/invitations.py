"""Health's side of a review: the invitations and requests for advice, with the notice the LA gives
(reg. 20(3): at least 2 weeks; health asks for at least 6, the LA's settings), and moving the meeting
after they went (docs/decisions/0044-annual-reviews.md).

Each request is advice.services.review_advice_request_send: the report due before the meeting and
chased by the assessment's ladder. A meeting moved afterwards moves the requests' due dates and
replans their items' timers through escalation.exceptions.items_reschedule, the one place that
re-derives an item's dates (exceptions stopping the clock included)."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from advice.models import AdviceItem, AdviceRequest, ItemStatus
from advice.services import AdviceError, review_advice_due, review_advice_request_send, review_request_notify_spoc
from assessments.models import AnnualReview
from assessments.review_schedule import notice_send_by
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, Organisation
from ehc.workdays import WorkingCalendar
from escalation.exceptions import items_reschedule


class ShortNotice(AdviceError):
    """Sent later than the LA's notice: done only once the case officer confirms it."""


@dataclass(frozen=True)
class Notice:
    """The last days on which the LA's notice of the meeting can still be given: to everyone
    invited, and to health (the longer of the two by default)."""

    meeting_on: datetime.date
    invitations_by: datetime.date
    health_by: datetime.date

    def invitations_late(self, today) -> bool:
        return today > self.invitations_by

    def health_late(self, today) -> bool:
        return today > self.health_by


def review_notice(review, *, meeting_on=None) -> Notice:
    meeting_on = meeting_on or review.meeting_on
    la_settings = LocalAuthoritySettings.for_la(review.local_authority)
    is_working_day = WorkingCalendar.for_la(review.local_authority_id).is_working_day
    return Notice(
        meeting_on=meeting_on,
        invitations_by=notice_send_by(meeting_on, la_settings.review_notice_weeks, is_working_day),
        health_by=notice_send_by(meeting_on, la_settings.review_health_notice_weeks, is_working_day),
    )


def providers_asked_before(review) -> list[Organisation]:
    """The providers asked for advice during the assessment: the invitations page's default."""
    ids = AdviceRequest.objects.for_assessment().filter(case_id=review.case_id).values("provider_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _lock_open_review(review) -> AnnualReview:
    review = AnnualReview.objects.select_for_update().select_related("case", "local_authority").get(pk=review.pk)
    if review.closed_on is not None:
        raise AdviceError("The review has ended")
    if review.meeting_on is None:
        raise AdviceError("Arrange the review meeting first")
    return review


@transaction.atomic
def invitations_send(review, *, providers, message, by, today, short_notice_confirmed=False) -> list[AdviceRequest]:
    """Send the review's invitations and ask each provider chosen for health's report. Later than the
    LA's notice (to anyone, or to health), nothing is sent unless the case officer confirmed it.
    Refused in any part, nothing is sent."""
    review = _lock_open_review(review)
    if review.meeting_on < today:
        raise AdviceError("The meeting date has passed: move the meeting first", field="providers")
    if review.invitations_sent_on is not None and not providers:
        raise AdviceError("The invitations have gone: select a health provider to ask", field="providers")
    notice = review_notice(review)
    late = notice.invitations_late(today) or (bool(providers) and notice.health_late(today))
    if late and not short_notice_confirmed:
        raise ShortNotice(
            "Confirm that you are sending the invitations with less notice than your local authority gives",
            field="short_notice_confirmed",
        )
    requests = [
        review_advice_request_send(review, provider, by=by, today=today, message=message)
        for provider in sorted(providers, key=lambda provider: provider.pk)
    ]
    if review.invitations_sent_on is None:
        review.invitations_sent_on = today
        review.save(update_fields=["invitations_sent_on", "updated_at"])
    late_words = " with short notice (confirmed)" if late else ""
    audit_record(
        user=by,
        action=AuditAction.SEND,
        case=review.case,
        obj=review,
        summary=f"Sent the invitations to the review meeting on {review.meeting_on:%d/%m/%Y}{late_words}; "
        f"asked for health's report: {', '.join(str(p) for p in providers) or 'no provider'}",
    )
    return requests


@transaction.atomic
def review_meeting_move(review, *, meeting_on: datetime.date, reason: str, by, today: datetime.date) -> int:
    """Move the meeting after the invitations went: each request's report is due again before the
    new date, its items' due dates and timers replanned (an item already chased stays chased), and
    each SPOC told. Returns how many items changed."""
    review = _lock_open_review(review)
    reason = reason.strip()
    if not reason:
        raise AdviceError("Enter why the meeting is moving", field="reason")
    if meeting_on == review.meeting_on:
        raise AdviceError("Enter a date different from the meeting's present date", field="meeting_on")
    if meeting_on < today:
        raise AdviceError("The new meeting date must be today or later", field="meeting_on")
    requests = list(
        AdviceRequest.objects.select_for_update()
        .filter(review=review)
        .select_related("provider", "local_authority", "case")
        .order_by("pk")
    )
    due_on = review_advice_due(review, meeting_on=meeting_on)
    outstanding = AdviceItem.objects.filter(review=review, status=ItemStatus.OUTSTANDING).exists()
    if requests and outstanding and due_on < today:
        raise AdviceError(
            f"Health's report would then be due on {due_on:%-d %B %Y}, which has passed: choose a later date",
            field="meeting_on",
        )
    if any(due_on < advice_request.notified_on for advice_request in requests):
        raise AdviceError(
            f"Health's report would then be due on {due_on:%-d %B %Y}, before health was asked: choose a later date",
            field="meeting_on",
        )
    was = review.meeting_on
    review.meeting_on = meeting_on
    review.save(update_fields=["meeting_on", "updated_at"])
    for advice_request in requests:
        advice_request.due_on = due_on
        advice_request.save(update_fields=["due_on", "updated_at"])
    item_ids = list(AdviceItem.objects.filter(review=review).values_list("pk", flat=True))
    changed = items_reschedule(case=review.case, today=today, item_ids=item_ids) if item_ids else 0
    audit_record(
        user=by,
        action=AuditAction.CHANGE,
        case=review.case,
        obj=review,
        summary=f"Moved the review meeting from {was:%d/%m/%Y} to {meeting_on:%d/%m/%Y} ({reason}); "
        f"health's reports now due {due_on:%d/%m/%Y}",
    )
    for advice_request in requests:
        review_request_notify_spoc(advice_request=advice_request, review=review, moved=True)
    return changed
