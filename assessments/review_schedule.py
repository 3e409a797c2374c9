"""The annual review's dates: pure functions of dates, tested exhaustively like `timeline`.

The rules and where each number comes from are in docs/decisions/0044-annual-reviews.md:
- a plan is reviewed within 12 months of its issue and of the previous review (Children and Families
  Act 2014 s.44(1)); for a child under 5, within 6 months (the outer end of the Code of Practice's
  "every three to six months", 9.178);
- with the LA's birthday alignment (Torbay's ask), the review is due by the child's birthday that
  falls in the second half of that period, else at the limit, which then lies in the months before
  the next birthday;
- at least 2 weeks' notice of the meeting (reg. 20(3)), health at least 6 weeks' (the LA's setting);
  advice in and circulated at least 2 weeks before the meeting (reg. 20(4));
- the report within 2 weeks of the meeting (reg. 20(7)); the LA's decision within 4 weeks
  (reg. 20(10)); an amended plan within 12 weeks of the meeting (reg. 22(3) read with 20(10):
  R (L, M and P) v Devon CC [2022] EWHC 493 (Admin)).
"""

import calendar
import datetime

REVIEW_MONTHS = 12
UNDER_FIVE_REVIEW_MONTHS = 6
UNDER_FIVE_AGE = 5
REPORT_DAYS = 14
DECISION_DAYS = 28
AMENDED_PLAN_DAYS = 84
# Year 9 and later: every review covers preparing for adulthood (Code of Practice 8.9, 9.166).
PREPARING_FOR_ADULTHOOD_YEAR = 9


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day where it has no such day (31 Aug + 6
    months is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday_in(date_of_birth: datetime.date, year: int) -> datetime.date:
    """The child's birthday in `year`. Born on 29 February: 28 February in a year with no 29th, so
    that a review due "by the birthday" is on time however the birthday is reckoned."""
    if date_of_birth.month == 2 and date_of_birth.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return date_of_birth.replace(year=year)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day`. Born on 29 February: a year older on 1 March in a year with no
    29th (Family Law Reform Act 1969 s.9: at the start of the anniversary)."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def review_months(date_of_birth: datetime.date, anchor: datetime.date) -> int:
    """6 months for a child under 5 on the day the period starts, else 12."""
    return UNDER_FIVE_REVIEW_MONTHS if age_on(date_of_birth, anchor) < UNDER_FIVE_AGE else REVIEW_MONTHS


def review_limit(date_of_birth: datetime.date, anchor: datetime.date) -> datetime.date:
    """The last day the review meeting may be held: 12 (or 6) months after the plan's issue or the
    previous review's meeting."""
    return add_months(anchor, review_months(date_of_birth, anchor))


def review_due(date_of_birth: datetime.date, anchor: datetime.date, *, birthday_alignment: bool) -> datetime.date:
    """When the review meeting is due. Without alignment: the limit. With it: the child's birthday
    when one falls in the second half of the period (never later than the limit, never so early that
    the plan has barely run); else the limit, which then falls in the half-period before the next
    birthday, so later reviews stay in the window before the birthday."""
    limit = review_limit(date_of_birth, anchor)
    if not birthday_alignment:
        return limit
    earliest = add_months(anchor, review_months(date_of_birth, anchor) // 2)
    birthday = birthday_in(date_of_birth, limit.year)
    if birthday > limit:
        birthday = birthday_in(date_of_birth, limit.year - 1)
    return birthday if birthday >= earliest else limit


def school_year(date_of_birth: datetime.date, day: datetime.date) -> int:
    """The National Curriculum year group on `day` for a child in their chronological cohort: the
    age on 31 August before the school year began, less 4 (Reception is 0, year 9 is 13 then)."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return age_on(date_of_birth, datetime.date(start_year, 8, 31)) - 4


def covers_preparing_for_adulthood(date_of_birth: datetime.date, day: datetime.date) -> bool:
    """From year 9 on, a review must cover preparing for adulthood and health plans the move to adult
    services."""
    return school_year(date_of_birth, day) >= PREPARING_FOR_ADULTHOOD_YEAR


def working_day_on_or_before(day: datetime.date, is_working_day) -> datetime.date:
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def notice_send_by(meeting: datetime.date, weeks: int, is_working_day) -> datetime.date:
    """The last working day on which `weeks` weeks' notice of the meeting can still be given: a
    notice due on a weekend, bank holiday or closure day goes the working day before."""
    return working_day_on_or_before(meeting - datetime.timedelta(weeks=weeks), is_working_day)


def invitations_send_by(meeting: datetime.date, notice_weeks: int, health_notice_weeks: int, is_working_day):
    """The one day the review's invitations and requests for advice are due: they go together, so by
    the longer of the LA's notice (reg. 20(3)) and health's (Torbay's ask), on the working day before
    when that day is not one. The case page, the work list and the invitations page all show this."""
    return notice_send_by(meeting, max(notice_weeks, health_notice_weeks), is_working_day)


def advice_due_by(meeting: datetime.date, days_before: int, is_working_day) -> datetime.date:
    """The day the advice givers' reports are due: `days_before` the meeting, on the working day
    before when that day is not one."""
    return working_day_on_or_before(meeting - datetime.timedelta(days=days_before), is_working_day)


def report_due(meeting: datetime.date) -> datetime.date:
    return meeting + datetime.timedelta(days=REPORT_DAYS)


def decision_due(meeting: datetime.date) -> datetime.date:
    return meeting + datetime.timedelta(days=DECISION_DAYS)


def amended_plan_due(meeting: datetime.date) -> datetime.date:
    return meeting + datetime.timedelta(days=AMENDED_PLAN_DAYS)
