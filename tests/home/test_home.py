"""The home page: a section per role the user holds and may work in, each count the length of the list
it links to, nothing of another organisation's, a bounded number of queries, and sign-in first."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from advice.models import ItemStatus, Stage
from assessments.models import CaseStatus
from ehc.models import Invitation, Role
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 23)

HEADINGS = {
    Role.CASE_OFFICER: "As a SEND case officer",
    Role.BUSINESS_SUPPORT: "As SEND business support",
    Role.AD_EDUCATION: "As Assistant Director of Education",
    Role.SEND_MANAGER: "As the SEND manager",
    Role.SPOC: "As the health single point of contact",
    Role.PRACTITIONER: "As a health practitioner",
    Role.HEAD_OF_SERVICE: "As a head of service",
    Role.DCO: "As the Designated Clinical Officer",
    Role.ADMINISTRATOR: "As an administrator",
}


def _home(client):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _request(world, *, team, due_on, acknowledged=True, stage=Stage.REQUESTED, officer=None):
    case = CaseFactory(local_authority=world.la, case_officer=officer, status=CaseStatus.ASSESSING, last_name="O'Neill")
    request = AdviceRequestFactory(
        case=case,
        provider=world.provider,
        notified_on=due_on - datetime.timedelta(days=42),
        acknowledged_at=NOW - datetime.timedelta(days=30) if acknowledged else None,
    )
    return AdviceItemFactory(request=request, team=team, due_on=due_on, stage=stage, status=ItemStatus.OUTSTANDING)


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("home"))
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, role",
    [
        ("case_officer", Role.CASE_OFFICER),
        ("business_support", Role.BUSINESS_SUPPORT),
        ("ad", Role.AD_EDUCATION),
        ("spoc", Role.SPOC),
        ("slt_practitioner", Role.PRACTITIONER),
        ("head_of_service", Role.HEAD_OF_SERVICE),
        ("dco", Role.DCO),
    ],
)
def test_each_section_is_for_holders_of_its_role_only(ours, login, who, role):
    html = _home(login(getattr(ours, who)))
    shown = {each for each, heading in HEADINGS.items() if heading in html}
    assert shown == {role}


def test_an_administrator_sees_their_section_and_no_childs_work(ours, login):
    admin = UserFactory(username="provider-admin-home", organisation=ours.provider, roles=[Role.ADMINISTRATOR])
    invited = UserFactory(username="invited-home", last_name="O'Neill", organisation=ours.provider, roles=[Role.SPOC])
    invited.set_unusable_password()
    invited.save()
    Invitation.objects.create(
        user=invited,
        organisation=ours.provider,
        email=invited.email,
        token_hash="a" * 64,
        sent_at=NOW,
        expires_at=NOW + datetime.timedelta(hours=72),
        invited_by=admin,
    )
    client = login(admin)
    html = _home(client)
    assert HEADINGS[Role.ADMINISTRATOR] in html
    assert f'href="{reverse("administration:index")}"' in html
    assert not any(heading in html for role, heading in HEADINGS.items() if role != Role.ADMINISTRATOR)
    assert ">1 person invited who has not signed in yet</a>" in html
    with time_machine.travel(NOW, tick=False):
        listed = client.get(reverse("administration:people") + "?show=not-signed-in").content.decode()
    assert f'href="{reverse("administration:person", args=[invited.pk])}"' in listed
    assert f'href="{reverse("administration:person", args=[admin.pk])}"' not in listed


def test_a_role_held_in_the_wrong_kind_of_organisation_shows_no_section(ours, login):
    # A SPOC role on a council's user opens no SPOC page, so the home page shows no SPOC section.
    odd = UserFactory(username="odd-la-spoc", organisation=ours.la, roles=[Role.SPOC])
    html = _home(login(odd))
    assert HEADINGS[Role.SPOC] not in html
    assert "Your account has no role yet" in html


def test_nothing_to_do_is_said_plainly(ours, login):
    html = _home(login(ours.slt_practitioner))
    assert "Nothing is waiting for you today." in html
    assert "Nothing to do here today." in html
    assert f'href="{reverse("advice:team_queue")}"' in html


def test_counts_are_the_users_own_and_never_another_providers(ours, theirs, login):
    _request(ours, team=ours.slt, due_on=TODAY - datetime.timedelta(days=3), acknowledged=False)
    _request(ours, team=ours.ot, due_on=TODAY + datetime.timedelta(days=5))
    # Another provider's work: in none of our counts.
    _request(theirs, team=theirs.slt, due_on=TODAY - datetime.timedelta(days=3), acknowledged=False)
    html = _home(login(ours.spoc))
    assert ">1 request for health advice to acknowledge</a>" in html
    assert ">1 item of advice overdue</a>" in html
    assert ">1 item of advice due in the next 2 weeks</a>" in html
    slt = _home(login(ours.slt_practitioner))
    assert ">1 item of advice for your team to write</a>" in slt
    ot = _home(login(ours.ot_practitioner))
    assert ">1 item of advice for your team to write</a>" in ot
    assert "Nothing is waiting for you today." in _home(login(theirs.ot_practitioner))


def test_a_case_officers_late_cases_are_their_own(ours, login):
    CaseFactory(
        local_authority=ours.la,
        case_officer=ours.case_officer,
        status=CaseStatus.ASSESSING,
        next_statutory_date=TODAY - datetime.timedelta(days=2),
    )
    CaseFactory(
        local_authority=ours.la,
        case_officer=None,
        status=CaseStatus.ASSESSING,
        next_statutory_date=TODAY - datetime.timedelta(days=2),
    )
    html = _home(login(ours.case_officer))
    link = reverse("assessments:caseload") + "?mine=on&amp;rag=red"
    assert f'href="{link}" data-count="1"' in html
    assert ">1 of your open cases is past its next statutory date</a>" in html
    support = _home(login(ours.business_support))
    assert ">2 of the council&#x27;s open cases are past their next statutory date</a>" in support


def test_a_user_with_several_roles_sees_a_section_for_each_in_a_bounded_number_of_queries(
    ours, login, django_assert_max_num_queries
):
    lead = UserFactory(
        username="lead-ours",
        last_name="O'Neill",
        organisation=ours.provider,
        roles=[Role.SPOC, Role.PRACTITIONER, Role.HEAD_OF_SERVICE],
        teams=[ours.slt],
    )
    for days in (-3, 4, 20):
        _request(ours, team=ours.slt, due_on=TODAY + datetime.timedelta(days=days), acknowledged=days > 0)
    _request(ours, team=ours.slt, due_on=TODAY - datetime.timedelta(days=40), stage=Stage.ESCALATION_2)
    client = login(lead)
    _home(client)
    with django_assert_max_num_queries(14):
        html = _home(client)
    for role in (Role.SPOC, Role.PRACTITIONER, Role.HEAD_OF_SERVICE):
        assert HEADINGS[role] in html
    assert ">4 items of advice for your teams to write</a>" in html
    assert ">1 item escalated to the heads of service (escalation 2)</a>" in html
    assert ">1 item of advice escalated to you</a>" in html
    # Each role's old start page is a link away.
    for name in ("advice:spoc_queue", "advice:team_queue", "escalation:hos_queue"):
        assert f'href="{reverse(name)}"' in html
