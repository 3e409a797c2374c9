"""Deciding the sweep's transitions (escalation.sweep.transitions): pure functions of the items' dates,
each LA's rules and the day of the run. No database: the items are plain rows, as the sweep reads them."""

import datetime
from typing import NamedTuple

import pytest

from advice.models import Stage
from ehc.models import LocalAuthoritySettings
from ehc.workdays import WorkingCalendar
from escalation.models import EscalationStage, ResolutionKind
from escalation.rules import TimerRules
from escalation.sweep.transitions import ESCALATION_STAGE, ItemMove, stage_summary, transitions_decide

D = datetime.date
WESTMOOR, EASTCOMBE = 1, 2


class Row(NamedTuple):
    """The columns of a due item the sweep reads (escalation.sweep.stages.process_requests)."""

    id: int
    request_id: int
    stage: str
    due_on: datetime.date
    escalation_1_on: datetime.date | None = None
    escalation_2_resolution__kind: str | None = None
    team__name: str = "Speech and language therapy"


def rules(**settings):
    return TimerRules(la_settings=LocalAuthoritySettings(**settings), calendar=WorkingCalendar())


@pytest.fixture
def westmoor():
    return {WESTMOOR: rules()}


def test_an_item_due_on_new_years_day_is_chased_on_the_first_working_day_after(westmoor):
    item = Row(id=10, request_id=7, stage=Stage.REQUESTED, due_on=D(2027, 1, 1))
    decided = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 4))
    # Escalation 1 falls due 14 days after the due date; the heads of service's date is carried for escalation 2.
    assert decided.moves == [ItemMove(10, Stage.CHASED, D(2027, 1, 15), [Stage.CHASED], D(2027, 1, 18))]
    assert dict(decided.reached) == {(7, Stage.CHASED): [item]}


def test_before_its_chase_date_an_item_only_has_its_next_action_date_moved(westmoor):
    item = Row(id=10, request_id=7, stage=Stage.REQUESTED, due_on=D(2027, 1, 1))
    decided = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 1))
    assert decided.moves == [ItemMove(10, Stage.REQUESTED, D(2027, 1, 4), [], D(2027, 1, 15))]
    assert not decided.reached


def test_an_item_three_weeks_overdue_gets_its_chase_and_escalation_1_in_one_run_and_escalation_2_later(westmoor):
    item = Row(id=10, request_id=7, stage=Stage.REQUESTED, due_on=D(2027, 1, 1))
    decided = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 22))
    (move,) = decided.moves
    assert move.reached == [Stage.CHASED, Stage.ESCALATION_1]
    assert move.stage == Stage.ESCALATION_1
    # Escalation 2 counts from the letter's actual date (today), not from the due date.
    assert move.next_action_on == D(2027, 2, 5)
    assert set(decided.reached) == {(7, Stage.CHASED), (7, Stage.ESCALATION_1)}


def test_escalation_2_goes_two_weeks_after_the_letter_and_leaves_no_next_action(westmoor):
    item = Row(id=10, request_id=7, stage=Stage.ESCALATION_1, due_on=D(2027, 1, 1), escalation_1_on=D(2027, 1, 15))
    waiting = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 28))
    assert waiting.moves == [ItemMove(10, Stage.ESCALATION_1, D(2027, 1, 29), [], D(2027, 2, 11))]
    decided = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 29))
    assert decided.moves == [ItemMove(10, Stage.ESCALATION_2, None, [Stage.ESCALATION_2], D(2027, 2, 12))]


@pytest.mark.parametrize("kind", [ResolutionKind.AGREED_DATE, ResolutionKind.NOT_NEEDED])
def test_an_item_the_dco_resolved_before_escalation_2_has_no_timer_left(westmoor, kind):
    item = Row(
        id=10,
        request_id=7,
        stage=Stage.ESCALATION_1,
        due_on=D(2027, 1, 1),
        escalation_1_on=D(2027, 1, 15),
        escalation_2_resolution__kind=kind,
    )
    decided = transitions_decide([item], requests={7: WESTMOOR}, rules=westmoor, today=D(2027, 1, 29))
    assert decided.moves == [ItemMove(10, Stage.ESCALATION_1, None, [], None)]
    assert not decided.reached


