"""A provider's administrator decides whether a team lead signs off a team's advice and names its
leads (decision 0036), on the team's page, audited like its other settings."""

import pytest
from django.urls import reverse

from ehc.access import is_team_lead
from ehc.models import AuditEvent, Role, Service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _data(team, **extra):
    return {"name": team.name, "service": Service.SLT, "email": team.email, **extra}


def test_the_setting_and_the_leads_are_saved_and_audited(ours, our_admins, login):
    lead = UserFactory(
        username="lead-ours",
        first_name="Siobhán",
        last_name="O'Neill",
        organisation=ours.provider,
        roles=[Role.PRACTITIONER],
        teams=[ours.slt],
    )
    client = login(our_admins.provider)
    url = reverse("administration:team_change", args=[ours.slt.pk])
    page = client.get(url).content.decode()
    assert "Team leads" in page and "O&#x27;Neill" in page

    response = client.post(url, _data(ours.slt, returns_need_sign_off="on", leads=[lead.pk]))
    assert response.status_code == 302
    ours.slt.refresh_from_db()
    assert ours.slt.returns_need_sign_off and is_team_lead(lead, ours.slt)
    (event,) = AuditEvent.objects.filter(settings_of=ours.provider)
    assert event.changes == {
        "A team lead signs off the team's advice": ["No", "Yes"],
        "Team leads": ["", str(lead)],
    }


def test_sign_off_without_a_lead_is_refused_and_changes_nothing(ours, our_admins, login):
    client = login(our_admins.provider)
    response = client.post(
        reverse("administration:team_change", args=[ours.slt.pk]), _data(ours.slt, returns_need_sign_off="on")
    )
    assert response.status_code == 200
    assert "Select at least one team lead" in response.content.decode()
    ours.slt.refresh_from_db()
    assert not ours.slt.returns_need_sign_off


def test_only_the_teams_own_practitioners_can_be_leads(ours, theirs, our_admins, login):
    client = login(our_admins.provider)
    # The head of service works for the team but writes no advice: no lead either.
    for outsider in (ours.ot_practitioner, theirs.slt_practitioner, ours.spoc, ours.head_of_service):
        response = client.post(
            reverse("administration:team_change", args=[ours.slt.pk]), _data(ours.slt, leads=[outsider.pk])
        )
        assert response.status_code == 200 and "Select team leads from the list" in response.content.decode()
    assert not ours.slt.leads.exists()
