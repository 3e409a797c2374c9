"""The statutory timeline of an EHC needs assessment (SEND Regulations 2014, Code of Practice 2015).

Weeks are calendar weeks from the date the LA received the request. These are pure
functions of dates so they can be tested exhaustively (leap years, month ends) and
reused by reports without loading cases.
"""

import datetime
from dataclasses import dataclass

WEEK = datetime.timedelta(weeks=1)
DECISION_WEEKS = 6
ADVICE_WEEKS = 6
NOTICE_NOT_TO_ISSUE_WEEKS = 16
FINAL_PLAN_WEEKS = 20
DRAFT_COMMENT_DAYS = 15


def decision_due(received: datetime.date) -> datetime.date:
    return received + DECISION_WEEKS * WEEK


def notice_not_to_issue_due(received: datetime.date) -> datetime.date:
    return received + NOTICE_NOT_TO_ISSUE_WEEKS * WEEK


def final_plan_due(received: datetime.date) -> datetime.date:
    return received + FINAL_PLAN_WEEKS * WEEK


def draft_plan_latest(received: datetime.date) -> datetime.date:
    """The last day a draft can be sent and still leave the family its 15 days before week 20."""
    return final_plan_due(received) - datetime.timedelta(days=DRAFT_COMMENT_DAYS)


def comment_period_ends(draft_sent: datetime.date) -> datetime.date:
    return draft_sent + datetime.timedelta(days=DRAFT_COMMENT_DAYS)


def advice_due(asked: datetime.date, period_days: int = ADVICE_WEEKS * 7) -> datetime.date:
    return asked + datetime.timedelta(days=period_days)


class Rag:
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    DONE = "done"


AMBER_DAYS = 14


def rag_status(due: datetime.date, done_on: datetime.date | None, today: datetime.date) -> str:
    """Red: missed (done late, or not done and past due). Amber: due within 2 weeks. Green otherwise."""
    if done_on is not None:
        return Rag.DONE if done_on <= due else Rag.RED
    if today > due:
        return Rag.RED
    if (due - today).days <= AMBER_DAYS:
        return Rag.AMBER
    return Rag.GREEN


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    due: datetime.date | None
    done_on: datetime.date | None
    outcome: str = ""
    applies: bool = True

    def rag(self, today):
        if self.due is None or not self.applies:
            return Rag.DONE if self.done_on else Rag.GREEN
        return rag_status(self.due, self.done_on, today)

    def days_late(self, today):
        if self.due is None:
            return 0
        end = self.done_on or today
        return max(0, (end - self.due).days)
