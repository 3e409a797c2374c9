"""Heads of service: listed with the teams each covers, added and changed by the provider's own
administrator only, every change audited; escalation 2 is copied to whoever the page names."""

import datetime

import pytest
from django.urls import reverse

from ehc.models import AuditEvent, MessageKind, OutboundEmail, Team
from tests.escalation.conftest import make_request, sweep

pytestmark = pytest.mark.django_db
D = datetime.date


def history(org):
    return list(AuditEvent.objects.filter(settings_of=org).order_by("id"))


def heads_of(provider):
    return {
        team.name: (team.head_of_service_name, team.head_of_service_email)
        for team in Team.objects.filter(provider=provider)
    }


def test_the_list_groups_teams_by_head_and_shows_teams_with_none(ours, our_admins, login):
    Team.objects.filter(pk__in=[ours.slt.pk, ours.ot.pk]).update(
        head_of_service_name="Ana O'Neill", head_of_service_email="ana@provider-ours.example"
    )
    Team.objects.filter(pk=ours.paeds.pk).update(head_of_service_name="", head_of_service_email="")
    page = login(our_admins.provider).get(reverse("administration:heads")).content.decode()
    assert "Ana O&#x27;Neill" in page and "Ana O'Neill" not in page
    assert page.index("<li>OT Ours</li>") < page.index("<li>SLT Ours</li>") < page.index("Teams with no head")
    assert page.index("Teams with no head") < page.index("<li>Paediatrics Ours</li>")
    # A head's page is named by one of the teams they cover.
    assert reverse("administration:head_change", args=[ours.ot.pk]) in page


def test_adding_a_head_moves_the_chosen_teams_to_them_and_is_audited(ours, our_admins, login):
    old = ours.slt.head_of_service_name
    client = login(our_admins.provider)
    response = client.post(
        reverse("administration:head_add"),
        {
            "name": "Ana O'Neill",
            "title": "Head of Therapies",
            "email": "ana@provider-ours.example",
            "teams": [ours.slt.pk],
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == reverse("administration:heads")
    assert heads_of(ours.provider)["SLT Ours"] == ("Ana O'Neill", "ana@provider-ours.example")
    assert heads_of(ours.provider)["OT Ours"] == (ours.ot.head_of_service_name, ours.ot.head_of_service_email)
    (event,) = history(ours.provider)
    assert event.summary == f"Added the head of service Ana O'Neill (moved SLT Ours from {old})"
    assert event.changes["Teams covered"] == [None, "SLT Ours"]
    assert event.changes["Email"] == [None, "ana@provider-ours.example"]


def test_changing_a_head_unticked_teams_are_left_without_one(ours, our_admins, login):
    Team.objects.filter(provider=ours.provider).update(
        head_of_service_name="Sam Holloway", head_of_service_title="", head_of_service_email="sam@provider-ours.example"
    )
    client = login(our_admins.provider)
    url = reverse("administration:head_change", args=[ours.paeds.pk])
    page = client.get(url).content.decode()
    assert 'value="sam@provider-ours.example"' in page
    response = client.post(
        url,
        {"name": "Sam Holloway", "title": "Head of CAMHS", "email": "SAM@provider-ours.example", "teams": [ours.ot.pk]},
    )
    assert response.status_code == 302
    assert heads_of(ours.provider) == {
        "OT Ours": ("Sam Holloway", "SAM@provider-ours.example"),
        "SLT Ours": ("", ""),
        "Paediatrics Ours": ("", ""),
    }
    (event,) = history(ours.provider)
    assert event.summary == "Changed the head of service Sam Holloway"
    assert event.changes["Teams covered"] == ["OT Ours, Paediatrics Ours, SLT Ours", "OT Ours"]
    assert event.changes["Job title"] == ["", "Head of CAMHS"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "email": "x@provider-ours.example", "teams": ["slt"]}, "Enter name"),
        ({"name": "Ana", "email": "not-an-address", "teams": ["slt"]}, "Enter an email address in the correct"),
        ({"name": "Ana", "email": "ana@provider-ours.example"}, "Select the teams this head of service covers"),
        ({"name": "Ana", "email": "ana@provider-ours.example", "teams": ["their"]}, "Select the teams this head"),
        ({"name": "Ana", "email": "ana@provider-ours.example", "teams": ["junk"]}, "Select the teams this head"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(ours, theirs, our_admins, login, data, message):
    ids = {"slt": ours.slt.pk, "their": theirs.slt.pk, "junk": "x"}
    data = {**data, "teams": [ids[key] for key in data.get("teams", [])]}
    before = heads_of(ours.provider), heads_of(theirs.provider)
    client = login(our_admins.provider)
    for url in (reverse("administration:head_add"), reverse("administration:head_change", args=[ours.ot.pk])):
        response = client.post(url, data)
        body = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert (heads_of(ours.provider), heads_of(theirs.provider)) == before
    assert history(ours.provider) == []


def test_an_email_another_head_has_is_refused(ours, our_admins, login):
    client = login(our_admins.provider)
    response = client.post(
        reverse("administration:head_add"),
        {"name": "Someone", "email": ours.ot.head_of_service_email.upper(), "teams": [ours.slt.pk]},
    )
    body = response.content.decode()
    assert "govuk-error-summary" in body and "already has this email as a head of service here" in body
    assert history(ours.provider) == []


def test_a_team_with_no_head_has_no_head_page(ours, our_admins, login):
    Team.objects.filter(pk=ours.paeds.pk).update(head_of_service_name="", head_of_service_email="")
    assert (
        login(our_admins.provider).get(reverse("administration:head_change", args=[ours.paeds.pk])).status_code == 404
    )


def test_escalation_2_is_copied_to_the_head_the_page_names(ours, our_admins, login):
    request = make_request(ours, notified_on=D(2026, 11, 20), teams=[ours.slt, ours.ot])
    client = login(our_admins.provider)
    assert (
        client.post(
            reverse("administration:head_add"),
            {"name": "Ana Head", "email": "ana.head@provider-ours.example", "teams": [ours.slt.pk]},
        ).status_code
        == 302
    )
    for day in (D(2027, 1, 4), D(2027, 1, 15), D(2027, 1, 29)):
        sweep(day)
    (notice,) = OutboundEmail.objects.filter(kind=MessageKind.ESCALATION_2, case=request.case)
    assert "ana.head@provider-ours.example" in notice.cc
    assert ours.ot.head_of_service_email in notice.cc
    assert ours.slt.head_of_service_email not in notice.cc
