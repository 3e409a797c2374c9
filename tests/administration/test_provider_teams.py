"""A provider's administrator manages its own teams, SPOC mailbox and director; nobody else reaches
those pages, and another provider's team is a 404. Bad input changes nothing."""

import pytest
from django.urls import reverse

from advice.ack_forms import AcknowledgeForm
from advice.services import advice_request_send
from advice.services.common import AdviceError
from ehc.models import AuditEvent, Organisation, Service, Team
from tests.factories import AdviceItemFactory, AdviceRequestFactory, CaseFactory

pytestmark = pytest.mark.django_db

PAGES = ["teams", "team_add", "heads", "head_add", "contacts"]
TEAM_PAGES = ["team_change", "team_status", "head_change"]


def history(org):
    return list(AuditEvent.objects.filter(settings_of=org).order_by("id"))


@pytest.mark.parametrize("who", ["la", "icb"])
def test_other_kinds_of_administrator_get_404(our_admins, ours, login, who):
    client = login(getattr(our_admins, who))
    for name in PAGES:
        assert client.get(reverse(f"administration:{name}")).status_code == 404
    for name in TEAM_PAGES:
        assert client.get(reverse(f"administration:{name}", args=[ours.slt.pk])).status_code == 404
        assert client.post(reverse(f"administration:{name}", args=[ours.slt.pk]), {"active": "0"}).status_code == 404


@pytest.mark.parametrize("who", ["spoc", "head_of_service", "slt_practitioner", "case_officer", "dco"])
def test_case_workers_get_404(ours, login, who):
    client = login(getattr(ours, who))
    for name in PAGES:
        assert client.get(reverse(f"administration:{name}")).status_code == 404
    for name in TEAM_PAGES:
        assert client.get(reverse(f"administration:{name}", args=[ours.slt.pk])).status_code == 404