def test_the_items_of_one_request_reaching_a_stage_together_share_one_escalation(westmoor):
    slt = Row(id=10, request_id=7, stage=Stage.REQUESTED, due_on=D(2027, 1, 1))
    ot = Row(id=11, request_id=7, stage=Stage.REQUESTED, due_on=D(2027, 1, 1), team__name="Occupational therapy")
    other = Row(id=12, request_id=8, stage=Stage.REQUESTED, due_on=D(2027, 1, 1))
    decided = transitions_decide(
        [slt, ot, other], requests={7: WESTMOOR, 8: WESTMOOR}, rules=westmoor, today=D(2027, 1, 4)
    )
    assert dict(decided.reached) == {(7, Stage.CHASED): [slt, ot], (8, Stage.CHASED): [other]}
    assert {ESCALATION_STAGE[stage] for _, stage in decided.reached} == {EscalationStage.CHASE}


def test_each_item_moves_under_its_own_las_rules():
    # Eastcombe closes on 4 January and gives the DCO five working days to answer escalation 1.
    eastcombe = TimerRules(
        la_settings=LocalAuthoritySettings(escalation_1_response_working_days=5),
        calendar=WorkingCalendar([D(2027, 1, 4)]),
    )
    ours = Row(id=10, request_id=7, stage=Stage.REQUESTED, due_on=D(2026, 12, 31))
    theirs = Row(id=11, request_id=8, stage=Stage.REQUESTED, due_on=D(2026, 12, 31))
    decided = transitions_decide(
        [ours, theirs],
        requests={7: WESTMOOR, 8: EASTCOMBE},
        rules={WESTMOOR: rules(), EASTCOMBE: eastcombe},
        today=D(2027, 1, 5),
    )
    assert [move.next_action_on for move in decided.moves] == [D(2027, 1, 14), D(2027, 1, 14)]
    assert decided.response_due[WESTMOOR][EscalationStage.ESCALATION_1] == D(2027, 1, 8)
    assert decided.response_due[EASTCOMBE][EscalationStage.ESCALATION_1] == D(2027, 1, 12)
    # Westmoor's chase fell on 4 January and is taken late today; Eastcombe's is today, its first working day.
    assert set(decided.reached) == {(7, Stage.CHASED), (8, Stage.CHASED)}


def test_the_audit_lines_name_the_step_in_the_process():
    teams = "Occupational therapy, Speech and language therapy"
    assert stage_summary(
        stage=EscalationStage.CHASE, teams=teams, issued_on=D(2027, 1, 4), response_due_on=None, is_new=True
    ) == f"Chase sent to the SPOC: {teams}"
    assert stage_summary(
        stage=EscalationStage.ESCALATION_1,
        teams=teams,
        issued_on=D(2027, 1, 15),
        response_due_on=D(2027, 1, 20),
        is_new=True,
    ) == f"Escalation 1 letter issued to the provider's director, response due 20 Jan 2027: {teams}"
    assert stage_summary(
        stage=EscalationStage.ESCALATION_2,
        teams=teams,
        issued_on=D(2027, 1, 29),
        response_due_on=D(2027, 2, 12),
        is_new=True,
    ) == f"Escalation 2: escalated inside health, heads of service to respond by 12 Feb 2027: {teams}"
    assert stage_summary(
        stage=EscalationStage.CHASE, teams="Physiotherapy", issued_on=D(2027, 1, 4), response_due_on=None, is_new=False
    ) == "Physiotherapy: reached chase, covered by the chase of 4 Jan 2027"
