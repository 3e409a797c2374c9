"""The timing rules of the Torbay process (DOMAIN.md, "Timing rules the project follows") as pure
functions of dates, one LA's settings and that LA's working calendar.

How the sweep (escalation.sweep) uses them:

- `AdviceItem.next_action_on` is the date of the item's earliest action not yet taken, or NULL
  when the sweep has nothing more to do for it. The advice flow creates items with
  `next_action_on = due_on`; the first sweep on or after that day finds the chase date not yet
  reached and only moves `next_action_on` to it.
- An item's pending actions follow from its stage alone:

      REQUESTED     chase on the chase date (the first working day after the due date), then
                    escalation 1; the chase is skipped if escalation 1 falls first
      CHASED        escalation 1 on the first working day on or after due + 14 days
      ESCALATION_1  escalation 2 on the first working day on or after the letter's date + 14 days
      ESCALATION_2  nothing: `next_action_on` becomes NULL

  A claimed item takes every action whose date has come, in date order, each dated with the
  day of the run, the working day the message is issued. Escalation 2 counts from the letter's
  actual date, so a late escalation 1 never brings escalation 2 with it: an item three weeks
  overdue gets its chase and its escalation 1 in one run, and never a second chase.
- The sweep only acts on the LA's working days, so "the day of the run" is always one.
- After escalation 2 the item stays outstanding, on every list, until its advice is returned or
  a head of service records that it will not be provided; the sweep needs nothing more from it.
  Both response windows (the DCO's answer to escalation 1, the heads of service's answer to
  escalation 2) belong to the request, so their deadline is `Escalation.response_due_on`, not an
  item date. A window that passes unanswered is a flag computed from dates on every list
  (`Escalation.response_overdue`, `item_flags`), and the sweep sends one email about it to the
  AD Education, once: `Escalation.response_overdue_notified` is its compare-and-set. A promised
  date (outcome A) that passes without the advice is a flag computed from dates too.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from advice.models import STAGE_ORDER, Stage
from ehc.workdays import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
ONE_WEEK = datetime.timedelta(weeks=1)


@dataclass(frozen=True)
class Action:
    stage: Stage
    on: datetime.date


@dataclass
class Plan:
    """What one sweep run does to one item: the stages it reaches today, and its next action date."""

    stages: list = field(default_factory=list)
    next_action_on: datetime.date | None = None


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


class TimerRules:
    """The rules for one LA, built once per sweep from its settings and calendar."""

    def __init__(self, *, la_settings, calendar: WorkingCalendar):
        self.settings = la_settings
        self.calendar = calendar

    @classmethod
    def for_la(cls, la):
        from ehc.models import LocalAuthoritySettings

        return cls(la_settings=LocalAuthoritySettings.for_la(la), calendar=WorkingCalendar.for_la(la.pk))

    def chase_on(self, due_on: datetime.date) -> datetime.date:
        days = self.settings.chase_after_due_working_days
        return self.calendar.on_or_after(self.calendar.add_working_days(due_on, days))

    def escalation_1_on(self, due_on: datetime.date) -> datetime.date:
        offset = datetime.timedelta(days=self.settings.escalation_1_after_due_days)
        return self.calendar.on_or_after(due_on + offset)

    def escalation_1_response_due(self, letter_on: datetime.date) -> datetime.date:
        return self.calendar.add_working_days(letter_on, self.settings.escalation_1_response_working_days)

    def escalation_2_on(self, escalation_1_on: datetime.date) -> datetime.date:
        offset = datetime.timedelta(days=self.settings.escalation_2_after_escalation_1_days)
        return self.calendar.on_or_after(escalation_1_on + offset)

    def head_of_service_response_due(self, escalation_2_on: datetime.date) -> datetime.date:
        days = self.settings.head_of_service_response_working_days
        return self.calendar.add_working_days(escalation_2_on, days)

    def next_action(self, *, stage, due_on, escalation_1_on=None) -> Action | None:
        if stage == Stage.REQUESTED:
            chase, escalation = self.chase_on(due_on), self.escalation_1_on(due_on)
            if chase <= escalation:
                return Action(Stage.CHASED, chase)
            return Action(Stage.ESCALATION_1, escalation)
        if stage == Stage.CHASED:
            return Action(Stage.ESCALATION_1, self.escalation_1_on(due_on))
        if stage == Stage.ESCALATION_1:
            return Action(Stage.ESCALATION_2, self.escalation_2_on(escalation_1_on))
        return None

    def plan(self, *, stage, due_on, escalation_1_on, today: datetime.date) -> Plan:
        """Every action due by `today`, in date order, each taken today; then the next action date."""
        plan = Plan()
        # One pass per stage at most: the loop cannot run away whatever the settings.
        for _ in STAGE_ORDER:
            action = self.next_action(stage=stage, due_on=due_on, escalation_1_on=escalation_1_on)
            if action is None:
                return plan
            if action.on > today:
                plan.next_action_on = action.on
                return plan
            plan.stages.append(action.stage)
            stage = action.stage
            if stage == Stage.ESCALATION_1:
                escalation_1_on = today
        return plan

    # The weekly chase digest

    def digest_at(self, week: datetime.date) -> datetime.datetime:
        """When the digest of the week starting `week` goes: its weekday and time, or the same time on
        the next working day when that day is not one."""
        nominal = week + datetime.timedelta(days=self.settings.digest_weekday)
        day = self.calendar.on_or_after(nominal)
        return datetime.datetime.combine(day, self.settings.digest_time, tzinfo=LONDON)

    def digest_first_on_or_after(self, day: datetime.date) -> datetime.datetime:
        """The first digest instant on `day` or later (the starting point of a new LA)."""
        week = week_of(day) - ONE_WEEK
        while self.digest_at(week).date() < day:
            week += ONE_WEEK
        return self.digest_at(week)

    def digest_latest_week(self, now: datetime.datetime) -> datetime.date | None:
        """The latest week whose digest instant has come by `now`: what a run at `now` sends."""
        week = week_of(now.astimezone(LONDON).date()) + ONE_WEEK
        for _ in range(8):
            if self.digest_at(week) <= now:
                return week
            week -= ONE_WEEK
        return None

    def digest_next_after(self, now: datetime.datetime) -> datetime.datetime:
        week = week_of(now.astimezone(LONDON).date()) - ONE_WEEK
        while self.digest_at(week) <= now:
            week += ONE_WEEK
        return self.digest_at(week)
