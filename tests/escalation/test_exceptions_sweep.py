"""Exceptions stop the clock, by time travel (decision 0017): the sweep fires nothing for an excepted
item while the exception runs, and fires on the moved dates after it ends."""

import datetime

import pytest
import time_machine

from advice.models import AdviceItem, ItemStatus, Stage
from advice.services import advice_return
from assessments.models import ExceptionReason
from ehc.models import MessageKind, OutboundEmail
from escalation.exceptions import exception_change, exception_end, exception_record
from escalation.models import Letter, StageChange
from escalation.selectors import digest_rows
from escalation.sweep.digest import spoc_digest_groups
from escalation.sweep.promises import promises_passed

from ..factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory
from .conftest import sweep

pytestmark = pytest.mark.django_db

D = datetime.date
# Notified Monday 2 March 2026: due Monday 13 April, chase Tuesday 14 April, escalation 1 Monday
# 27 April, its response due Thursday 30 April, escalation 2 Monday 11 May.
NOTIFIED = D(2026, 3, 2)


def on(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC), tick=False)


def asked(world, *, notified_on=NOTIFIED, teams=None):
    """The request and its items as the advice flow makes them on the day the SPOC is notified."""
    with on(notified_on):
        case = CaseFactory(
            local_authority=world.la, last_name="O'Neill", received_on=notified_on - datetime.timedelta(days=7)
        )
        request = AdviceRequestFactory(
            case=case, provider=world.provider, notified_on=notified_on, requested_by=world.case_officer
        )
        items = [
            AdviceItemFactory(request=request, team=team, named_by_family=True, next_action_on=request.due_on)
            for team in teams or [world.slt]
        ]
    return case, items


def excepted(world, case, *, recorded_on, starts_on, ends_on=None, items=(), reason=ExceptionReason.MISSED_APPOINTMENT):
    with on(recorded_on):
        return exception_record(
            case=case,
            user=world.case_officer,
            reason=reason,
            detail="Missed the SLT assessment; a new one is booked",
            agreed_by="Siobhan O'Neill, SEND manager",
            starts_on=starts_on,
            ends_on=ends_on,
            covers_all_advice=not items,
            items=items,
        )


def stages(item):
    return list(StageChange.objects.filter(item=item).order_by("on", "id").values_list("stage", "on"))


def test_an_exception_inside_the_window_moves_the_chase_and_escalation_1(world):
    case, [item] = asked(world)
    excepted(world, case, recorded_on=D(2026, 3, 9), starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 19))
    item.refresh_from_db()
    # 10 excepted days: due 23 April, chase Friday 24 April, escalation 1 on or after 7 May.
    assert (item.due_on, item.next_action_on) == (D(2026, 4, 23), D(2026, 4, 24))
    for day in (D(2026, 4, 14), D(2026, 4, 23)):
        sweep(day)
    assert stages(item) == []
    sweep(D(2026, 4, 24))
    assert stages(item) == [(Stage.CHASED, D(2026, 4, 24))]
    sweep(D(2026, 4, 27))
    assert len(stages(item)) == 1
    sweep(D(2026, 5, 7))
    assert stages(item)[-1] == (Stage.ESCALATION_1, D(2026, 5, 7))


def test_a_running_exception_fires_nothing_and_the_timers_resume_from_the_moved_dates(world):
    case, [item] = asked(world)
    sweep(D(2026, 4, 14))
    assert stages(item) == [(Stage.CHASED, D(2026, 4, 14))]
    exception = excepted(world, case, recorded_on=D(2026, 4, 20), starts_on=D(2026, 4, 20))
    for day in (D(2026, 4, 27), D(2026, 4, 28), D(2026, 4, 30)):
        sweep(day)
        assert digest_rows(la_id=world.la.pk, today=day) == []
        assert spoc_digest_groups(provider_ids=[world.provider.pk], today=day) == ([], 0)
    assert stages(item) == [(Stage.CHASED, D(2026, 4, 14))]
    assert not OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1).exists()
    # Ended on Friday 1 May: 12 excepted days, all after the due date (which stays) and before the
    # letter's date (27 April), which moves to 9 May: Monday 11 May.
    with on(D(2026, 5, 1)):
        exception_end(exception=exception, user=world.case_officer, ends_on=D(2026, 5, 1))
    item.refresh_from_db()
    assert (item.due_on, item.next_action_on) == (D(2026, 4, 13), D(2026, 5, 11))
    assert [row["id"] for row in digest_rows(la_id=world.la.pk, today=D(2026, 5, 5))] == [item.pk]
    sweep(D(2026, 5, 8))
    assert stages(item)[-1][0] == Stage.CHASED
    sweep(D(2026, 5, 11))
    assert stages(item)[-1] == (Stage.ESCALATION_1, D(2026, 5, 11))


