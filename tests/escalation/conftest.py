import datetime
from types import SimpleNamespace

import pytest

from escalation.rules import LONDON
from escalation.sweep import sweep_run
from tests.factories import (
    AdviceItemFactory,
    AdviceRequestFactory,
    CaseFactory,
)


def at(day: datetime.date, hour=7, minute=0) -> datetime.datetime:
    """An instant on `day`, Europe/London (the sweep's early-morning run by default)."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def sweep(day: datetime.date, hour=7, **kwargs):
    return sweep_run(now=at(day, hour), **kwargs)


def make_request(world, *, notified_on, teams=None, case=None, **case_kwargs):
    """A request to the world's provider with one item per team, as the advice flow creates them:
    stage REQUESTED, next_action_on = due_on."""
    case = case or CaseFactory(local_authority=world.la, **case_kwargs)
    request = AdviceRequestFactory(
        case=case, provider=world.provider, notified_on=notified_on, requested_by=world.case_officer
    )
    for team in teams if teams is not None else [world.slt]:
        AdviceItemFactory(request=request, team=team, next_action_on=request.due_on)
    return request


@pytest.fixture
def make():
    return make_request


@pytest.fixture
def world(ours):
    """The organisations of the shared `ours` cast and its case officer: all the timers need."""
    return SimpleNamespace(
        icb=ours.icb,
        la=ours.la,
        provider=ours.provider,
        slt=ours.slt,
        ot=ours.ot,
        paeds=ours.paeds,
        case_officer=ours.case_officer,
    )
