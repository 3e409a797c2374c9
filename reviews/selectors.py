"""The LA's review work lists: one definition of each, as a condition over `AnnualReview`, read by the
work list page, the home page's counts and the review reports alike (decision 0037: one definition of
each count). Every date is computed by PostgreSQL from the row and the LA's settings, so a list pages,
and all the lists count, in one query each whatever the number of reviews.

The lists (docs/decisions/0044-annual-reviews.md for the periods):
- due: open, the meeting not held, due within the next 12 weeks or already past its date;
- invitations: open, not held, invitations not sent, and the day notice must go (the longer of the
  LA's `review_notice_weeks` and `review_health_notice_weeks` before the meeting, or before the due
  date while no meeting is arranged) has come or is within the next 2 weeks;
- reports: held, the report not circulated, and its 2 weeks after the meeting passed;
- decisions: held, no decision notified, and its 4 weeks after the meeting passed;
- amended_plans: the decision to amend, the amended plan not issued, its 12 weeks after the meeting passed.
A step's date "passed" means today is after it: on the due day itself the step is not late.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import LessThanOrEqual

from assessments import review_schedule
from assessments.models import AnnualReview, ReviewDecision
from assessments.timeline import AMBER_DAYS, rag_status
from ehc.access import la_cases_q
from ehc.models import LocalAuthoritySettings
from ehc.pagination import PAGE_SIZE, Page
from ehc.sorting import SURNAME_WORDS, SortKey, sort_read, sorted_page, text_key
from ehc.workdays import WorkingCalendar

DUE_WITHIN_WEEKS = 12
# Invitations are listed this long before the day they must go, as the caseload's "due soon" (amber) is.
INVITATIONS_AHEAD_DAYS = AMBER_DAYS
DEFAULT_NOTICE_WEEKS = LocalAuthoritySettings._meta.get_field("review_notice_weeks").default
DEFAULT_HEALTH_NOTICE_WEEKS = LocalAuthoritySettings._meta.get_field("review_health_notice_weeks").default


@dataclass(frozen=True)
class WorkList:
    key: str
    label: str
    # The caption of the page's table, which the home page's tests read.
    caption: str
    # The step the list is about, whose due date the list's rows show.
    step: str


WORK_LISTS = (
    WorkList("due", f"Due in the next {DUE_WITHIN_WEEKS} weeks", "Reviews due", "meeting"),
    WorkList("invitations", "Invitations not yet sent", "Invitations not yet sent", "invitations"),
    WorkList("reports", "Reports not circulated in time", "Reports not circulated in time", "report"),
    WorkList("decisions", "Decisions overdue", "Decisions overdue", "decision"),
    WorkList("amended_plans", "Amended plans overdue", "Amended plans overdue", "amended_plan"),
)
LISTS_BY_KEY = {work_list.key: work_list for work_list in WORK_LISTS}
DEFAULT_LIST = "due"


def work_list_read(value) -> WorkList:
    """The list `?list=` names; anything else is the first list, never an error (a stale bookmark)."""
    return LISTS_BY_KEY.get((value or "").strip(), LISTS_BY_KEY[DEFAULT_LIST])


def notice_on():
    """The day the review's invitations and requests for advice are due, in calendar days: the longer
    of the LA's notice and health's (`review_schedule.invitations_send_by`, which the rows then move
    to the working day before) before the meeting, or before the due date while no meeting is
    arranged. In SQL (date - integer is a date in PostgreSQL); the defaults stand for an LA with no
    settings row yet."""
    weeks = Greatest(
        Coalesce(F("local_authority__la_settings__review_notice_weeks"), Value(DEFAULT_NOTICE_WEEKS)),
        Coalesce(F("local_authority__la_settings__review_health_notice_weeks"), Value(DEFAULT_HEALTH_NOTICE_WEEKS)),
    )
    return ExpressionWrapper(Coalesce(F("meeting_on"), F("due_on")) - weeks * Value(7), output_field=DateField())


OPEN = Q(closed_on__isnull=True)
NOT_HELD = OPEN & Q(held_on__isnull=True)
HELD = OPEN & Q(held_on__isnull=False)


def _days(days):
    return datetime.timedelta(days=days)


def work_list_q(key: str, *, today: datetime.date) -> Q:
    """The condition of the list named `key` on `today`."""
    if key == "due":
        return NOT_HELD & Q(due_on__lte=today + datetime.timedelta(weeks=DUE_WITHIN_WEEKS))
    if key == "invitations":
        return (
            NOT_HELD
            & Q(invitations_sent_on__isnull=True)
            & Q(LessThanOrEqual(notice_on(), today + _days(INVITATIONS_AHEAD_DAYS)))
        )
    if key == "reports":
        return HELD & Q(report_circulated_on__isnull=True, held_on__lt=today - _days(review_schedule.REPORT_DAYS))
    if key == "decisions":
        return HELD & Q(decision_notified_on__isnull=True, held_on__lt=today - _days(review_schedule.DECISION_DAYS))
    if key == "amended_plans":
        return HELD & Q(
            decision=ReviewDecision.AMEND,
            amended_plan_issued_on__isnull=True,
            held_on__lt=today - _days(review_schedule.AMENDED_PLAN_DAYS),
        )
    raise ValueError(f"No review work list {key!r}")


def visible_reviews(user):
    """The reviews of the user's own LA that they may see: its cases by the need-to-know rule of
    `ehc.access.la_cases_q` (a case officer of an LA that restricts access sees their own and
    unassigned cases' reviews only); nobody outside the LA, or without a case-work role, sees any."""
    if user.organisation_id is None or not user.organisation.is_la:
        return AnnualReview.objects.none()
    return AnnualReview.objects.filter(la_cases_q(user, la_field="local_authority_id", case_prefix="case__"))


def work_list_reviews(*, user, today: datetime.date, key: str, mine=False):
    """The rows of one list, unordered and unpaginated: the page pages it, the home page counts it."""
    reviews = visible_reviews(user).filter(work_list_q(key, today=today))
    if mine:
        reviews = reviews.filter(case__case_officer=user)
    return reviews


def work_list_counts(*, user, today: datetime.date, mine=False) -> dict:
    """Every list's count in one query: each is `work_list_reviews(...).count()` for its key, the
    same conditions counted side by side (tests/reviews/test_lists.py checks they agree)."""
    reviews = visible_reviews(user)
    if mine:
        reviews = reviews.filter(case__case_officer=user)
    return reviews.aggregate(
        **{work_list.key: Count("id", filter=work_list_q(work_list.key, today=today)) for work_list in WORK_LISTS}
    )


# The columns a user may sort by (?sort=meeting). The default is the date the list is about: the
# due date before the meeting, the meeting's date after it (each step's date is the meeting + a fixed
# period, so the meeting's order is the step's).
SORT_KEYS = (
    SortKey("due", "due_on"),
    SortKey("meeting", "meeting_on", nullable=True),
    SortKey("held", "held_on", nullable=True),
    text_key("reference", "case__reference", nullable=True),
    text_key("child", "case__child__last_name", **SURNAME_WORDS),
)
DEFAULT_SORTS = {"due": "due", "invitations": "due", "reports": "held", "decisions": "held", "amended_plans": "held"}

ROW_COLUMNS = (
    "id",
    "case_id",
    "local_authority_id",
    "kind",
    "due_on",
    "meeting_on",
    "invitations_sent_on",
    "held_on",
    "report_circulated_on",
    "decision",
    "decision_notified_on",
    "amended_plan_issued_on",
    "closed_on",
    "case__reference",
    "case__case_officer_id",
    "case__child__first_name",
    "case__child__last_name",
    "case__case_officer__first_name",
    "case__case_officer__last_name",
    "case__case_officer__username",
)


def work_list_sort(value, *, key: str):
    return sort_read(value, SORT_KEYS, DEFAULT_SORTS[key])


@dataclass
class NextStep:
    label: str
    due: datetime.date
    rag: str


STEP_LABELS = {
    "invitations": "Send the invitations",
    "meeting": "Hold the review meeting",
    "report": "Circulate the review report",
    "decision": "Notify the decision",
    "amended_plan": "Issue the amended plan",
}


def _step_due(review, step):
    return {
        "invitations": review.notice_on,
        "meeting": review.due_on,
        "report": review.report_due_on,
        "decision": review.decision_due_on,
        "amended_plan": review.amended_plan_due_on,
    }[step]


def _outstanding_steps(review):
    """The steps still to do, in the order of the statutory sequence."""
    if review.held_on is None:
        return ["invitations", "meeting"] if review.invitations_sent_on is None else ["meeting"]
    steps = []
    if review.report_circulated_on is None:
        steps.append("report")
    if review.decision_notified_on is None:
        steps.append("decision")
    elif review.decision == ReviewDecision.AMEND and review.amended_plan_issued_on is None:
        steps.append("amended_plan")
    return steps


def next_step(review, *, today: datetime.date, step: str | None = None) -> NextStep | None:
    """The step a row shows: the list's own (what the row is listed for), else the earliest outstanding."""
    steps = _outstanding_steps(review)
    if step not in steps:
        step = min(steps, key=lambda name: _step_due(review, name)) if steps else None
    if step is None:
        return None
    due = _step_due(review, step)
    return NextStep(STEP_LABELS[step], due, rag_status(due, None, today))


def work_list_page(
    *, user, today: datetime.date, key: str, mine=False, sort=None, cursor=None, page_size=PAGE_SIZE
) -> Page:
    """One page of a list in the chosen order, each row with its next step: one query."""
    work_list = LISTS_BY_KEY[key]
    reviews = (
        work_list_reviews(user=user, today=today, key=key, mine=mine)
        .select_related("case__child", "case__case_officer")
        .only(*ROW_COLUMNS)
        .annotate(notice_on=notice_on())
    )
    page = sorted_page(reviews, sort or work_list_sort(None, key=key), cursor, page_size)
    # The rows are the user's own LA's: one calendar moves each notice day to a working day.
    is_working_day = WorkingCalendar.for_la(user.organisation_id).is_working_day if page.rows else None
    for review in page.rows:
        review.notice_on = review_schedule.working_day_on_or_before(review.notice_on, is_working_day)
        review.next_step = next_step(review, today=today, step=work_list.step)
    return page
