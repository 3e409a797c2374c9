"""The state a journey starts from, made by the app's own services on the dates it would have happened.

Setting rows by hand would let a journey pass against data the app could never produce; running
the services under time_machine for the past and the sweep's --now for the future keeps every
date, stage and email as the app makes them. Imports are inside the functions: these parts of the
product may not be on the branch yet, and the journeys that need them skip first.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.utils import timezone

from ehc.workdays import WorkingCalendar

from ..factories import CaseFactory

LONDON = ZoneInfo("Europe/London")


def at_nine(day):
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LONDON)


def working_day_on_or_after(day, world):
    return WorkingCalendar.for_la(world.la.pk).on_or_after(day)


def open_case(world, *, received_days_ago=30, **fields):
    received = timezone.localdate() - datetime.timedelta(days=received_days_ago)
    defaults = {
        "local_authority": world.la,
        "case_officer": world.case_officer,
        "received_on": received,
        "family_views": "We want Robin to be understood at school and to make friends.",
        "aspirations": "To go to the local secondary school with friends.",
    }
    defaults.update(fields)
    return CaseFactory(**defaults)


def advice_requested(world, case, *, services, on):
    """The case officer asked the provider's SPOC on `on`."""
    from advice.services import advice_request_send

    with time_machine.travel(at_nine(on), tick=False):
        return advice_request_send(case=case, provider=world.provider, services_named=services, user=world.case_officer)


def advice_acknowledged(world, advice_request, *, teams, on):
    """The SPOC named `teams` (team -> known status) as responding, on `on`."""
    from advice.services import TeamAnswer, advice_acknowledge

    with time_machine.travel(at_nine(on), tick=False):
        return advice_acknowledge(
            advice_request=advice_request,
            user=world.spoc,
            answers=[TeamAnswer(team=team, known_status=status) for team, status in teams.items()],
        )


def sweep_at(day):
    """Time moves on: the timers run as of 07:00 on `day`, through the sweep command's --now."""
    out = io.StringIO()
    call_command("sweep", f"--now={day:%Y-%m-%d}T07:00", stdout=out)
    return out.getvalue()