def test_an_exception_over_a_bank_holiday_counts_the_holidays_and_chases_on_a_working_day(world):
    # Notified 20 November 2026: due New Year's Day 2027 (a bank holiday), chased Monday 4 January.
    case, [item] = asked(world, notified_on=D(2026, 11, 20))
    excepted(world, case, recorded_on=D(2026, 12, 23), starts_on=D(2026, 12, 25), ends_on=D(2026, 12, 28))
    item.refresh_from_db()
    # Christmas Day, Boxing Day, Sunday and the substitute Monday: 4 days. Due Tuesday 5 January.
    assert (item.due_on, item.next_action_on) == (D(2027, 1, 5), D(2027, 1, 6))
    sweep(D(2027, 1, 4))
    sweep(D(2027, 1, 5))
    assert stages(item) == []
    sweep(D(2027, 1, 6))
    assert stages(item) == [(Stage.CHASED, D(2027, 1, 6))]


def test_overlapping_exceptions_count_each_day_once_and_one_team_can_be_excepted(world):
    case, [slt, ot] = asked(world, teams=[world.slt, world.ot])
    excepted(world, case, recorded_on=D(2026, 3, 9), starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 19))
    excepted(
        world,
        case,
        recorded_on=D(2026, 3, 14),
        starts_on=D(2026, 3, 15),
        ends_on=D(2026, 3, 24),
        items=[slt],
        reason=ExceptionReason.PERSONAL_CIRCUMSTANCES,
    )
    slt.refresh_from_db()
    ot.refresh_from_db()
    # SLT: 10 to 24 March, 15 days once each: due 28 April. OT: the whole case's 10 days only.
    assert (slt.due_on, slt.next_action_on) == (D(2026, 4, 28), D(2026, 4, 29))
    assert (ot.due_on, ot.next_action_on) == (D(2026, 4, 23), D(2026, 4, 24))
    sweep(D(2026, 4, 24))
    assert (stages(slt), stages(ot)) == ([], [(Stage.CHASED, D(2026, 4, 24))])
    sweep(D(2026, 4, 29))
    assert stages(slt) == [(Stage.CHASED, D(2026, 4, 29))]


def test_an_exception_ended_early_gives_back_the_days_it_did_not_run(world):
    case, [item] = asked(world)
    exception = excepted(world, case, recorded_on=D(2026, 3, 9), starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 31))
    item.refresh_from_db()
    assert item.due_on == D(2026, 5, 5)  # 22 days
    with on(D(2026, 3, 19)):
        exception_end(exception=exception, user=world.case_officer, ends_on=D(2026, 3, 19))
    item.refresh_from_db()
    assert (item.due_on, item.next_action_on) == (D(2026, 4, 23), D(2026, 4, 24))
    sweep(D(2026, 4, 24))
    assert stages(item) == [(Stage.CHASED, D(2026, 4, 24))]


def test_changing_an_exception_to_chosen_teams_frees_the_others(world):
    case, [slt, ot] = asked(world, teams=[world.slt, world.ot])
    exception = excepted(world, case, recorded_on=D(2026, 3, 9), starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 19))
    with on(D(2026, 3, 20)):
        exception_change(
            exception=exception,
            user=world.case_officer,
            reason=exception.reason,
            detail=exception.detail,
            agreed_by=exception.agreed_by,
            starts_on=exception.starts_on,
            ends_on=exception.ends_on,
            covers_all_advice=False,
            items=[ot],
        )
    slt.refresh_from_db()
    ot.refresh_from_db()
    assert (slt.due_on, slt.next_action_on) == (D(2026, 4, 13), D(2026, 4, 14))
    assert ot.due_on == D(2026, 4, 23)