def test_another_providers_administrator_gets_404_on_every_team_of_ours(ours, their_admins, login):
    client = login(their_admins.provider)
    for team in (ours.slt, ours.ot, ours.paeds):
        for name in TEAM_PAGES:
            url = reverse(f"administration:{name}", args=[team.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, {"name": "Taken", "service": "slt", "active": "0"}).status_code == 404
    ours.slt.refresh_from_db()
    assert ours.slt.name == "SLT Ours" and ours.slt.is_active
    assert history(ours.provider) == []
    # Their list names none of our teams.
    page = client.get(reverse("administration:teams")).content.decode()
    assert "SLT Theirs" in page and "SLT Ours" not in page


def test_adding_a_team_audits_it_and_escapes_the_name(ours, our_admins, login):
    client = login(our_admins.provider)
    response = client.post(
        reverse("administration:team_add"),
        {"name": "O'Neill Orthoptics", "service": Service.ORTHOPTICS, "email": "orthoptics@provider-ours.example"},
    )
    assert response.status_code == 302 and response.headers["Location"] == reverse("administration:teams")
    team = Team.objects.get(provider=ours.provider, name="O'Neill Orthoptics")
    assert team.is_active and team.service == Service.ORTHOPTICS
    (event,) = history(ours.provider)
    assert event.summary == "Added the team O'Neill Orthoptics"
    assert event.changes["Team name"] == [None, "O'Neill Orthoptics"]
    assert event.changes["Service"] == [None, "Orthoptics"]
    page = client.get(reverse("administration:teams")).content.decode()
    assert "O&#x27;Neill Orthoptics" in page and "O'Neill Orthoptics" not in page
    shown = client.get(reverse("administration:history")).content.decode()
    assert "Added the team O&#x27;Neill Orthoptics" in shown


def test_a_name_the_provider_already_uses_is_refused_in_any_case(ours, theirs, our_admins, login):
    client = login(our_admins.provider)
    response = client.post(reverse("administration:team_add"), {"name": "slt ours", "service": Service.SLT})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "already has a team called slt ours" in body
    # Renaming another team to it is refused the same way.
    response = client.post(
        reverse("administration:team_change", args=[ours.ot.pk]), {"name": "SLT Ours", "service": Service.OT}
    )
    assert "already has a team called SLT Ours" in response.content.decode()
    assert Team.objects.filter(provider=ours.provider).count() == 3
    assert history(ours.provider) == []
    # Another provider's team of that name is no clash.
    assert client.post(reverse("administration:team_add"), {"name": "SLT Theirs", "service": "slt"}).status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "service": Service.SLT}, "Enter team name"),
        ({"name": "Dietetics", "service": ""}, "Select the team&#x27;s service"),
        ({"name": "Dietetics", "service": "astrology"}, "Select the team&#x27;s service"),
        ({"name": "Dietetics", "service": "slt", "email": "not an address"}, "Enter an email address in the correct"),
        ({"name": "D" * 201, "service": "slt"}, "Team name must be 200 characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, our_admins, login, data, message):
    client = login(our_admins.provider)
    for url in (reverse("administration:team_add"), reverse("administration:team_change", args=[ours.slt.pk])):
        response = client.post(url, data)
        body = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert sorted(Team.objects.filter(provider=ours.provider).values_list("name", flat=True)) == [
        "OT Ours",
        "Paediatrics Ours",
        "SLT Ours",
    ]
    assert history(ours.provider) == []


def test_changing_a_team_records_before_and_after_and_nothing_when_nothing_changed(ours, our_admins, login):
    client = login(our_admins.provider)
    url = reverse("administration:team_change", args=[ours.slt.pk])
    data = {"name": "SLT Ours", "service": Service.SLT, "email": ours.slt.email}
    assert client.post(url, data).status_code == 302
    assert history(ours.provider) == []
    assert (
        client.post(url, {**data, "name": "Speech and Language", "email": "slt@provider-ours.example"}).status_code
        == 302
    )
    (event,) = history(ours.provider)
    assert event.summary == "Changed the team SLT Ours"
    assert event.changes == {
        "Team name": ["SLT Ours", "Speech and Language"],
        "Team mailbox": [ours.slt.email, "slt@provider-ours.example"],
    }


def test_a_team_owing_advice_is_not_deactivated_and_says_why(ours, our_admins, login):
    request = AdviceRequestFactory(case=CaseFactory(local_authority=ours.la), provider=ours.provider)
    AdviceItemFactory(request=request, team=ours.slt)
    client = login(our_admins.provider)
    url = reverse("administration:team_status", args=[ours.slt.pk])
    page = client.get(url).content.decode()
    assert "SLT Ours still owes advice on 1 request." in page and "Deactivate the team</button>" not in page
    response = client.post(url, {"active": "0"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    ours.slt.refresh_from_db()
    assert ours.slt.is_active and history(ours.provider) == []


def test_a_deactivated_team_is_offered_to_nobody_until_reactivated(ours, our_admins, login):
    client = login(our_admins.provider)
    url = reverse("administration:team_status", args=[ours.paeds.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    ours.paeds.refresh_from_db()
    assert not ours.paeds.is_active
    # Posted twice (a double click): one change, one audit row.
    assert client.post(url, {"active": "0"}).status_code == 302
    (event,) = history(ours.provider)
    assert event.summary == "Deactivated the team Paediatrics Ours" and event.changes == {"Active": ["Yes", "No"]}
    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)
    # A case officer cannot ask it, and a SPOC acknowledging cannot name it.
    with pytest.raises(AdviceError, match="has no team for Community paediatrics"):
        advice_request_send(
            case=case, provider=ours.provider, services_named=[Service.COMMUNITY_PAEDIATRICS], user=ours.case_officer
        )
    sent = advice_request_send(case=case, provider=ours.provider, services_named=[Service.SLT], user=ours.case_officer)
    offered = [row[0] for row in AcknowledgeForm(advice_request=sent).rows]
    assert ours.slt in offered and ours.paeds not in offered
    assert client.post(url, {"active": "1"}).status_code == 302
    ours.paeds.refresh_from_db()
    assert ours.paeds.is_active
    assert [event.summary for event in history(ours.provider)][-1] == "Reactivated the team Paediatrics Ours"


def test_the_spoc_mailbox_and_director_are_changed_and_audited(ours, our_admins, login):
    client = login(our_admins.provider)
    url = reverse("administration:contacts")
    data = {
        "spoc_email": "spoc.team@provider-ours.example",
        "director_name": "Morgan O'Neill",
        "director_title": "Alliance Director",
        "director_email": "director@provider-ours.example",
    }
    assert client.post(url, data).status_code == 302
    provider = Organisation.objects.get(pk=ours.provider.pk)
    assert provider.spoc_email == "spoc.team@provider-ours.example" and provider.director_name == "Morgan O'Neill"
    (event,) = history(ours.provider)
    assert event.changes["SPOC mailbox"] == [ours.provider.spoc_email, "spoc.team@provider-ours.example"]
    assert event.changes["Director's name"] == [ours.provider.director_name, "Morgan O'Neill"]
    assert "Morgan O&#x27;Neill" in client.get(url).content.decode()
    response = client.post(url, {**data, "spoc_email": "", "director_email": "nope"})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and "Enter SPOC mailbox" in body
    assert Organisation.objects.get(pk=ours.provider.pk).spoc_email == "spoc.team@provider-ours.example"
    assert len(history(ours.provider)) == 1
