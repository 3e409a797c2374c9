"""Workflows of health advice: request, acknowledge, return, not provided, exception, stop timers,
and the draft plan that waits for them (the drafting gate).

Every workflow that creates advice items, or that depends on there being none outstanding,
locks the case row first: the drafting gate and the SPOC adding a team cannot then pass each
other in two concurrent transactions.

One module per step; every name is re-exported here, so `from advice import services` and
`from advice.services import X` keep working.
"""

from .acknowledgement import (
    ACKNOWLEDGE_AT_ONCE,
    NOT_INVOLVED,
    Acknowledgement,
    SeveralAcknowledgeError,
    TeamAnswer,
    acknowledgement_open,
    advice_acknowledge,
    advice_acknowledge_several,
    advice_acknowledged_notify,
    advice_team_notify,
    advice_teams_notify,
)
from .amendments import advice_return_amend
from .answers import advice_exception_record, advice_not_provided, advice_return, advice_returned_notify
from .common import TIMER_EMAIL_KINDS, AdviceError, DraftGateClosed, advice_items_cancel_for_case, advice_timers_stop
from .drafts import draft_comment_add, draft_plan_record, draft_shared_notify
from .requests import advice_request_notify_spoc, advice_request_send, missing_services, teams_for_services
from .return_drafts import SignOffRequired, return_draft_save
from .review_requests import (
    review_advice_due,
    review_advice_request_send,
    review_request_notify_spoc,
    review_teams,
)
from .sign_off import return_send_back, return_send_for_sign_off, return_sign_off

__all__ = [
    "ACKNOWLEDGE_AT_ONCE",
    "Acknowledgement",
    "NOT_INVOLVED",
    "SeveralAcknowledgeError",
    "advice_acknowledge_several",
    "TIMER_EMAIL_KINDS",
    "AdviceError",
    "DraftGateClosed",
    "TeamAnswer",
    "acknowledgement_open",
    "advice_acknowledge",
    "advice_acknowledged_notify",
    "advice_team_notify",
    "advice_teams_notify",
    "advice_exception_record",
    "advice_items_cancel_for_case",
    "advice_not_provided",
    "advice_request_notify_spoc",
    "advice_request_send",
    "advice_return",
    "advice_return_amend",
    "advice_returned_notify",
    "advice_timers_stop",
    "draft_comment_add",
    "draft_plan_record",
    "draft_shared_notify",
    "return_draft_save",
    "review_advice_due",
    "review_advice_request_send",
    "review_request_notify_spoc",
    "review_teams",
    "return_send_back",
    "return_send_for_sign_off",
    "return_sign_off",
    "SignOffRequired",
    "missing_services",
    "teams_for_services",
]