def test_escalation_2_and_the_response_check_wait_for_an_exception_after_the_letter(world):
    case, [item] = asked(world)
    # Agreed before the letter, for three days after it: the sweep that sends the letter dates
    # escalation 2 with them.
    excepted(world, case, recorded_on=D(2026, 4, 20), starts_on=D(2026, 4, 29), ends_on=D(2026, 5, 1))
    sweep(D(2026, 4, 14))
    sweep(D(2026, 4, 27))
    item.refresh_from_db()
    assert item.stage == Stage.ESCALATION_1
    # Escalation 2: 11 May without the exception, 3 days later with it.
    assert item.next_action_on == D(2026, 5, 14)
    # The DCO's response was due 30 April, during the exception: the AD is not told then...
    sweep(D(2026, 4, 30))
    sweep(D(2026, 5, 1))
    assert not OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1_OVERDUE).exists()
    # ...but on the first working day after it (Monday 4 May is a bank holiday).
    sweep(D(2026, 5, 5))
    assert OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_1_OVERDUE).count() == 1
    sweep(D(2026, 5, 11))
    assert stages(item)[-1][0] == Stage.ESCALATION_1
    sweep(D(2026, 5, 14))
    assert stages(item)[-1] == (Stage.ESCALATION_2, D(2026, 5, 14))


def test_advice_returned_during_an_exception_stops_every_timer(world):
    case, [item] = asked(world)
    exception = excepted(world, case, recorded_on=D(2026, 4, 1), starts_on=D(2026, 4, 1))
    with on(D(2026, 4, 20)):
        advice_return(
            item=AdviceItem.objects.get(pk=item.pk),
            user=world.case_officer,
            returned_on=D(2026, 4, 20),
            content={"description_of_needs": "N", "provision_required": "P", "outcomes": "O"},
        )
        exception_end(exception=exception, user=world.case_officer, ends_on=D(2026, 4, 20))
    item.refresh_from_db()
    # Its clock stopped from 1 April until it came back: due 13 April moved on by those 20 days.
    assert (item.status, item.next_action_on, item.due_on) == (ItemStatus.RETURNED, None, D(2026, 5, 3))
    for day in (D(2026, 4, 21), D(2026, 5, 11), D(2026, 6, 1)):
        sweep(day)
    assert stages(item) == []


def test_a_promised_date_is_not_checked_while_the_item_is_excepted(world):
    case, [item] = asked(world)
    AdviceItem.objects.filter(pk=item.pk).update(promised_on=D(2026, 6, 1))
    exception = excepted(world, case, recorded_on=D(2026, 6, 1), starts_on=D(2026, 6, 1))
    assert not promises_passed(D(2026, 6, 2)).filter(pk=item.pk).exists()
    with on(D(2026, 6, 5)):
        exception_end(exception=exception, user=world.case_officer, ends_on=D(2026, 6, 5))
    assert promises_passed(D(2026, 6, 8)).filter(pk=item.pk).exists()


def test_an_exception_recorded_before_the_advice_was_asked_moves_nothing(world):
    case, [item] = asked(world)
    excepted(world, case, recorded_on=D(2026, 3, 2), starts_on=D(2026, 2, 24), ends_on=D(2026, 3, 1))
    item.refresh_from_db()
    assert item.due_on == D(2026, 4, 13)


def test_a_letter_for_one_team_does_not_name_a_team_whose_clock_is_stopped(world):
    case, [slt, ot] = asked(world, teams=[world.slt, world.ot])
    excepted(world, case, recorded_on=D(2026, 4, 20), starts_on=D(2026, 4, 20), items=[slt])
    sweep(D(2026, 4, 14))
    sweep(D(2026, 4, 27))
    assert stages(ot)[-1] == (Stage.ESCALATION_1, D(2026, 4, 27))
    assert stages(slt) == [(Stage.CHASED, D(2026, 4, 14))]
    letter = Letter.objects.get(escalation__request__case=case)
    assert [team["name"] for team in letter.content["teams"]] == [world.ot.name]
