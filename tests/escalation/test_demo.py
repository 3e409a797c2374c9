import datetime
import re

import pytest
import time_machine
from django.core.management import call_command

from advice.models import AdviceItem, AdviceRequest
from assessments.models import Case
from ehc.demo import DEMO_PASSWORD, DEMO_USERS
from ehc.models import Organisation, Role, User
from escalation.demo import seed_demo

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def _counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Case.objects.count(),
        AdviceRequest.objects.count(),
        AdviceItem.objects.count(),
    )


def test_seed_demo_is_idempotent():
    assert seed_demo(today=TODAY, months=2) is True
    first = _counts()
    assert first[2] > 20 and first[3] > 10 and first[4] >= first[3]
    assert seed_demo(today=TODAY, months=2) is False
    assert _counts() == first


def test_every_role_has_a_demo_login_that_works(client):
    seed_demo(today=TODAY, months=1)
    roles = set()
    for username, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        roles.update(user.roles)
    assert roles == set(Role.values)


def test_demo_data_uses_example_domains_only():
    seed_demo(today=TODAY, months=1)
    addresses = list(User.objects.values_list("email", flat=True)) + [
        o.spoc_email or o.director_email for o in Organisation.objects.all()
    ]
    for address in filter(None, addresses):
        assert re.search(r"\.example$", address), address


def test_demo_login_command_prints_every_user(capsys):
    seed_demo(today=TODAY, months=1)
    call_command("demo_logins")
    out = capsys.readouterr().out
    for username, *_ in DEMO_USERS:
        assert username in out
    assert DEMO_PASSWORD in out


def test_the_ad_has_a_letter_to_approve_whatever_day_the_demo_is_made_on():
    """Letters are not issued every day, nor at weekends: the newest waits for the AD's next batch,
    so on a Saturday two weeks after the last letter the AD's queue still holds it."""
    from escalation.approvals import awaiting_approval
    from escalation.models import Letter
    from escalation.sweep import sweep_run

    saturday = datetime.date(2026, 11, 28)
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC), tick=False):
        seed_demo(today=saturday, months=2, sweep=sweep_run)
    asked = Letter.objects.filter(approval_required=True)
    newest = asked.order_by("-pk").first()
    print(f"letters needing approval: {asked.count()}, the newest issued on {newest and newest.escalation.issued_on}")
    assert newest is not None and newest.escalation.issued_on < saturday - datetime.timedelta(days=3)
    assert list(awaiting_approval()) == [newest]


def test_the_demo_has_provision_rows_for_the_commissioning_report():
    """Some of the year's returns have structured provision: available, waiting list, not commissioned."""
    from advice.provision import Availability, ProvisionRow

    seed_demo(today=TODAY, months=2)
    found = set(ProvisionRow.objects.values_list("availability", flat=True))
    assert set(Availability.values) <= found
    assert ProvisionRow.objects.filter(availability=Availability.WAITING_LIST, wait_weeks__gt=0).exists()
    assert User.objects.get(username="commissioner").roles == [Role.COMMISSIONER]
