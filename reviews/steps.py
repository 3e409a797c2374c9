"""A review's statutory steps as the case page and the review's page show them: each with its due
date, RAG, and the page that records it when it is the case officer's to record now."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from assessments import review_schedule
from ehc.workdays import WorkingCalendar

# The page that records each step (the invitations page is the advice app's, when it has one).
STEP_URLS = {
    "meeting": "reviews:held",
    "invitations": "reviews:invitations",
    "report": "reviews:report",
    "decision": "reviews:decision",
    "amended_plan": "reviews:amended_plan",
}


def invitations_due_on(review, *, la_settings, calendar: WorkingCalendar):
    """The last working day to send the invitations and requests for advice for the planned
    meeting: they go together, so the longer of the LA's notice and health's (reg. 20(3); health's 6
    weeks, Torbay's ask). None until a meeting is arranged."""
    if review.meeting_on is None:
        return None
    return review_schedule.invitations_send_by(
        review.meeting_on,
        la_settings.review_notice_weeks,
        la_settings.review_health_notice_weeks,
        calendar.is_working_day,
    )


def _url(name, review):
    try:
        return reverse(name, args=[review.pk])
    except NoReverseMatch:  # the invitations page, before the advice app adds it
        return None


def _actionable(review, key) -> bool:
    """Whether the step is the next to record (so its link shows)."""
    if not review.is_open:
        return False
    if key == "meeting":
        return review.held_on is None
    if key == "invitations":
        # They name the meeting's date: sent once it is arranged.
        return review.meeting_on is not None and review.held_on is None and review.invitations_sent_on is None
    if key == "report":
        return review.held_on is not None and review.report_circulated_on is None
    if key == "decision":
        return review.report_circulated_on is not None and not review.decision
    return review.decision == "amend" and review.amended_plan_issued_on is None


@dataclass(frozen=True)
class StepRow:
    step: object
    rag: str
    days_late: int
    url: str | None

    @property
    def late(self):
        return self.days_late > 0


def step_rows(review, *, today, la_settings, calendar, can_edit: bool) -> list[StepRow]:
    rows = []
    for step in review.steps(invitations_due_on=invitations_due_on(review, la_settings=la_settings, calendar=calendar)):
        url = _url(STEP_URLS[step.key], review) if can_edit and _actionable(review, step.key) else None
        rows.append(StepRow(step=step, rag=step.rag(today), days_late=step.days_late(today), url=url))
    return rows


@dataclass
class ReviewView:
    """One review as a page shows it."""

    review: object
    steps: list
    preparing_for_adulthood: bool
    meeting_late: bool
    next_step: StepRow | None
    # Where the meeting's date is set: arranged here before the invitations go; after, moved on the
    # advice side's page (which tells everyone invited), when there is one.
    meeting_url: str | None = None
    meeting_link_text: str = ""


def review_view(review, *, date_of_birth, today, la_settings, calendar, can_edit) -> ReviewView:
    rows = step_rows(review, today=today, la_settings=la_settings, calendar=calendar, can_edit=can_edit)
    meeting_url, meeting_link_text = None, ""
    if can_edit and review.is_open and review.held_on is None:
        if review.invitations_sent_on is None:
            meeting_url = _url("reviews:meeting", review)
            meeting_link_text = "Change the meeting date" if review.meeting_on else "Arrange the meeting"
        else:
            meeting_url = _url("reviews:meeting_move", review)
            meeting_link_text = "Move the meeting"
    return ReviewView(
        review=review,
        steps=rows,
        preparing_for_adulthood=review.covers_preparing_for_adulthood(date_of_birth),
        meeting_late=review.meeting_on is not None and review.meeting_on > review.due_on,
        next_step=next((row for row in rows if row.url), None),
        meeting_url=meeting_url,
        meeting_link_text=meeting_link_text,
    )
