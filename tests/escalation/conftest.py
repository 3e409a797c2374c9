import datetime
from types import SimpleNamespace

import pytest

from ehc.models import Role, Service
from escalation.rules import LONDON
from escalation.sweep import sweep_run
from tests.factories import (
    AdviceItemFactory,
    AdviceRequestFactory,
    CaseFactory,
    IcbFactory,
    LocalAuthorityFactory,
    ProviderFactory,
    TeamFactory,
    UserFactory,
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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The shared cast creates nine users per world; PBKDF2 would spend seconds on them per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """The organisations of the shared `ours` cast without its nine users: the timers need none of
    them but the case officer who asked for the advice."""
    icb = IcbFactory(name="ICB Ours", short_name="ICB-Ours")
    la = LocalAuthorityFactory(name="Council Ours", short_name="LA-Ours", icb=icb)
    provider = ProviderFactory(
        name="Provider Ours", short_name="P-Ours", spoc_email="spoc@provider-ours.example"
    )
    provider.served_las.add(la)
    return SimpleNamespace(
        icb=icb,
        la=la,
        provider=provider,
        slt=TeamFactory(provider=provider, name="SLT Ours", service=Service.SLT),
        ot=TeamFactory(provider=provider, name="OT Ours", service=Service.OT),
        paeds=TeamFactory(provider=provider, name="Paediatrics Ours", service=Service.COMMUNITY_PAEDIATRICS),
        case_officer=UserFactory(username="officer-ours", organisation=la, roles=[Role.CASE_OFFICER]),
    )
